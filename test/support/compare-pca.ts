import assert from 'node:assert/strict';
import type { PcaModel } from '../../executor/reduce/pca-model.js';
import type { PcaReference } from './pca-reference.js';

/** The tolerances issue 7 sets against a float64 reference. */
export const PCA_TOLERANCE = { variance: 1e-6, component: 1e-6, projected: 1e-4 } as const;

/**
 * Asserts a fitted model equals the reference: explained variance (and ratio) within 1e-6
 * relative, components equal up to sign within 1e-6. Returns each component's sign relative
 * to the reference (+1 or −1), to compare projections with.
 */
export function assertModelMatchesReference(model: PcaModel, reference: PcaReference): number[] {
  const k = reference.explainedVariance.length;
  assert.equal(model.components, k);
  for (let c = 0; c < k; c++) {
    const relative = (ours: number, theirs: number): number => Math.abs(ours - theirs) / Math.abs(theirs);
    assert.ok(
      relative(model.explainedVariance[c]!, reference.explainedVariance[c]!) <= PCA_TOLERANCE.variance,
      `explained variance ${c + 1}: ${model.explainedVariance[c]} vs ${reference.explainedVariance[c]}`,
    );
    assert.ok(
      relative(model.explainedVarianceRatio[c]!, reference.explainedVarianceRatio[c]!) <= PCA_TOLERANCE.variance,
      `ratio ${c + 1}: ${model.explainedVarianceRatio[c]} vs ${reference.explainedVarianceRatio[c]}`,
    );
  }
  for (let i = 0; i < reference.mean.length; i++)
    assert.ok(Math.abs(model.mean[i]! - reference.mean[i]!) <= 1e-9 * (1 + Math.abs(reference.mean[i]!)), `mean ${i}`);
  return reference.components.map((theirs, c) => {
    const ours = model.componentVectors[c]!;
    const dot = ours.reduce((sum, value, i) => sum + value * theirs[i]!, 0);
    const sign = dot < 0 ? -1 : 1;
    const worst = Math.max(...ours.map((value, i) => Math.abs(sign * value - theirs[i]!)));
    assert.ok(worst <= PCA_TOLERANCE.component, `component ${c + 1} differs by up to ${worst} from numpy's`);
    return sign;
  });
}

/**
 * Projected rows equal the reference's (up to each component's sign) within 1e-4, relative to
 * the component's scale (its largest |value|, at least 1): they are stored as float32, whose
 * rounding alone is 6e-8 of the value.
 */
export function assertProjectionMatches(
  projected: ReadonlyMap<string, Float32Array>,
  paths: readonly string[],
  reference: PcaReference,
  signs: readonly number[],
): void {
  const scale = signs.map((_, c) => Math.max(1, ...reference.projected.map((row) => Math.abs(row[c]!))));
  let worst = 0;
  paths.forEach((path, row) => {
    const ours = projected.get(path);
    assert.ok(ours !== undefined, `${path} has a reduced row`);
    reference.projected[row]!.forEach((theirs, c) => {
      worst = Math.max(worst, Math.abs(signs[c]! * ours[c]! - theirs) / scale[c]!);
    });
  });
  assert.ok(worst <= PCA_TOLERANCE.projected, `projected values differ by up to ${worst}`);
}
