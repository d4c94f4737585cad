/**
 * The table half of a merge (docs/versions.md): once every partition of version N's plan has
 * committed, lay their outcomes over version N - 1's image index, rewrite the earlier files
 * that lost rows (copy-on-write), write version N's index and errors, and return the Delta
 * commit that makes it all current. The caller writes the version's manifest, then the commit
 * (create-only: the point at which version N exists), then publishes it as `manifest.json`.
 */
import { FeatureJobError } from '../errors.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import { encodeErrorLines, parseErrorLines } from '../output/error-record.js';
import { ManifestSchema, type ManifestTable } from '../output/manifest-schema.js';
import { readPlannedImages } from '../plan/ensure-plan.js';
import { FEATURES_PREFIX, versionErrorsKey, versionManifestKey } from '../plan/partition-naming.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readJson } from '../storage/read-json.js';
import { buildDeltaCommit, type CommitFile } from '../table/build-delta-commit.js';
import { computeDataFileStats } from '../table/data-file-stats.js';
import {
  isErrorEntry,
  isRowEntry,
  readImageIndex,
  writeImageIndex,
  type ImageIndexEntry,
} from '../table/image-index.js';
import { moveRowsToRewrittenFiles, rebuildImageIndex } from '../table/rebuild-image-index.js';
import { readRemovedKeys } from '../table/removed-keys.js';
import { rewriteDataFile } from '../table/rewrite-data-file.js';
import { mapOrdered } from '../util/map-ordered.js';
import {
  describeShardPrecision,
  FP32_PRECISION,
  isSameShardPrecision,
  shardPrecisionFields,
  shardPrecisionOf,
} from '../output/shard-precision.js';
import { computeCommittedPrecision } from './committed-precision.js';

const READ_CONCURRENCY = 16;

export interface TableVersionCommit {
  readonly table: ManifestTable;
  /** The Delta commit's actions, to be written create-only after the version's manifest. */
  readonly actions: Array<Record<string, unknown>>;
}

export async function buildTableVersion(options: {
  readonly output: ObjectStore;
  readonly plan: PlanIndex;
  readonly markers: readonly CommitMarker[];
  readonly now: Date;
}): Promise<TableVersionCommit> {
  const { output, plan, markers } = options;
  const version = plan.tableVersion ?? 0;
  const before = version === 0 ? undefined : await readTableOf(output, version - 1);
  const previous = before === undefined ? [] : await readImageIndex(output, version - 1, before.indexShards);
  const precision = computeCommittedPrecision(markers, output.uri)?.precision ?? tablePrecision(before);
  if (before !== undefined && !isSameShardPrecision(precision, tablePrecision(before))) {
    throw new FeatureJobError(
      'FJ_PRECISION_MISMATCH',
      `version ${version} of ${output.uri} was made with ${describeShardPrecision(precision)}, ` +
        `the table with ${describeShardPrecision(tablePrecision(before))}; a table never mixes precisions`,
    );
  }
  const removed = version === 0 ? [] : await readRemovedKeys(output, version);
  const outcomes = await readOutcomes(output, plan, markers);
  const rebuilt = rebuildImageIndex(previous, outcomes, removed);

  const rewrittenKeys = new Map<string, string>();
  const added: CommitFile[] = [];
  for (const [file, drop] of [...rebuilt.dropped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const rewritten = await rewriteDataFile(output, file, drop, version);
    if (rewritten === undefined) continue;
    rewrittenKeys.set(file, rewritten.key);
    // A rewritten file keeps the precision its rows were made with (it is the table's).
    added.push({ key: rewritten.key, bytes: rewritten.bytes, stats: computeDataFileStats(rewritten.paths) });
  }
  const entries = moveRowsToRewrittenFiles(rebuilt.entries, rewrittenKeys);
  const pathsByShard = new Map<string, string[]>();
  for (const entry of outcomes) {
    if (!isRowEntry(entry)) continue;
    const paths = pathsByShard.get(entry.file);
    if (paths === undefined) pathsByShard.set(entry.file, [entry.path]);
    else paths.push(entry.path);
  }
  for (const marker of markers) {
    const paths = pathsByShard.get(marker.shardKey);
    if (paths !== undefined)
      added.push({ key: marker.shardKey, bytes: marker.bytes, stats: computeDataFileStats(paths) });
  }
  const indexShards = await writeImageIndex(output, version, entries);
  const errors = entries.filter(isErrorEntry);
  await output.put(
    versionErrorsKey(version),
    encodeErrorLines(errors.map((entry) => ({ path: entry.path, code: entry.code, message: entry.message }))),
  );
  const files = new Set(entries.filter(isRowEntry).map((entry) => entry.file));
  const table: ManifestTable = {
    version,
    uri: output.uriOf(FEATURES_PREFIX.slice(0, -1)),
    rows: entries.length - errors.length,
    failed: errors.length,
    files: files.size,
    errorsUri: output.uriOf(versionErrorsKey(version)),
    indexShards,
    ...shardPrecisionFields(precision),
    ...(plan.changes === undefined ? {} : { changes: plan.changes }),
  };
  const actions = buildDeltaCommit({
    version,
    planId: plan.planId ?? 'none',
    modelSha256: plan.model.sha256,
    added,
    removed: [...rebuilt.dropped.keys()].sort(),
    ...(plan.changes === undefined ? {} : { changes: plan.changes }),
    timestamp: options.now.getTime(),
  });
  return { table, actions };
}

/** Every planned image with its outcome: a row of its partition's shard, or its error line. */
async function readOutcomes(
  output: ObjectStore,
  plan: PlanIndex,
  markers: readonly CommitMarker[],
): Promise<ImageIndexEntry[]> {
  const outcomes: ImageIndexEntry[] = [];
  for await (const partition of mapOrdered(markers, READ_CONCURRENCY, async (marker) => ({
    marker,
    images: await readPlannedImages(output, plan, marker.partition),
    errors: parseErrorLines(Buffer.from(await output.get(marker.errorsKey)).toString('utf8')),
  }))) {
    const failed = new Map(partition.errors.map((record) => [record.path, record]));
    for (const image of partition.images) {
      const identity = { path: image.key, size: image.size ?? 0, tag: image.tag ?? '' };
      const error = failed.get(image.key);
      outcomes.push(
        error === undefined
          ? { ...identity, file: partition.marker.shardKey }
          : { ...identity, code: error.code, message: error.message },
      );
    }
  }
  return outcomes;
}

/** The `table` block of version `version`'s manifest. */
export async function readTableOf(output: ObjectStore, version: number): Promise<ManifestTable> {
  const manifest = await readJson(output, versionManifestKey(version), ManifestSchema, { code: 'FJ_TABLE_INVALID' });
  if (manifest.table === undefined) {
    throw new FeatureJobError(
      'FJ_TABLE_INVALID',
      `${output.uriOf(versionManifestKey(version))} describes no table version`,
    );
  }
  return manifest.table;
}

/** The precision every row of a table was made with (a table before this version: fp32). */
export function tablePrecision(table: ManifestTable | undefined) {
  return table === undefined ? FP32_PRECISION : shardPrecisionOf(table);
}
