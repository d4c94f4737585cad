import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assignLabelStyles,
  compareLabels,
  LABEL_COLOURS,
  labelStyle,
  MARKER_VARIANTS,
} from '../../../executor/inspect/label-palette.js';

describe('label palette', () => {
  it('has at least 20 distinct colours', () => {
    assert.ok(LABEL_COLOURS.length >= 20);
    assert.ok(LABEL_COLOURS.every((colour) => /^#[0-9a-f]{6}$/.test(colour)));
    assert.equal(new Set(LABEL_COLOURS).size, LABEL_COLOURS.length);
  });

  it('hands out styles in sorted-label order, numbers compared as numbers', () => {
    const styles = assignLabelStyles(['Plum 10', 'Apple Braeburn', 'Plum 2', 'Plum 10', 'apple', '']);
    assert.deepEqual([...styles.keys()], ['', 'apple', 'Apple Braeburn', 'Plum 2', 'Plum 10']);
    assert.deepEqual(
      [...styles.values()].map((style) => style.index),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(assignLabelStyles(['b', 'a', 'c']), assignLabelStyles(['c', 'b', 'a']));
    assert.ok(compareLabels('a', 'A') !== 0 && compareLabels('é', 'e') !== 0);
  });

  it('gives the first labels different colours, then different markers in the same colours', () => {
    const first = Array.from({ length: LABEL_COLOURS.length }, (_, i) => labelStyle(i));
    assert.equal(new Set(first.map((style) => style.colour)).size, LABEL_COLOURS.length);
    assert.ok(first.every((style) => style.variant === MARKER_VARIANTS[0]));
    const next = labelStyle(LABEL_COLOURS.length);
    assert.equal(next.colour, first[0]!.colour);
    assert.notEqual(next.variant, first[0]!.variant);
    assert.notEqual(next.css, first[0]!.css);
  });

  it('tells 131 labels (Fruits-360) apart', () => {
    const labels = Array.from({ length: 131 }, (_, i) => `Fruit ${i}`);
    const styles = [...assignLabelStyles(labels).values()];
    assert.equal(new Set(styles.map((style) => style.css)).size, 131);
    assert.equal(new Set(styles.map((style) => `${style.colour} ${style.variant}`)).size, 131);
  });
});
