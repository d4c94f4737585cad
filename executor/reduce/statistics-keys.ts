/**
 * Where each statistics group's file lives. A key names the group's partitions and their
 * committed attempts, so a rerun reuses it and a changed grouping or a re-extracted partition
 * never reads a stale one. The attempts are recorded in the manifest (each partition's `uri`
 * is its committed shard, whose key carries the attempt), so the keys are a pure function of
 * manifest.json: a fit pod finds every group's file without talking to the pods that wrote them.
 */
import { createHash } from 'node:crypto';
import { FeatureJobError } from '../errors.js';
import type { Manifest, ManifestPartition } from '../output/manifest-schema.js';
import {
  FEATURES_PREFIX,
  PCA_STATISTICS_PREFIX,
  groupStatisticsKey,
  partitionName,
  shardKey,
  statisticsKey,
} from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { groupPartitionsForStatistics, type StatisticsGroup } from './statistics-groups.js';

/** A partition's committed attempt, as its commit marker names it. */
export interface CommittedAttempt {
  readonly partition: number;
  readonly attempt: string;
}

export interface KeyedStatisticsGroup extends StatisticsGroup {
  /** Where the group's statistics file is (or will be) stored. */
  readonly key: string;
}

/**
 * The statistics key of a group (ascending partitions): a lone partition keeps the key its
 * extraction attempt writes (`statisticsKey`), a group is named by its range and a digest of
 * its members' attempts.
 */
export function computeStatisticsKey(members: readonly CommittedAttempt[]): string {
  const first = members[0];
  if (first === undefined)
    throw new FeatureJobError('FJ_PCA_NO_SHARDS', 'a statistics group needs at least one partition');
  if (members.length === 1) return statisticsKey(first.partition, first.attempt);
  const digest = createHash('sha256')
    .update(members.map((member) => `${member.partition}:${member.attempt}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return groupStatisticsKey(first.partition, members[members.length - 1]!.partition, digest);
}

/**
 * The committed attempt of a manifest partition, read back from its shard URI (the inverse of
 * `shardKey`, checked by rebuilding the key). Throws FJ_MANIFEST_INVALID when the URI does not
 * name a featurejob shard.
 */
export function computeCommittedAttempt(
  partition: ManifestPartition,
  format: Manifest['output']['format'],
): CommittedAttempt {
  const stem = `${FEATURES_PREFIX}${partitionName(partition.index)}-`;
  const start = partition.uri.lastIndexOf(stem);
  const extension = `.${format}`;
  if (start !== -1 && partition.uri.endsWith(extension)) {
    const attempt = partition.uri.slice(start + stem.length, partition.uri.length - extension.length);
    if (attempt !== '' && partition.uri.endsWith(shardKey(partition.index, attempt, format)))
      return { partition: partition.index, attempt };
  }
  throw new FeatureJobError(
    'FJ_MANIFEST_INVALID',
    `partition ${partition.index}'s uri ${partition.uri} does not name a committed ${format} shard`,
  );
}

/**
 * Every statistics group of a finished output with its key, in group order (the order of the
 * statistics tasks' completion indexes). Deterministic: the same manifest (and the same
 * FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS) gives the same groups and keys in every process.
 */
export function computeKeyedStatisticsGroups(manifest: Manifest): KeyedStatisticsGroup[] {
  const byIndex = new Map(manifest.partitions.map((partition) => [partition.index, partition]));
  return groupPartitionsForStatistics(manifest.partitions, manifest.model.dimensions).map((group) => ({
    ...group,
    key: computeStatisticsKey(
      group.partitions.map((index) => computeCommittedAttempt(byIndex.get(index)!, manifest.output.format)),
    ),
  }));
}

/** The statistics keys of a finished output, in group order. */
export function computeGroupStatisticsKeys(manifest: Manifest): string[] {
  return computeKeyedStatisticsGroups(manifest).map((group) => group.key);
}

/**
 * Deletes the statistics of earlier groupings or of attempts that lost (never read again) and
 * returns the keys of `keep` that are not stored and how many files it deleted: one listing
 * of the statistics prefix.
 */
export async function deleteStaleStatistics(
  output: ObjectStore,
  keep: readonly string[],
): Promise<{ missing: string[]; deleted: number }> {
  const wanted = new Set(keep);
  const found = new Set<string>();
  let deleted = 0;
  for await (const object of output.list(PCA_STATISTICS_PREFIX)) {
    if (wanted.has(object.key)) {
      found.add(object.key);
    } else {
      await output.delete(object.key);
      deleted += 1;
    }
  }
  return { missing: keep.filter((key) => !found.has(key)), deleted };
}
