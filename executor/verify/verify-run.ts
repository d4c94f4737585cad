/**
 * The checks of one version's run (docs/architecture.md, "Commit protocol"): every shard the
 * manifest lists exists with its sha256 and row count and is the one its commit marker names,
 * the run's error lines agree with the manifest's counts, and every image the version's plan
 * holds is exactly one row or one error line of the run.
 */
import { createHash } from 'node:crypto';
import { readCommitMarker } from '../commit/commit-partition.js';
import { parseErrorLines, type ErrorRecord } from '../output/error-record.js';
import type { Manifest } from '../output/manifest-schema.js';
import { readFeatureShard } from '../output/read-feature-shard.js';
import { readPlanShard } from '../plan/ensure-plan.js';
import { commitMarkerKey, FEATURES_PREFIX } from '../plan/partition-naming.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore, StoredObject } from '../storage/object-store.js';
import { keyOf } from './output-keys.js';
import { messageOf, type ProblemList } from './problem-list.js';

export interface RunFindings {
  /** Rows of the run's shards that could be read, and the lines of its errors file. */
  readonly rows: number;
  readonly errorLines: number;
  /** Each readable shard of the run by key, with the paths of its rows. */
  readonly shardPaths: ReadonlyMap<string, readonly string[]>;
  readonly errors: readonly ErrorRecord[];
  /** The run's errors file, as a key of the output. */
  readonly errorsKey: string;
}

export interface VerifyRunOptions {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  /** The plan of the manifest's version, when it could be read. */
  readonly plan: PlanIndex | undefined;
  /** Everything under features/, listed once. */
  readonly dataFiles: ReadonlyMap<string, StoredObject>;
  /**
   * Outputs without a table: any .parquet/.csv under features/ the manifest does not list is
   * a stray. A table's strays are told apart by its log instead (verify-table.ts).
   */
  readonly reportUnlistedFiles: boolean;
  /** The run's errors file: errors.jsonl without a table, else the manifest's errorsUri (see verify-output.ts). */
  readonly errorsKey: string;
  readonly found: ProblemList;
}

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function verifyRun(options: VerifyRunOptions): Promise<RunFindings> {
  const { output, manifest, plan, found } = options;
  const version = manifest.table?.version ?? 0;
  const seen = new Map<string, number>();
  const count = (path: string): void => {
    seen.set(path, (seen.get(path) ?? 0) + 1);
  };
  const shardPaths = await verifyShards(options);
  let rows = 0;
  for (const paths of shardPaths.values()) {
    rows += paths.length;
    for (const path of paths) count(path);
  }
  await verifyMarkers(output, manifest, plan, version, found);
  const { errorsKey } = options;
  const errors = await verifyRunErrors(output, manifest, errorsKey, found);
  for (const record of errors) count(record.path);
  verifyCounts(manifest, plan, rows, errors.length, errorsKey, found);
  if (plan !== undefined) await verifyImages(output, plan, seen, found);
  return { rows, errorLines: errors.length, shardPaths, errors, errorsKey };
}

async function verifyShards(options: VerifyRunOptions): Promise<Map<string, string[]>> {
  const { output, manifest, dataFiles, found } = options;
  const shardPaths = new Map<string, string[]>();
  const listed = new Set<string>();
  for (const partition of manifest.partitions) {
    const key = keyOf(manifest, partition.uri);
    const where = `partition ${partition.index}: ${output.uriOf(key)}`;
    listed.add(key);
    if (!dataFiles.has(key)) {
      found.add('shard', `${where} does not exist`);
      continue;
    }
    const bytes = await output.get(key);
    if (bytes.byteLength !== partition.bytes || sha256Of(bytes) !== partition.sha256) {
      found.add('shard', `${where} is not the file the manifest lists (sha256 or size differs)`);
      continue;
    }
    let paths: string[];
    try {
      paths = (await readFeatureShard(output, key)).paths;
    } catch (error) {
      found.add('shard', `${where} cannot be read: ${String(error)}`);
      continue;
    }
    if (paths.length !== partition.rows)
      found.add('shard', `${where} holds ${paths.length} rows, the manifest says ${partition.rows}`);
    shardPaths.set(key, paths);
  }
  if (options.reportUnlistedFiles) {
    const extension = manifest.output.format === 'csv' ? '.csv' : '.parquet';
    for (const key of dataFiles.keys()) {
      if (!listed.has(key) && key.endsWith(extension)) {
        found.add(
          'stray-file',
          `${output.uriOf(key)} is not in the manifest, yet readers of ${FEATURES_PREFIX} would read it`,
        );
      }
    }
  }
  return shardPaths;
}

/** Each listed shard is the one its partition's commit marker names, committed for the version's plan. */
async function verifyMarkers(
  output: ObjectStore,
  manifest: Manifest,
  plan: PlanIndex | undefined,
  version: number,
  found: ProblemList,
): Promise<void> {
  const ofVersion = manifest.table === undefined ? '' : ` of version ${version}`;
  for (const partition of manifest.partitions) {
    const markerUri = output.uriOf(commitMarkerKey(partition.index, version));
    const where = `partition ${partition.index}${ofVersion}`;
    let marker: Awaited<ReturnType<typeof readCommitMarker>>;
    try {
      marker = await readCommitMarker(output, partition.index, version);
    } catch (error) {
      found.add('commit', `${where}: ${messageOf(error)}`);
      continue;
    }
    if (marker === undefined) {
      found.add('commit', `${where}: ${markerUri} does not exist, so no commit proves the listed shard`);
      continue;
    }
    const differs: string[] = [];
    if (marker.shardKey !== keyOf(manifest, partition.uri)) differs.push(`the shard ${marker.shardKey}`);
    if (marker.sha256 !== partition.sha256 || marker.bytes !== partition.bytes) differs.push('another sha256 or size');
    if (marker.rows !== partition.rows || marker.failed !== partition.failed)
      differs.push(`${marker.rows} rows and ${marker.failed} failed`);
    if (differs.length > 0)
      found.add('commit', `${where}: ${markerUri} names ${differs.join(', ')}, not what the manifest lists`);
    if (plan !== undefined && marker.planId !== plan.planId) {
      found.add(
        'commit',
        `${where}: ${markerUri} was committed for plan ${marker.planId ?? '(none)'}, ` +
          `the version's plan is ${plan.planId ?? '(none)'}`,
      );
    }
  }
}

async function verifyRunErrors(
  output: ObjectStore,
  manifest: Manifest,
  errorsKey: string,
  found: ProblemList,
): Promise<ErrorRecord[]> {
  const bytes = await output.getIfExists(errorsKey);
  if (bytes === undefined) {
    found.add('errors', `${output.uriOf(errorsKey)} does not exist`);
    return [];
  }
  let records: ErrorRecord[];
  try {
    records = parseErrorLines(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    found.add('errors', `${output.uriOf(errorsKey)} is not valid: ${messageOf(error)}`);
    return [];
  }
  const byCode = new Map<string, number>();
  for (const record of records) byCode.set(record.code, (byCode.get(record.code) ?? 0) + 1);
  const codes = new Set([...byCode.keys(), ...Object.keys(manifest.failuresByCode)]);
  for (const code of [...codes].sort()) {
    const inFile = byCode.get(code) ?? 0;
    const inManifest = manifest.failuresByCode[code] ?? 0;
    if (inFile !== inManifest) found.add('counts', `${code}: ${inFile} error lines, the manifest says ${inManifest}`);
  }
  return records;
}

function verifyCounts(
  manifest: Manifest,
  plan: PlanIndex | undefined,
  rows: number,
  errorLines: number,
  errorsKey: string,
  found: ProblemList,
): void {
  const { images } = manifest;
  if (images.succeeded !== rows)
    found.add('counts', `the shards hold ${rows} rows, the manifest says ${images.succeeded} images succeeded`);
  if (images.failed !== errorLines)
    found.add('counts', `${errorsKey} holds ${errorLines} lines, the manifest says ${images.failed} images failed`);
  if (plan !== undefined && plan.images !== images.total) {
    found.add('counts', `the plan holds ${plan.images} images, the manifest says ${images.total}`);
  }
  if (plan !== undefined && plan.partitions.length !== manifest.partitions.length) {
    found.add(
      'counts',
      `the plan has ${plan.partitions.length} partitions, the manifest lists ${manifest.partitions.length}`,
    );
  }
}

async function verifyImages(
  output: ObjectStore,
  plan: PlanIndex,
  seen: Map<string, number>,
  found: ProblemList,
): Promise<void> {
  for (const partition of plan.partitions) {
    let keys: string[];
    try {
      keys = await readPlanShard(output, plan, partition.index);
    } catch (error) {
      found.add('plan', `plan shard ${partition.index}: ${messageOf(error)}`);
      continue;
    }
    for (const key of keys) {
      const times = seen.get(key) ?? 0;
      if (times === 0) found.add('image-missing', `${key} is planned but is neither a feature row nor an error line`);
      else if (times > 1)
        found.add('image-duplicated', `${key} appears ${times} times (rows and error lines together)`);
      seen.delete(key);
    }
  }
  for (const path of seen.keys())
    found.add('image-unplanned', `${path} has a row or an error line but is not in the plan`);
}
