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
  attemptErrorsPrefix,
  deltaCommitKey,
  ERRORS_KEY,
  FEATURES_PREFIX,
  MANIFEST_KEY,
  PCA_STATISTICS_PREFIX,
  statisticsKey,
  versionManifestKey,
  versionRoot,
} from '../plan/partition-naming.js';
import { isOwnAttemptFile } from '../plan/parse-attempt-file-key.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';
import { mapOrdered } from '../util/map-ordered.js';
import { writeDeltaCommit } from '../table/write-delta-commit.js';
import { readCommitMarker } from './commit-partition.js';
import { buildTableVersion } from './commit-table-version.js';
import { publishTableVersion } from './publish-table-version.js';
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
 * Runs once every partition has committed: concatenates the committed attempts' error lines,
 * removes files of attempts that never committed (crashed workers), and writes the manifest.
 * A Parquet output is a Delta table (docs/versions.md): the version's index, errors and
 * manifest are written first, then its Delta commit create-only (the moment the version
 * exists), then `manifest.json` and `errors.jsonl` are replaced by the new version's. A CSV
 * output has one version, and its manifest.json is written create-only, exactly once.
 * Markers of another plan, or of mixed precisions or another precision than the run's, are
 * refused before anything is written.
 */
export async function mergeManifest(options: MergeOptions): Promise<{ manifest: Manifest; created: boolean }> {
  const { output, plan } = options;
  const version = plan.tableVersion ?? 0;
  const versioned = plan.format === 'parquet';
  if (versioned && (await output.getIfExists(deltaCommitKey(version))) !== undefined) {
    const manifest = await readJsonIfExists(output, versionManifestKey(version), ManifestSchema, {
      code: 'FJ_MANIFEST_INVALID',
    });
    if (manifest === undefined)
      throw new FeatureJobError('FJ_TABLE_INVALID', `${output.uriOf(versionManifestKey(version))} is missing`);
    await publishTableVersion(output, manifest);
    return { manifest, created: false };
  }
  if (version === 0) {
    // A CSV output's manifest, or one written before versions: the job is complete as it is.
    const existing = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
    if (existing !== undefined && (!versioned || existing.table === undefined))
      return { manifest: existing, created: false };
  }

  const markers: CommitMarker[] = [];
  for await (const marker of mapOrdered(plan.partitions, READ_CONCURRENCY, (partition) =>
    readCommitMarker(output, partition.index, version),
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

  // This version's run errors: errors.jsonl for version 0, beside the version's run state after.
  const runErrorsKey = version === 0 ? ERRORS_KEY : `${versionRoot(version)}run-errors.jsonl`;
  const errorChunks: Uint8Array[] = [];
  for await (const bytes of mapOrdered(markers, READ_CONCURRENCY, (marker) => output.get(marker.errorsKey)))
    errorChunks.push(bytes);
  await output.put(runErrorsKey, Buffer.concat(errorChunks));
  const committedKeys = new Set(
    markers.flatMap((marker) => [marker.shardKey, marker.errorsKey, statisticsKey(marker.partition, marker.attempt)]),
  );
  const partitions = plan.partitions.length;
  await deleteUncommitted(output, FEATURES_PREFIX, committedKeys, partitions, version);
  await deleteUncommitted(output, attemptErrorsPrefix(version), committedKeys, partitions, version);
  if (version === 0) await deleteUncommitted(output, PCA_STATISTICS_PREFIX, committedKeys, partitions, version);

  const failuresByCode: Record<string, number> = {};
  for (const marker of markers) {
    for (const [code, count] of Object.entries(marker.failuresByCode))
      failuresByCode[code] = (failuresByCode[code] ?? 0) + count;
  }
  const succeeded = markers.reduce((sum, marker) => sum + marker.rows, 0);
  const now = options.now?.() ?? new Date();
  const table = versioned ? await buildTableVersion({ output, plan, markers, now }) : undefined;
  const manifest = parseManifest({
    version: 1,
    ...(plan.planId === undefined ? {} : { planId: plan.planId }),
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
    errorsUri: output.uriOf(runErrorsKey),
    createdAt: now.toISOString(),
    ...(options.precision === undefined ? {} : { precision: options.precision }),
    ...(table === undefined ? {} : { table: table.table }),
  });
  if (table !== undefined) {
    await output.put(versionManifestKey(version), encodeJson(manifest));
    await writeDeltaCommit(output, version, plan.planId ?? 'none', table.actions);
    await publishTableVersion(output, manifest);
    return { manifest, created: true };
  }
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
    `${foreign.length} commit markers under ${uri} belong to another plan ` +
      `(partition ${first.partition}: plan ${first.planId ?? '(none)'}, the job's plan is ${plan.planId ?? '(none)'})`,
  );
}

function assertEveryImageAccounted(plan: PlanIndex, markers: readonly CommitMarker[]): void {
  for (const [position, marker] of markers.entries()) {
    const planned = plan.partitions[position]?.images;
    if (marker.rows + marker.failed !== planned) {
      throw new FeatureJobError(
        'FJ_PLAN_MISMATCH',
        `partition ${marker.partition} committed ${marker.rows} rows + ${marker.failed} errors ` +
          `but its plan holds ${String(planned)} images`,
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
  version: number,
): Promise<void> {
  for await (const object of output.list(prefix)) {
    if (!committed.has(object.key) && isOwnAttemptFile(object.key, partitions, version))
      await output.delete(object.key);
  }
}
