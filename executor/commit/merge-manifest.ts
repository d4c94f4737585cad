import { FeatureJobError } from '../errors.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import { ManifestSchema, parseManifest, type Manifest, type ManifestPrecision } from '../output/manifest-schema.js';
import {
  FP32_PRECISION,
  shardPrecisionFields,
  shardPrecisionOf,
  type ShardPrecision,
} from '../output/shard-precision.js';
import {
  ATTEMPT_ERRORS_PREFIX,
  ERRORS_KEY,
  FEATURES_PREFIX,
  MANIFEST_KEY,
  PCA_STATISTICS_PREFIX,
  statisticsKey,
} from '../plan/partition-naming.js';
import { isOwnAttemptFile } from '../plan/parse-attempt-file-key.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';
import { mapOrdered } from '../util/map-ordered.js';
import { readCommitMarker } from './commit-partition.js';
import { assertCommittedPrecision, computeCommittedPrecision } from './committed-precision.js';

export interface MergeOptions {
  readonly output: ObjectStore;
  readonly plan: PlanIndex;
  /**
   * The `precision` block, when the run chose a precision (`--precision int8|auto`). Every
   * marker must have been made with its `used` precision (without it, fp32).
   */
  readonly precision?: ManifestPrecision;
  readonly now?: () => Date;
}

const READ_CONCURRENCY = 16;

/**
 * Runs once every partition has committed: concatenates the committed attempts' error lines
 * into errors.jsonl, removes files of attempts that never committed (crashed workers), and
 * writes manifest.json last with a create-only write, so it is written exactly once and only
 * ever lists committed shards. Markers of another plan, or of mixed precisions or another
 * precision than the run's, are refused before anything is written.
 */
export async function mergeManifest(options: MergeOptions): Promise<{ manifest: Manifest; created: boolean }> {
  const { output, plan } = options;
  const existing = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
  if (existing !== undefined) return { manifest: existing, created: false };

  const markers: CommitMarker[] = [];
  for await (const marker of mapOrdered(plan.partitions, READ_CONCURRENCY, (partition) =>
    readCommitMarker(output, partition.index),
  )) {
    if (marker === undefined)
      throw new FeatureJobError(
        'FJ_PARTITION_FAILED',
        `partition ${markers.length} of ${output.uri} has not committed`,
      );
    markers.push(marker);
  }
  assertSamePlan(plan, markers, output.uri);
  assertEveryImageAccounted(plan, markers);
  assertCommittedPrecision(computeCommittedPrecision(markers, output.uri), runPrecisionOf(options.precision), {
    uri: output.uri,
    hint: 'a table never mixes precisions: rerun with the precision the partitions were made with, or use a new output',
  });

  const errorChunks: Uint8Array[] = [];
  for await (const bytes of mapOrdered(markers, READ_CONCURRENCY, (marker) => output.get(marker.errorsKey)))
    errorChunks.push(bytes);
  await output.put(ERRORS_KEY, Buffer.concat(errorChunks));
  const committedKeys = new Set(
    markers.flatMap((marker) => [marker.shardKey, marker.errorsKey, statisticsKey(marker.partition, marker.attempt)]),
  );
  const partitions = plan.partitions.length;
  await deleteUncommitted(output, FEATURES_PREFIX, committedKeys, partitions);
  await deleteUncommitted(output, ATTEMPT_ERRORS_PREFIX, committedKeys, partitions);
  await deleteUncommitted(output, PCA_STATISTICS_PREFIX, committedKeys, partitions);

  const failuresByCode: Record<string, number> = {};
  for (const marker of markers) {
    for (const [code, count] of Object.entries(marker.failuresByCode))
      failuresByCode[code] = (failuresByCode[code] ?? 0) + count;
  }
  const succeeded = markers.reduce((sum, marker) => sum + marker.rows, 0);
  const manifest = parseManifest({
    version: 1,
    model: plan.model,
    input: { uri: plan.inputUri, listed: plan.listed, images: plan.images, skipped: plan.skipped },
    output: { uri: output.uri, format: plan.format },
    images: { total: plan.images, succeeded, failed: plan.images - succeeded },
    failuresByCode,
    partitions: markers.map((marker) => ({
      index: marker.partition,
      uri: output.uriOf(marker.shardKey),
      rows: marker.rows,
      failed: marker.failed,
      sha256: marker.sha256,
      bytes: marker.bytes,
      ...shardPrecisionFields(shardPrecisionOf(marker)),
    })),
    errorsUri: output.uriOf(ERRORS_KEY),
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    ...(options.precision === undefined ? {} : { precision: options.precision }),
  });
  if (await output.putIfAbsent(MANIFEST_KEY, encodeJson(manifest))) return { manifest, created: true };
  const winner = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
  if (winner === undefined)
    throw new FeatureJobError('FJ_STORAGE_FAILED', `${output.uriOf(MANIFEST_KEY)} exists but cannot be read`);
  return { manifest: winner, created: false };
}

/** What the run's workers computed in: the block's `used` precision; no block is an fp32 run. */
function runPrecisionOf(record: ManifestPrecision | undefined): ShardPrecision {
  if (record?.used !== 'int8') return FP32_PRECISION;
  return { precision: 'int8', int8Sha256: record.int8Sha256 ?? '' };
}

/** A marker written for another plan (a racing or an earlier planner's) never reaches the manifest. */
function assertSamePlan(plan: PlanIndex, markers: readonly CommitMarker[], uri: string): void {
  const foreign = markers.filter((marker) => marker.planId !== plan.planId);
  if (foreign.length === 0) return;
  const first = foreign[0] as CommitMarker;
  throw new FeatureJobError(
    'FJ_PLAN_MISMATCH',
    `${foreign.length} commit markers under ${uri} belong to another plan (partition ${first.partition}: plan ${first.planId ?? '(none)'}, the job's plan is ${plan.planId ?? '(none)'})`,
  );
}

function assertEveryImageAccounted(plan: PlanIndex, markers: readonly CommitMarker[]): void {
  for (const [position, marker] of markers.entries()) {
    const planned = plan.partitions[position]?.images;
    if (marker.rows + marker.failed !== planned) {
      throw new FeatureJobError(
        'FJ_PLAN_MISMATCH',
        `partition ${marker.partition} committed ${marker.rows} rows + ${marker.failed} errors but its plan holds ${String(planned)} images`,
      );
    }
  }
}

/** Deletes the files of attempts that never committed: only names of ours, never a user's file. */
async function deleteUncommitted(
  output: ObjectStore,
  prefix: string,
  committed: ReadonlySet<string>,
  partitions: number,
): Promise<void> {
  for await (const object of output.list(prefix)) {
    if (!committed.has(object.key) && isOwnAttemptFile(object.key, partitions)) await output.delete(object.key);
  }
}
