/**
 * Fits PCA from merged statistics: covariance C = (XᵀX − s sᵀ / n) / (n − 1), then its exact
 * eigen-decomposition. Explained variance, ratios, singular values and noise variance follow
 * scikit-learn's definitions, so a fitted model reads like `sklearn.decomposition.PCA`'s.
 */
import { FeatureJobError } from '../errors.js';
import { packedIndex, type FeatureStatistics } from './feature-statistics.js';
import type { PcaModel } from './pca-model.js';
import { symmetricEigen } from './symmetric-eigen.js';

export interface FitPcaOptions {
  readonly components: number;
  readonly whiten: boolean;
}

/** Throws FJ_PCA_INVALID_COMPONENTS unless 1 ≤ K ≤ min(rows, dimensions). */
export function assertComponentsFit(components: number, rows: number, dimensions: number): void {
  if (!Number.isInteger(components) || components < 1) {
    throw new FeatureJobError('FJ_PCA_INVALID_COMPONENTS', `--pca must be a whole number ≥ 1, got ${components}`);
  }
  if (components > dimensions) {
    throw new FeatureJobError(
      'FJ_PCA_INVALID_COMPONENTS',
      `--pca ${components} exceeds the ${dimensions} feature dimensions`,
    );
  }
  if (components > rows) {
    throw new FeatureJobError(
      'FJ_PCA_INVALID_COMPONENTS',
      `--pca ${components} exceeds the ${rows} feature rows: at most ${rows} components exist`,
    );
  }
}

export function fitPca(statistics: FeatureStatistics, options: FitPcaOptions): PcaModel {
  const { dimensions: d, rows: n, sums, gram } = statistics;
  if (n === 0) throw new FeatureJobError('FJ_PCA_NO_SHARDS', 'no feature rows to fit PCA on');
  const k = options.components;
  assertComponentsFit(k, n, d);

  const mean = new Float64Array(d);
  for (let i = 0; i < d; i++) mean[i] = sums[i]! / n;
  const denominator = Math.max(1, n - 1);
  const covariance = new Float64Array(d * d);
  let totalVariance = 0;
  for (let i = 0; i < d; i++) {
    const base = packedIndex(i, i, d) - i;
    const si = sums[i]!;
    for (let j = i; j < d; j++) {
      const value = (gram[base + j]! - (si * sums[j]!) / n) / denominator;
      covariance[i * d + j] = value;
      covariance[j * d + i] = value;
    }
    totalVariance += Math.max(0, covariance[i * d + i]!);
  }

  const eigen = symmetricEigen(covariance, d, k);
  // Rounding can leave eigenvalues of a singular covariance a hair below zero.
  const spectrum = Array.from(eigen.values, (value) => Math.max(0, value));
  const explainedVariance = spectrum.slice(0, k);
  if (options.whiten) {
    const flat = explainedVariance.findIndex((value) => value <= Number.EPSILON * (spectrum[0] ?? 0));
    if (flat !== -1) {
      throw new FeatureJobError(
        'FJ_PCA_INVALID_COMPONENTS',
        `component ${flat + 1} of ${k} has (numerically) zero variance, so it cannot be whitened: fit fewer components`,
      );
    }
  }
  const ratio = (value: number): number => (totalVariance > 0 ? value / totalVariance : 0);
  const rest = spectrum.slice(k, Math.min(n, d));
  return {
    version: 1,
    rows: n,
    dimensions: d,
    components: k,
    whiten: options.whiten,
    mean: Array.from(mean),
    componentVectors: Array.from({ length: k }, (_, c) => Array.from(eigen.vectors.subarray(c * d, (c + 1) * d))),
    explainedVariance,
    explainedVarianceRatio: explainedVariance.map(ratio),
    singularValues: explainedVariance.map((value) => Math.sqrt(value * denominator)),
    noiseVariance: rest.length === 0 ? 0 : rest.reduce((a, b) => a + b, 0) / rest.length,
    totalVariance,
    spectrumRatio: spectrum.map(ratio),
  };
}
