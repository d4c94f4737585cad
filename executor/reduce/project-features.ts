/**
 * Projects feature rows onto a fitted model's components: y = (x − mean) · componentsᵀ, each
 * component divided by √explainedVariance when the model whitens. Computed in float64 and
 * stored as float32, as the reduced shards hold them.
 */
import { FeatureJobError } from '../errors.js';
import type { PcaModel } from './pca-model.js';

export class PcaProjector {
  readonly dimensions: number;
  readonly components: number;
  private readonly mean: Float64Array;
  /** K × d, row-major, already divided by the whitening scale. */
  private readonly basis: Float64Array;
  private readonly centred: Float64Array;

  constructor(model: PcaModel) {
    const { dimensions: d, components: k } = model;
    this.dimensions = d;
    this.components = k;
    this.mean = Float64Array.from(model.mean);
    this.basis = new Float64Array(k * d);
    this.centred = new Float64Array(d);
    model.componentVectors.forEach((vector, c) => {
      const scale = model.whiten ? 1 / Math.sqrt(model.explainedVariance[c]!) : 1;
      for (let i = 0; i < d; i++) this.basis[c * d + i] = vector[i]! * scale;
    });
  }

  /** `features` holds rows × dimensions values; returns rows × components. */
  project(features: Float32Array): Float32Array {
    const { dimensions: d, components: k, mean, basis, centred } = this;
    if (features.length % d !== 0) {
      throw new FeatureJobError(
        'FJ_PCA_MIXED_DIMENSIONS',
        `the model projects ${d}-dimensional features; got ${features.length} values, not a multiple of ${d}`,
      );
    }
    const rows = features.length / d;
    const out = new Float32Array(rows * k);
    for (let row = 0; row < rows; row++) {
      const start = row * d;
      for (let i = 0; i < d; i++) centred[i] = features[start + i]! - mean[i]!;
      for (let c = 0; c < k; c++) {
        const offset = c * d;
        let sum = 0;
        for (let i = 0; i < d; i++) sum += centred[i]! * basis[offset + i]!;
        out[row * k + c] = sum;
      }
    }
    return out;
  }
}
