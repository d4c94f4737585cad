import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  closeSvg,
  escapeXml,
  estimateTextWidth,
  formatCount,
  openSvg,
  px,
  svgText,
} from '../../../executor/inspect/svg-markup.js';
import { parseSvg, rasterise } from './svg-checks.js';

describe('svg markup', () => {
  it('escapes the five markup characters', () => {
    assert.equal(
      escapeXml(`<a href="x">Tom & Jerry's</a>`),
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;',
    );
    assert.equal(escapeXml('&amp;'), '&amp;amp;');
  });

  it('replaces characters XML cannot hold, keeping tab, newline and astral characters', () => {
    assert.equal(escapeXml('a\u0000b\u0007c\u001Fd\te\nf\rg'), 'a\uFFFDb\uFFFDc\uFFFDd\te\nf\rg');
    assert.equal(escapeXml('x\uFFFEy\uFFFF'), 'x\uFFFDy\uFFFD');
    assert.equal(escapeXml('🍅\uD800 \uDC00🍎'), '🍅\uFFFD \uFFFD🍎');
  });

  it('cuts text by characters, not UTF-16 units or entities', () => {
    assert.equal(svgText('🍅'.repeat(10), 5), '🍅🍅🍅🍅…');
    assert.equal(svgText('&&&&&&', 3), '&amp;&amp;…');
    assert.equal(svgText('short', 5), 'short');
  });

  it('writes a document that parses and keeps any label intact, and renders', async () => {
    const label = `Apple <Braeburn> & "Pink" 'Lady' 🍎 ünïcödé 中文\u0001`;
    const svg = `${openSvg({ width: 200, height: 100, title: label })}<text x="10" y="50">${svgText(label)}</text>\n${closeSvg()}`;
    const parsed = parseSvg(svg);
    const expected = label.replace('\u0001', '\uFFFD');
    assert.equal(parsed.tag, 'svg');
    assert.equal(parsed.title, expected);
    assert.deepEqual(parsed.texts, [expected]);
    const image = await rasterise(svg);
    assert.equal(image.blank, false);
    assert.deepEqual([image.width, image.height], [200, 100]);
    assert.ok(image.colours > 1, 'the text is drawn');
  });

  it('rounds coordinates to two decimals', () => {
    assert.equal(px(12.345678), '12.35');
    assert.equal(px(3), '3');
    assert.equal(px(-0.001), '0');
    assert.equal(px(-7.5), '-7.5');
  });

  it('formats counts with thousands separators and estimates text widths', () => {
    assert.deepEqual([0, 999, 1000, 1234567].map(formatCount), ['0', '999', '1,000', '1,234,567']);
    assert.ok(estimateTextWidth('中文', 10) > estimateTextWidth('ab', 10));
    assert.equal(estimateTextWidth('', 10), 0);
  });
});
