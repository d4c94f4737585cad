/**
 * The sufficient statistics of PCA over a set of feature rows, as Spark's RowMatrix keeps
 * them: the row count, the column sums and the Gram matrix XᵀX, all in float64. Statistics of
 * disjoint row sets add up, so each partition computes its own where its features are and
 * the fit only sums them. The Gram matrix is symmetric, so only its upper triangle is kept,
 * packed row by row: (i, j) with j ≥ i sits at `packedIndex(i, j, d)`.
 */
import { FeatureJobError } from '../errors.js';

export interface FeatureStatistics {
  readonly dimensions: number;
  rows: number;
  /** d column sums. */
  readonly sums: Float64Array;
  /** d(d+1)/2 values: the upper triangle of XᵀX, row-major. */
  readonly gram: Float64Array;
}

export function packedLength(dimensions: number): number {
  return (dimensions * (dimensions + 1)) / 2;
}

/** Where (i, j), j ≥ i, of a d×d symmetric matrix lives in its packed upper triangle. */
export function packedIndex(i: number, j: number, dimensions: number): number {
  return i * dimensions - (i * (i - 1)) / 2 + (j - i);
}

export function createEmptyStatistics(dimensions: number): FeatureStatistics {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `statistics need a positive whole number of dimensions, got ${dimensions}`,
    );
  }
  return { dimensions, rows: 0, sums: new Float64Array(dimensions), gram: new Float64Array(packedLength(dimensions)) };
}

/** Adds `source` into `target` (statistics of disjoint rows); both must have the same width. */
export function addStatistics(target: FeatureStatistics, source: FeatureStatistics): void {
  if (source.dimensions !== target.dimensions) {
    throw new FeatureJobError(
      'FJ_PCA_MIXED_DIMENSIONS',
      `features of ${source.dimensions} dimensions cannot be combined with features of ${target.dimensions}`,
    );
  }
  target.rows += source.rows;
  const { sums, gram } = target;
  for (let i = 0; i < sums.length; i++) sums[i]! += source.sums[i]!;
  for (let i = 0; i < gram.length; i++) gram[i]! += source.gram[i]!;
}
