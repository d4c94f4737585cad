/** Deterministic names for everything a partition writes under the output root. */
export const CONTROL_PREFIX = '_featurejob';

export function partitionName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

export const PLAN_INDEX_KEY = `${CONTROL_PREFIX}/plan.json`;

/**
 * A plan shard: under its plan's id, so two planners racing on one output never overwrite each
 * other's shards (only one plan index is created). Plans written before plan ids had none.
 */
export function planShardKey(index: number, planId?: string): string {
  const folder = planId === undefined ? `${CONTROL_PREFIX}/plan` : `${CONTROL_PREFIX}/plan/${planId}`;
  return `${folder}/${partitionName(index)}.json`;
}

export function commitMarkerKey(index: number): string {
  return `${CONTROL_PREFIX}/commits/${partitionName(index)}.json`;
}

export const FEATURES_PREFIX = 'features/';

export function shardKey(index: number, attempt: string, extension: 'parquet' | 'csv'): string {
  return `${FEATURES_PREFIX}${partitionName(index)}-${attempt}.${extension}`;
}

export const ATTEMPT_ERRORS_PREFIX = `${CONTROL_PREFIX}/errors/`;

export function attemptErrorsKey(index: number, attempt: string): string {
  return `${ATTEMPT_ERRORS_PREFIX}${partitionName(index)}-${attempt}.jsonl`;
}

export const MANIFEST_KEY = 'manifest.json';
export const ERRORS_KEY = 'errors.jsonl';

/** PCA statistics of a partition, written by the attempt that computed them (see reduce/). */
export const PCA_STATISTICS_PREFIX = `${CONTROL_PREFIX}/pca-statistics/`;

export function statisticsKey(index: number, attempt: string): string {
  return `${PCA_STATISTICS_PREFIX}${partitionName(index)}-${attempt}.f64`;
}

/** PCA statistics of a group of small partitions, named by its range and their committed attempts. */
export function groupStatisticsKey(first: number, last: number, attemptsDigest: string): string {
  return `${PCA_STATISTICS_PREFIX}${partitionName(first)}-to-${String(last).padStart(5, '0')}-${attemptsDigest}.f64`;
}

export const PCA_PREFIX = 'pca/';
export const PCA_MODEL_KEY = `${PCA_PREFIX}model.json`;

/** The reduced shard of a partition: deterministic, so a rerun of the projection overwrites it. */
export function reducedShardKey(index: number): string {
  return `${PCA_PREFIX}${partitionName(index)}.parquet`;
}
