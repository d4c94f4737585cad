/**
 * The PCA statistics of a group of committed partitions (see statistics-groups.ts). A large
 * partition extracted with `run --pca` already has its own file, written beside its shard
 * before it committed; any other group's statistics are computed from its committed shards
 * and stored, so a later fit (or a rerun after a crash) reads them instead of recomputing.
 */
import { readCommitMarker } from '../commit/commit-partition.js';
import { FeatureJobError, isFeatureJobError } from '../errors.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import type { FeatureRows } from '../output/feature-rows.js';
import { readFeatureShard } from '../output/read-feature-shard.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { FeatureStatistics } from './feature-statistics.js';
import { GramAccumulator } from './gram-accumulator.js';
import { decodeStatisticsFile, encodeStatisticsFile } from './statistics-file.js';
import { computeStatisticsKey } from './statistics-keys.js';
import { ownStatisticsMinRows } from './statistics-groups.js';

export interface GroupStatisticsSummary {
  readonly partitions: readonly number[];
  readonly key: string;
  readonly rows: number;
  /** False when the statistics were already stored. */
  readonly computed: boolean;
}

/** Statistics of in-memory rows (a partition's features, just extracted). */
export async function computeRowStatistics(rows: FeatureRows, threads: number): Promise<FeatureStatistics> {
  const accumulator = new GramAccumulator({ dimensions: rows.dimensions, threads });
  try {
    await accumulator.add(rows.features, rows.paths.length);
    return await accumulator.finish();
  } finally {
    await accumulator.close();
  }
}

/** Whether a partition of `rows` rows gets its own statistics file while it is extracted. */
export function wantsOwnStatistics(rows: number, dimensions: number): boolean {
  return rows >= ownStatisticsMinRows(dimensions);
}

/** Makes sure the group's statistics are stored; reads or computes them. */
export async function ensureGroupStatistics(options: {
  readonly output: ObjectStore;
  readonly partitions: readonly number[];
  readonly dimensions: number;
  readonly threads: number;
}): Promise<GroupStatisticsSummary> {
  const { output, partitions, dimensions } = options;
  const markers: CommitMarker[] = [];
  for (const index of partitions) {
    const marker = await readCommitMarker(output, index);
    if (marker === undefined)
      throw new FeatureJobError('FJ_PCA_NO_SHARDS', `partition ${index} of ${output.uri} has not committed`);
    markers.push(marker);
  }
  const rows = markers.reduce((sum, marker) => sum + marker.rows, 0);
  const key = computeStatisticsKey(markers);
  const stored = await readStoredStatistics(output, key);
  if (stored !== undefined && stored.rows === rows && stored.dimensions === dimensions)
    return { partitions, key, rows, computed: false };

  const accumulator = new GramAccumulator({ dimensions, threads: options.threads });
  try {
    for (const marker of markers) {
      const shard = await readFeatureShard(output, marker.shardKey);
      assertWidth(shard.dimensions, dimensions, marker.partition);
      if (shard.paths.length !== marker.rows) {
        throw new FeatureJobError(
          'FJ_OUTPUT_INVALID',
          `${output.uriOf(marker.shardKey)} holds ${shard.paths.length} rows, its commit marker says ${marker.rows}`,
        );
      }
      await accumulator.add(shard.features, shard.paths.length);
    }
    const statistics = await accumulator.finish();
    await output.put(key, encodeStatisticsFile(statistics));
    return { partitions, key, rows, computed: true };
  } finally {
    await accumulator.close();
  }
}

function assertWidth(actual: number, expected: number, partition: number): void {
  if (actual !== expected) {
    throw new FeatureJobError(
      'FJ_PCA_MIXED_DIMENSIONS',
      `partition ${partition} holds ${actual}-dimensional features, the manifest's model ${expected}`,
    );
  }
}

/** Stored statistics, or undefined when they are missing or unreadable (then they are recomputed). */
async function readStoredStatistics(output: ObjectStore, key: string): Promise<FeatureStatistics | undefined> {
  const bytes = await output.getIfExists(key);
  if (bytes === undefined) return undefined;
  try {
    return decodeStatisticsFile(bytes, output.uriOf(key));
  } catch (error) {
    if (isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID') return undefined;
    throw error;
  }
}
