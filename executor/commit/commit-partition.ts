import { createHash } from 'node:crypto';
import { FeatureJobError } from '../errors.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import { CommitMarkerSchema } from '../output/commit-marker-schema.js';
import { shardPrecisionFields, type ShardPrecision } from '../output/shard-precision.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';
import { commitMarkerKey } from '../plan/partition-naming.js';

export interface AttemptOutput {
  readonly index: number;
  readonly attempt: string;
  /** The plan the partition belongs to; the merge refuses markers of another plan. */
  readonly planId?: string;
  /** The table version whose run this is (default 0): it names the marker's folder. */
  readonly version?: number;
  readonly shardKey: string;
  readonly shard: Uint8Array;
  readonly errorsKey: string;
  readonly errorLines: string;
  readonly rows: number;
  readonly failed: number;
  readonly failuresByCode: Record<string, number>;
  /** What the shard was made with; recorded in the marker. */
  readonly precision: ShardPrecision;
  /** More files of the attempt (its PCA statistics), written before the marker like the shard. */
  readonly sideFiles?: ReadonlyArray<{ readonly key: string; readonly body: Uint8Array }>;
  readonly now?: () => Date;
}

export type CommitOutcome =
  | { readonly outcome: 'committed'; readonly marker: CommitMarker }
  | { readonly outcome: 'lost'; readonly marker: CommitMarker };

/**
 * Exactly-once output commit, like Spark's output commit coordinator: write the attempt's
 * files under attempt-specific keys, then race for the partition's commit marker with a
 * create-only write. The first attempt to create it wins; a losing attempt deletes its own
 * files and reports the winner.
 */
export async function commitPartition(output: ObjectStore, attempt: AttemptOutput): Promise<CommitOutcome> {
  await output.put(attempt.shardKey, attempt.shard);
  await output.put(attempt.errorsKey, attempt.errorLines);
  for (const file of attempt.sideFiles ?? []) await output.put(file.key, file.body);
  const marker: CommitMarker = {
    version: 1,
    partition: attempt.index,
    attempt: attempt.attempt,
    ...(attempt.planId === undefined ? {} : { planId: attempt.planId }),
    shardKey: attempt.shardKey,
    errorsKey: attempt.errorsKey,
    rows: attempt.rows,
    failed: attempt.failed,
    failuresByCode: attempt.failuresByCode,
    sha256: createHash('sha256').update(attempt.shard).digest('hex'),
    bytes: attempt.shard.byteLength,
    committedAt: (attempt.now?.() ?? new Date()).toISOString(),
    ...shardPrecisionFields(attempt.precision),
  };
  const version = attempt.version ?? 0;
  const key = commitMarkerKey(attempt.index, version);
  if (await output.putIfAbsent(key, encodeJson(marker))) return { outcome: 'committed', marker };
  const own = [attempt.shardKey, attempt.errorsKey, ...(attempt.sideFiles ?? []).map((file) => file.key)];
  await Promise.all(own.map((ownKey) => output.delete(ownKey)));
  const winner = await readCommitMarker(output, attempt.index, version);
  if (winner === undefined) {
    throw new FeatureJobError('FJ_STORAGE_FAILED', `${output.uriOf(key)} was reported as existing but cannot be read`);
  }
  return { outcome: 'lost', marker: winner };
}

/** Partition `index`'s commit marker in the run of table version `version` (default 0), if committed. */
export function readCommitMarker(output: ObjectStore, index: number, version = 0): Promise<CommitMarker | undefined> {
  return readJsonIfExists(output, commitMarkerKey(index, version), CommitMarkerSchema, { code: 'FJ_OUTPUT_INVALID' });
}
