import { FeatureJobError } from '../errors.js';

/**
 * The results of one partition held in memory: one row per image that produced features.
 * Features live in one row-major Float32Array so that writers can hand the buffer to Arrow
 * (or format it) without creating a JS object per value.
 */
export interface FeatureRows {
  /** Relative to the input prefix, '/'-separated, e.g. `Plum 5/r0_12.jpg`. */
  paths: string[];
  /** `labelOf(path)` for each path. */
  labels: string[];
  /** rows × dimensions values; row i is `features.subarray(i * dimensions, (i + 1) * dimensions)`. */
  features: Float32Array;
  dimensions: number;
}

/**
 * The class label of an image: the first '/'-separated segment of its path relative to the
 * input prefix (`Plum 5/r0_12.jpg` -> `Plum 5`). A file directly under the prefix has no class
 * directory, so its label is the empty string: the column stays non-null and a reader can
 * tell "unlabelled" apart from any real directory name (which is never empty).
 */
export function labelOf(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Number of rows, derived from the paths (the one list every row has). */
export function rowCountOf(rows: FeatureRows): number {
  return rows.paths.length;
}

/**
 * Builds FeatureRows from paths and their features, deriving the labels. Throws
 * FJ_INVALID_ARGUMENT when the features do not hold exactly `paths.length × dimensions` values.
 */
export function buildFeatureRows(options: {
  paths: string[];
  features: Float32Array;
  dimensions: number;
}): FeatureRows {
  const rows: FeatureRows = {
    paths: options.paths,
    labels: options.paths.map(labelOf),
    features: options.features,
    dimensions: options.dimensions,
  };
  assertFeatureRowsShape(rows);
  return rows;
}

/** FeatureRows with no rows, e.g. for a partition whose every image failed. */
export function buildEmptyFeatureRows(dimensions: number): FeatureRows {
  return buildFeatureRows({ paths: [], features: new Float32Array(0), dimensions });
}

/** Throws FJ_INVALID_ARGUMENT unless paths, labels and features agree on the row count. */
export function assertFeatureRowsShape(rows: FeatureRows): void {
  const count = rows.paths.length;
  if (!Number.isSafeInteger(rows.dimensions) || rows.dimensions <= 0) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `feature dimensions must be a positive integer, got ${rows.dimensions}`,
    );
  }
  if (rows.labels.length !== count) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `${count} paths but ${rows.labels.length} labels`);
  }
  if (rows.features.length !== count * rows.dimensions) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `${count} rows of ${rows.dimensions} dimensions need ${count * rows.dimensions} values, got ${rows.features.length}`,
    );
  }
}
