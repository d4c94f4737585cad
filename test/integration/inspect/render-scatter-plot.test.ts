import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderScatterPlot } from '../../../executor/inspect/render-scatter-plot.js';
import { FeatureJobError } from '../../../executor/errors.js';
import { classed, parseSvg, rasterise } from './svg-checks.js';

/** Circles of the points group: their classes in drawing order (regex; the XML check is separate). */
function pointClasses(svg: string): string[] {
  const group = /<g class="points">([\s\S]*?)<\/g>/.exec(svg);
  assert.ok(group, 'a points group');
  return [...group[1]!.matchAll(/<circle class="(l\d+)"/g)].map((match) => match[1]!);
}

/** CSS declarations per class from the <style> element. */
function classStyles(svg: string): Map<string, string> {
  return new Map([...svg.matchAll(/\.(l\d+)\{([^}]*)\}/g)].map((match) => [match[1]!, match[2]!]));
}

/** `n` points in `labels.length` clusters, rows grouped by label as a job writes them. */
function clusters(n: number, labels: readonly string[]): { x: Float32Array; y: Float32Array; labels: string[] } {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const rowLabels: string[] = [];
  let state = 12345;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = 0; i < n; i++) {
    const k = Math.floor((i * labels.length) / n);
    const angle = (2 * Math.PI * k) / labels.length;
    x[i] = 10 * Math.cos(angle) + random() * 3;
    y[i] = 10 * Math.sin(angle) + random() * 3;
    rowLabels.push(labels[k]!);
  }
  return { x, y, labels: rowLabels };
}

const NASTY = [`Tomato <Cherry> & "Red"`, `Pear's 🍐`, 'Apple Braeburn', 'Plum 5', ''];

describe('renderScatterPlot', () => {
  it('draws one circle per finite point, with escaped labels in the legend, and renders', async () => {
    const data = clusters(500, NASTY);
    data.x[7] = Number.NaN;
    data.y[300] = Infinity;
    data.x[301] = -Infinity;
    const svg = renderScatterPlot({ ...data, title: 'PCA <1 & 2>', xLabel: 'PC 1', yLabel: 'PC 2' });
    assert.equal(pointClasses(svg).length, 497);
    assert.ok(svg.includes('Tomato &lt;Cherry&gt; &amp; &quot;Red&quot;'), 'escaped in the markup');
    assert.ok(svg.includes('Pear&apos;s 🍐'));

    const parsed = parseSvg(svg);
    assert.equal(parsed.title, 'PCA <1 & 2>');
    const points = classed(parsed, 'points');
    assert.equal(points.length, 1);
    assert.equal(points[0]!.children.length, 497);
    assert.ok(points[0]!.children.every((child) => child.tag === 'circle'));
    const legend = classed(parsed, 'legend')[0]!
      .children.filter((child) => child.tag === 'text')
      .map((child) => child.text);
    assert.deepEqual(legend, [
      'Labels (points)',
      '(none) (100)',
      'Apple Braeburn (100)',
      `Pear's 🍐 (100)`,
      'Plum 5 (100)',
      'Tomato <Cherry> & "Red" (100)',
    ]);
    assert.ok(parsed.texts.includes('PC 1') && parsed.texts.includes('PC 2'));
    assert.ok(
      parsed.texts.some((text) => text.startsWith('497 points, 5 labels; 3 points skipped (non-finite coordinates)')),
    );

    const image = await rasterise(svg);
    assert.equal(image.blank, false);
    assert.deepEqual([image.width, image.height], [Number(parsed.width), Number(parsed.height)]);
    assert.ok(image.colours > 20, `${image.colours} colours`);
  });

  it('colours each label differently', () => {
    const labels = Array.from({ length: 22 }, (_, i) => `Class ${i}`);
    const svg = renderScatterPlot(clusters(2_200, labels));
    const used = new Set(pointClasses(svg));
    assert.equal(used.size, 22);
    const styles = classStyles(svg);
    const fills = [...used].map((cls) => /fill:(#[0-9a-f]{6})/.exec(styles.get(cls)!)![1]);
    assert.equal(new Set(fills).size, 22, 'distinct fill colours');
  });

  it('subsamples deterministically to maxPoints, keeping every label', () => {
    const labels = Array.from({ length: 40 }, (_, i) => `Class ${i}`);
    const data = clusters(30_000, labels);
    // one tiny class: three points
    data.labels[0] = 'Rare';
    data.labels[1] = 'Rare';
    data.labels[2] = 'Rare';
    const svg = renderScatterPlot({ ...data, maxPoints: 2_000 });
    assert.equal(renderScatterPlot({ ...data, maxPoints: 2_000 }), svg, 'same input, same SVG');
    const classes = pointClasses(svg);
    assert.equal(classes.length, 2_000);
    assert.equal(new Set(classes).size, 41, 'every label drawn');
    assert.ok(svg.includes('2,000 of 30,000 points shown'));
    assert.ok(svg.length < 200_000, `${svg.length} bytes`);
  });

  it('draws points of different labels interleaved', () => {
    const labels = Array.from({ length: 10 }, (_, i) => `Class ${i}`);
    const classes = pointClasses(renderScatterPlot(clusters(5_000, labels)));
    assert.equal(new Set(classes.slice(0, 200)).size, 10);
    assert.equal(new Set(classes.slice(-200)).size, 10);
  });

  it('keeps a legend of 131 labels inside the picture, and sums up what does not fit', async () => {
    const fruits = Array.from({ length: 131 }, (_, i) => `Fruit class with a long name ${i}`);
    const svg = renderScatterPlot(clusters(13_100, fruits));
    const parsed = parseSvg(svg);
    const legend = classed(parsed, 'legend')[0]!.children;
    assert.equal(legend.filter((child) => child.tag === 'circle').length, 131);
    const width = Number(parsed.width);
    const height = Number(parsed.height);
    for (const child of legend) {
      const x = Number(child.attributes.x ?? child.attributes.cx);
      const y = Number(child.attributes.y ?? child.attributes.cy);
      assert.ok(x > 0 && x < width - 100 && y > 0 && y < height, `${child.text} at (${x}, ${y})`);
    }
    assert.ok(width <= 1_600, `${width} px wide`);
    const image = await rasterise(svg);
    assert.equal(image.blank, false);
    assert.equal(image.width, width);

    const many = Array.from({ length: 400 }, (_, i) => `Label ${i}`);
    const crowded = parseSvg(renderScatterPlot(clusters(4_000, many)));
    const texts = classed(crowded, 'legend')[0]!
      .children.filter((child) => child.tag === 'text')
      .map((child) => child.text);
    const shown = texts.length - 2;
    assert.equal(texts.at(-1), `… and ${400 - shown} more labels`);
    assert.ok(shown > 100, `${shown} labels listed`);
  });

  it('draws an empty plot when no point is finite, and rejects mismatched inputs', async () => {
    const svg = renderScatterPlot({ x: [Number.NaN], y: [1], labels: ['a'] });
    assert.equal(pointClasses(svg).length, 0);
    assert.ok(parseSvg(svg).texts.includes('no points with finite coordinates'));
    const image = await rasterise(svg);
    assert.ok(!image.blank && image.colours > 1);
    const isInvalidArgument = (error: unknown): boolean =>
      error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT';
    assert.throws(() => renderScatterPlot({ x: [1, 2], y: [1], labels: ['a', 'b'] }), isInvalidArgument);
    assert.throws(() => renderScatterPlot({ x: [1], y: [1], labels: ['a'], maxPoints: 0 }), isInvalidArgument);
  });
});
