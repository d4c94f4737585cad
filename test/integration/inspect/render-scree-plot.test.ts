import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderScreePlot } from '../../../executor/inspect/render-scree-plot.js';
import { FeatureJobError } from '../../../executor/errors.js';
import { classed, parseSvg, rasterise, type ParsedSvg } from './svg-checks.js';

// cumulative 0.5, 0.8, 0.92, 0.97, 0.99, 1.0: 90 % at 3, 95 % at 4, 99 % at 5
const KNOWN = [0.5, 0.3, 0.12, 0.05, 0.02, 0.01];

/** A decaying spectrum of `d` ratios summing to 1. */
function spectrum(d: number, scale: number): number[] {
  const raw = Array.from({ length: d }, (_, i) => Math.exp(-i / scale));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((value) => value / total);
}

/** Centre x of each bar, in component order. */
function barCentres(parsed: ParsedSvg): number[] {
  return [...classed(parsed, 'shares'), ...classed(parsed, 'shares-dropped')]
    .flatMap((group) => group.children)
    .map((rect) => Number(rect.attributes.x) + Number(rect.attributes.width) / 2);
}

/** Target, component and the marker's centre x for each threshold drawn. */
function markers(parsed: ParsedSvg): Array<{ target: number; component: number; x: number }> {
  return classed(parsed, 'threshold').map((group) => {
    const path = group.children.find((child) => child.tag === 'path')!;
    const [, top] = /^M([-\d.]+) /.exec(path.attributes.d!)!;
    return {
      target: Number(group.attributes['data-target']),
      component: Number(group.attributes['data-component']),
      x: Number(top),
    };
  });
}

const isInvalidArgument = (error: unknown): boolean =>
  error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT';

describe('renderScreePlot', () => {
  it('marks 90, 95 and 99 % at the components that reach them', async () => {
    const svg = renderScreePlot({ explainedVarianceRatio: KNOWN, fitted: 4, title: 'Scree <test> & "more"' });
    const parsed = parseSvg(svg);
    assert.equal(parsed.title, 'Scree <test> & "more"');
    const centres = barCentres(parsed);
    assert.equal(centres.length, 6);
    const found = markers(parsed);
    assert.deepEqual(
      found.map(({ target, component }) => [target, component]),
      [
        [0.9, 3],
        [0.95, 4],
        [0.99, 5],
      ],
    );
    for (const marker of found)
      assert.ok(
        Math.abs(marker.x - centres[marker.component - 1]!) < 0.01,
        `marker for ${marker.target} over bar ${marker.component}`,
      );
    assert.equal(classed(parsed, 'guide').length, 3);
    assert.equal(classed(parsed, 'shares')[0]!.children.length, 4, 'four kept components');
    assert.equal(classed(parsed, 'shares-dropped')[0]!.children.length, 2);
    assert.equal(classed(parsed, 'fitted').length, 1, 'the fitted boundary');
    assert.ok(parsed.texts.includes('Components to reach 90 %: 3 · 95 %: 4 · 99 %: 5.'));
    assert.ok(parsed.texts.includes('4 fitted'));

    const image = await rasterise(svg);
    assert.equal(image.blank, false);
    assert.deepEqual([image.width, image.height], [Number(parsed.width), Number(parsed.height)]);
    assert.ok(image.colours > 10, `${image.colours} colours`);
  });

  it('shows the leading 100 of 4,096 components in a small file and says so', async () => {
    const ratios = spectrum(4_096, 30);
    const svg = renderScreePlot({ explainedVarianceRatio: ratios, fitted: 50 });
    assert.ok(svg.length < 200_000, `${svg.length} bytes`);
    const parsed = parseSvg(svg);
    assert.equal(barCentres(parsed).length, 100);
    assert.equal(classed(parsed, 'shares')[0]!.children.length, 50);
    const caption = parsed.texts.filter((text) => text.startsWith('The first 100 of 4,096 components shown'));
    assert.equal(caption.length, 1);
    // cumulative of a geometric spectrum: 1 - q^k with q = e^(-1/30) (the tail past 4,096 is negligible)
    const reach = (share: number): number => Math.ceil(Math.log(1 - share) / (-1 / 30) - 1e-9);
    const expected = [0.9, 0.95, 0.99].map(reach);
    const found = markers(parsed);
    assert.deepEqual(
      found.map((marker) => marker.component),
      expected.filter((c) => c <= 100),
    );
    for (const c of expected.filter((c) => c > 100))
      assert.ok(
        parsed.texts.some((text) => text.includes(`: ${c} (not shown)`)),
        `${c} beyond the shown range`,
      );
    const image = await rasterise(svg);
    assert.ok(!image.blank && image.colours > 10);
  });

  it('draws a line instead of bars for many components, without a fitted mark when all are kept', async () => {
    const ratios = spectrum(1_000, 100);
    const svg = renderScreePlot({ explainedVarianceRatio: ratios, fitted: 1_000, maxComponents: 2_000 });
    const parsed = parseSvg(svg);
    assert.equal(barCentres(parsed).length, 0);
    assert.equal(classed(parsed, 'shares').length, 1);
    assert.equal(classed(parsed, 'shares')[0]!.tag, 'polyline');
    assert.equal(classed(parsed, 'fitted').length, 0);
    assert.ok(parsed.texts.some((text) => text.startsWith('All 1,000 components shown; the fitted model kept all')));
    assert.equal(markers(parsed).length, 3);
    const image = await rasterise(svg);
    assert.ok(!image.blank && image.colours > 10);
  });

  it('says when the fitted components do not reach a target', () => {
    const parsed = parseSvg(renderScreePlot({ explainedVarianceRatio: [0.6, 0.2, 0.1], fitted: 3 }));
    assert.deepEqual(
      markers(parsed).map((marker) => marker.component),
      [3],
    );
    assert.ok(
      parsed.texts.includes(
        'Components to reach 90 %: 3 · 95 %: not within the 3 fitted · 99 %: not within the 3 fitted.',
      ),
    );
  });

  it('rejects an empty spectrum and impossible counts', () => {
    assert.throws(() => renderScreePlot({ explainedVarianceRatio: [], fitted: 1 }), isInvalidArgument);
    assert.throws(() => renderScreePlot({ explainedVarianceRatio: KNOWN, fitted: 0 }), isInvalidArgument);
    assert.throws(() => renderScreePlot({ explainedVarianceRatio: KNOWN, fitted: 7 }), isInvalidArgument);
    assert.throws(
      () => renderScreePlot({ explainedVarianceRatio: KNOWN, fitted: 2, maxComponents: 0 }),
      isInvalidArgument,
    );
    assert.throws(() => renderScreePlot({ explainedVarianceRatio: [0.5, -0.1], fitted: 2 }), isInvalidArgument);
  });
});
