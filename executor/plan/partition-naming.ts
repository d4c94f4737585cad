/**
 * Deterministic names for everything a job writes under the output root. A run brings the
 * table to one version (docs/versions.md): version 0's run state sits directly under
 * `_featurejob/` (the layout of outputs written before versions), version N's under
 * `_featurejob/versions/N/`, so the runs of two versions never share a plan, a marker or an
 * attempt file. Feature files of every version share `features/`, the Delta table's root.
 */
export const CONTROL_PREFIX = '_featurejob';

/** The folder (ending in '/') holding the run state of table version `version`. */
export function versionRoot(version = 0): string {
  return version === 0 ? `${CONTROL_PREFIX}/` : `${CONTROL_PREFIX}/versions/${version}/`;
}

export function partitionName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

export const PLAN_INDEX_KEY = `${CONTROL_PREFIX}/plan.json`;

export function planIndexKey(version = 0): string {
  return `${versionRoot(version)}plan.json`;
}

/**
 * A plan shard: under its plan's id, so two planners racing on one output never overwrite each
 * other's shards (only one plan index is created). Plans written before plan ids had none.
 */
export function planShardKey(index: number, planId?: string, version = 0): string {
  const folder = planId === undefined ? `${versionRoot(version)}plan` : `${versionRoot(version)}plan/${planId}`;
  return `${folder}/${partitionName(index)}.json`;
}

export function commitMarkerKey(index: number, version = 0): string {
  return `${versionRoot(version)}commits/${partitionName(index)}.json`;
}

export const FEATURES_PREFIX = 'features/';

/** The Delta log of the feature table (docs/versions.md). */
export const DELTA_LOG_PREFIX = `${FEATURES_PREFIX}_delta_log/`;

/** Delta commit `version`: `_delta_log/` + the version zero-padded to 20 digits + `.json`. */
export function deltaCommitKey(version: number): string {
  return `${DELTA_LOG_PREFIX}${String(version).padStart(20, '0')}.json`;
}

/** Version N >= 1 prefixes its feature files with `vN-`, so clean-up of one version never matches another's. */
export function versionFilePrefix(version = 0): string {
  return version === 0 ? '' : `v${version}-`;
}

export function shardKey(index: number, attempt: string, extension: 'parquet' | 'csv', version = 0): string {
  return `${FEATURES_PREFIX}${versionFilePrefix(version)}${partitionName(index)}-${attempt}.${extension}`;
}

/**
 * A data file rewritten by version `version` without the rows that changed or disappeared
 * (copy-on-write): named by the file it replaces, so a retried merge writes the same key.
 */
export function rewrittenShardKey(version: number, replacedDigest: string): string {
  return `${FEATURES_PREFIX}${versionFilePrefix(version)}rewrite-${replacedDigest}.parquet`;
}

export const ATTEMPT_ERRORS_PREFIX = `${CONTROL_PREFIX}/errors/`;

export function attemptErrorsPrefix(version = 0): string {
  return `${versionRoot(version)}errors/`;
}

export function attemptErrorsKey(index: number, attempt: string, version = 0): string {
  return `${attemptErrorsPrefix(version)}${partitionName(index)}-${attempt}.jsonl`;
}

/** The manifest of one version, kept readable after later versions replace `manifest.json`. */
export function versionManifestKey(version: number): string {
  return `${versionRoot(version)}manifest.json`;
}

/** Every image that failed and is still in the input, as of `version` (its errors.jsonl). */
export function versionErrorsKey(version: number): string {
  return `${versionRoot(version)}errors.jsonl`;
}

/** The table's image index as of `version`: one line per image, sorted by path (docs/versions.md). */
export function imageIndexShardKey(version: number, shard: number): string {
  return `${versionRoot(version)}images/${partitionName(shard)}.jsonl`;
}

/** Keys the plan of `version` found gone from the input, sorted: their rows leave the table. */
export function removedKeysKey(version: number): string {
  return `${versionRoot(version)}removed.jsonl`;
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

/**
 * Log tails that failed attempts leave for people (docs/reliability.md, "Logs outlive pods"),
 * of every table version. Clean-up never deletes them: parse-attempt-file-key.ts does not match them.
 */
export const LOGS_PREFIX = `${CONTROL_PREFIX}/logs/`;

/** The log of a failed extraction attempt: `part-NNNNN-<attempt>.log` (`vN-part-…` for version N). */
export function partitionLogKey(index: number, attempt: string, version = 0): string {
  return `${LOGS_PREFIX}${versionFilePrefix(version)}${partitionName(index)}-${attempt}.log`;
}

/** The log of a failed plan or PCA task: `<task>-<attempt>.log`, `<task>-part-NNNNN-<attempt>.log` when indexed. */
export function taskLogKey(task: string, attempt: string, index?: number): string {
  return `${LOGS_PREFIX}${task}-${index === undefined ? '' : `${partitionName(index)}-`}${attempt}.log`;
}
