/**
 * The `pca-statistics` task, one index per statistics group: makes sure the group's statistics
 * file exists. The groups and their keys are derived from manifest.json alone, so every process
 * (a local worker, a pod, the fit) agrees on them; a file written during extraction, or by an
 * earlier attempt, is read and kept, so a rerun is cheap.
 */
import { FeatureJobError } from '../errors.js';
import type { Manifest } from '../output/manifest-schema.js';
import { ensureGroupStatistics } from '../reduce/partition-statistics.js';
import type { KeyedStatisticsGroup } from '../reduce/statistics-keys.js';
import { computeKeyedStatisticsGroups } from '../reduce/statistics-keys.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface PcaStatisticsResult {
  readonly mode: 'pca-statistics';
  /** The statistics group (the task index). */
  readonly index: number;
  readonly partitions: readonly number[];
  readonly key: string;
  readonly rows: number;
  /** False when the file was already stored (written during extraction or by an earlier attempt). */
  readonly computed: boolean;
}

export async function ensurePcaStatistics(options: {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  readonly index: number;
  readonly threads: number;
}): Promise<PcaStatisticsResult> {
  const { output, manifest, index } = options;
  const groups = computeKeyedStatisticsGroups(manifest);
  const group = groups[index];
  if (group === undefined) {
    throw new FeatureJobError(
      'FJ_INVALID_CONFIG',
      `statistics group ${index} does not exist (the manifest gives ${groups.length})`,
    );
  }
  const summary = await ensureStatisticsOfGroup({ output, manifest, group, threads: options.threads });
  return {
    mode: 'pca-statistics',
    index,
    partitions: group.partitions,
    key: summary.key,
    rows: summary.rows,
    computed: summary.computed,
  };
}

/**
 * ensureGroupStatistics for a group derived from the manifest, checking that the commit
 * markers it reads name the same attempts as the manifest (they always do: the manifest is
 * made from them), so the file lands exactly where the fit will look for it.
 */
export async function ensureStatisticsOfGroup(options: {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  readonly group: KeyedStatisticsGroup;
  readonly threads: number;
}): Promise<{ readonly key: string; readonly rows: number; readonly computed: boolean }> {
  const { output, manifest, group } = options;
  const summary = await ensureGroupStatistics({
    output,
    partitions: group.partitions,
    dimensions: manifest.model.dimensions,
    threads: options.threads,
  });
  if (summary.key !== group.key || summary.rows !== group.rows) {
    throw new FeatureJobError(
      'FJ_OUTPUT_INVALID',
      `the commit markers of partitions ${group.partitions.join(',')} disagree with ${output.uri}'s manifest ` +
        `(${summary.key}, ${summary.rows} rows against ${group.key}, ${group.rows} rows)`,
    );
  }
  return summary;
}
