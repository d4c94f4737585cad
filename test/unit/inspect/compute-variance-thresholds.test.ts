import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeCumulativeVariance,
  computeVarianceThresholds,
  formatPercent,
  formatVarianceThreshold,
} from '../../../executor/inspect/compute-variance-thresholds.js';
import { FeatureJobError } from '../../../executor/errors.js';

const isInvalidArgument = (error: unknown): boolean =>
  error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT';

describe('variance thresholds', () => {
  it('sums the ratios component by component', () => {
    const cumulative = computeCumulativeVariance([0.5, 0.3, 0.12, 0.05, 0.02, 0.01]);
    [0.5, 0.8, 0.92, 0.97, 0.99, 1].forEach((expected, i) =>
      assert.ok(Math.abs(cumulative[i]! - expected) < 1e-12, `${i}`),
    );
    assert.deepEqual(computeCumulativeVariance([]), []);
  });

  it('finds the first component reaching each target', () => {
    // cumulative 0.5, 0.8, 0.92, 0.97, 0.99, 1.0
    const thresholds = computeVarianceThresholds({ explainedVarianceRatio: [0.5, 0.3, 0.12, 0.05, 0.02, 0.01] });
    assert.deepEqual(thresholds, [
      { target: 0.9, components: 3 },
      { target: 0.95, components: 4 },
      { target: 0.99, components: 5 },
    ]);
  });

  it('counts a float sum a hair below a target as reaching it', () => {
    // 0.6 + 0.3 = 0.8999999999999999 in floating point
    assert.ok(0.6 + 0.3 < 0.9);
    assert.deepEqual(computeVarianceThresholds({ explainedVarianceRatio: [0.6, 0.3], targets: [0.9] }), [
      { target: 0.9, components: 2 },
    ]);
    assert.deepEqual(computeVarianceThresholds({ explainedVarianceRatio: [0.6, 0.2999], targets: [0.9] }), [
      { target: 0.9, components: undefined },
    ]);
  });

  it('reports targets the fitted components do not reach as not within the fitted', () => {
    // 5 fitted components explain 0.4 + 0.2 + 0.1 + 0.05 + 0.05 = 0.8 of the variance
    const thresholds = computeVarianceThresholds({ explainedVarianceRatio: [0.4, 0.2, 0.1, 0.05, 0.05] });
    assert.deepEqual(
      thresholds.map((t) => t.components),
      [undefined, undefined, undefined],
    );
    assert.equal(formatVarianceThreshold(thresholds[0]!, 5), '90 %: not within the 5 fitted');
    const reached = computeVarianceThresholds({ explainedVarianceRatio: [0.85, 0.1, 0.05], targets: [0.5, 0.9] });
    assert.deepEqual(
      reached.map((t) => formatVarianceThreshold(t, 3)),
      ['50 %: 1 component', '90 %: 2 components'],
    );
  });

  it('rejects negative or non-finite ratios and targets outside (0, 1]', () => {
    assert.throws(() => computeCumulativeVariance([0.5, -0.1]), isInvalidArgument);
    assert.throws(() => computeCumulativeVariance([Number.NaN]), isInvalidArgument);
    assert.throws(() => computeVarianceThresholds({ explainedVarianceRatio: [1], targets: [0] }), isInvalidArgument);
    assert.throws(() => computeVarianceThresholds({ explainedVarianceRatio: [1], targets: [1.5] }), isInvalidArgument);
  });

  it('formats shares as percentages with at most two decimals', () => {
    assert.deepEqual([0.95, 0.9876, 0.123456, 1, 0].map(formatPercent), ['95 %', '98.76 %', '12.35 %', '100 %', '0 %']);
  });
});
