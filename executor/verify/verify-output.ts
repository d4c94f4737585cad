/**
 * Audits a finished output (`featurejob verify`, and the operator after its merge): every
 * file the manifest lists exists with its sha256 and row count, every planned image is
 * exactly one feature row or one error line, the manifest's counts agree with the files, and
 * no stray data file sits where readers scan (features/, pca/). It reads and never writes.
 * The contracts it checks: docs/architecture.md, "Output layout" and "Commit protocol".
 */
import { createHash } from 'node:crypto';
import { isFeatureJobError } from '../errors.js';
import { parseErrorLines } from '../output/error-record.js';
import { ManifestSchema, type Manifest } from '../output/manifest-schema.js';
import { decodeParquetShard } from '../output/parquet-shard.js';
import { readFeatureShard } from '../output/read-feature-shard.js';
import { readPlanShard } from '../plan/ensure-plan.js';
import { ERRORS_KEY, FEATURES_PREFIX, MANIFEST_KEY, PCA_PREFIX, PLAN_INDEX_KEY } from '../plan/partition-naming.js';
import { PlanIndexSchema, type PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readJsonIfExists } from '../storage/read-json.js';

export const VerifyChecks = [
  'manifest',
  'plan',
  'shard',
  'errors',
  'image-missing',
  'image-duplicated',
  'image-unplanned',
  'counts',
  'stray-file',
  'pca',
] as const;
export type VerifyCheck = (typeof VerifyChecks)[number];

export interface VerifyProblem {
  readonly check: VerifyCheck;
  readonly message: string;
}

export interface VerifyReport {
  readonly uri: string;
  readonly ok: boolean;
  readonly partitions: number;
  readonly rows: number;
  readonly errorLines: number;
  readonly images: number;
  /** At most `MAX_PROBLEMS_PER_CHECK` per check; `omitted` counts the rest. */
  readonly problems: readonly VerifyProblem[];
  readonly omitted: number;
}

const MAX_PROBLEMS_PER_CHECK = 20;

class ProblemList {
  readonly problems: VerifyProblem[] = [];
  omitted = 0;
  private readonly perCheck = new Map<VerifyCheck, number>();

  add(check: VerifyCheck, message: string): void {
    const seen = this.perCheck.get(check) ?? 0;
    this.perCheck.set(check, seen + 1);
    if (seen < MAX_PROBLEMS_PER_CHECK) this.problems.push({ check, message });
    else this.omitted += 1;
  }
}

export async function verifyOutput(output: ObjectStore): Promise<VerifyReport> {
  const found = new ProblemList();
  const report = (
    counts: Partial<Pick<VerifyReport, 'partitions' | 'rows' | 'errorLines' | 'images'>> = {},
  ): VerifyReport => ({
    uri: output.uri,
    ok: found.problems.length === 0 && found.omitted === 0,
    partitions: counts.partitions ?? 0,
    rows: counts.rows ?? 0,
    errorLines: counts.errorLines ?? 0,
    images: counts.images ?? 0,
    problems: found.problems,
    omitted: found.omitted,
  });

  const manifest = await readOrReport(() => readJsonIfExists(output, MANIFEST_KEY, ManifestSchema), found, 'manifest');
  if (manifest === undefined) {
    if (!found.problems.some((p) => p.check === 'manifest'))
      found.add('manifest', `${output.uriOf(MANIFEST_KEY)} does not exist: the job has not finished`);
    return report();
  }
  const plan = await readOrReport(() => readJsonIfExists(output, PLAN_INDEX_KEY, PlanIndexSchema), found, 'plan');
  if (plan === undefined && !found.problems.some((p) => p.check === 'plan')) {
    found.add(
      'plan',
      `${output.uriOf(PLAN_INDEX_KEY)} does not exist, so the images cannot be checked against the plan`,
    );
  }

  const seen = new Map<string, number>();
  const count = (path: string): void => {
    seen.set(path, (seen.get(path) ?? 0) + 1);
  };
  const dataFiles = await listKeys(output, FEATURES_PREFIX);
  const rows = await verifyShards(output, manifest, dataFiles, found, count);
  const errorLines = await verifyErrors(output, manifest, found, count);
  verifyCounts(manifest, plan, rows, errorLines, found);
  if (plan !== undefined) await verifyImages(output, plan, seen, found);
  if (manifest.pca !== undefined) await verifyPca(output, manifest, found);
  return report({ partitions: manifest.partitions.length, rows, errorLines, images: manifest.images.total });
}

async function readOrReport<T>(
  read: () => Promise<T | undefined>,
  found: ProblemList,
  check: VerifyCheck,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!isFeatureJobError(error)) throw error;
    found.add(check, error.message);
    return undefined;
  }
}

/** Keys under `prefix`, by themselves, to look up and to find the ones no manifest entry names. */
async function listKeys(output: ObjectStore, prefix: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for await (const object of output.list(prefix)) keys.set(object.key, object.key);
  return keys;
}

/**
 * The key of a file the manifest names by URI, relative to the output it was written in
 * (`manifest.output.uri`), so an output copied or moved elsewhere still verifies.
 */
function keyOf(manifest: Manifest, uri: string): string {
  const root = `${manifest.output.uri.replace(/\/+$/, '')}/`;
  return uri.startsWith(root) ? uri.slice(root.length) : uri;
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function verifyShards(
  output: ObjectStore,
  manifest: Manifest,
  dataFiles: ReadonlyMap<string, string>,
  found: ProblemList,
  count: (path: string) => void,
): Promise<number> {
  let rows = 0;
  const listed = new Set<string>();
  for (const partition of manifest.partitions) {
    const key = dataFiles.get(keyOf(manifest, partition.uri));
    listed.add(keyOf(manifest, partition.uri));
    if (key === undefined) {
      found.add(
        'shard',
        `partition ${partition.index}: ${output.uriOf(keyOf(manifest, partition.uri))} does not exist`,
      );
      continue;
    }
    const bytes = await output.get(key);
    if (bytes.byteLength !== partition.bytes || sha256Of(bytes) !== partition.sha256) {
      found.add(
        'shard',
        `partition ${partition.index}: ${output.uriOf(keyOf(manifest, partition.uri))} ` +
          'is not the file the manifest lists (sha256 or size differs)',
      );
      continue;
    }
    let paths: string[];
    try {
      paths = (await readFeatureShard(output, key)).paths;
    } catch (error) {
      found.add(
        'shard',
        `partition ${partition.index}: ${output.uriOf(keyOf(manifest, partition.uri))} cannot be read: ${String(error)}`,
      );
      continue;
    }
    if (paths.length !== partition.rows) {
      found.add(
        'shard',
        `partition ${partition.index}: ${output.uriOf(keyOf(manifest, partition.uri))} ` +
          `holds ${paths.length} rows, the manifest says ${partition.rows}`,
      );
    }
    rows += paths.length;
    for (const path of paths) count(path);
  }
  const extension = manifest.output.format === 'csv' ? '.csv' : '.parquet';
  for (const key of dataFiles.keys()) {
    if (!listed.has(key) && key.endsWith(extension)) {
      found.add(
        'stray-file',
        `${output.uriOf(key)} is not in the manifest, yet readers of ${FEATURES_PREFIX} would read it`,
      );
    }
  }
  return rows;
}

async function verifyErrors(
  output: ObjectStore,
  manifest: Manifest,
  found: ProblemList,
  count: (path: string) => void,
): Promise<number> {
  const bytes = await output.getIfExists(ERRORS_KEY);
  if (bytes === undefined) {
    found.add('errors', `${output.uriOf(ERRORS_KEY)} does not exist`);
    return 0;
  }
  let records: ReturnType<typeof parseErrorLines>;
  try {
    records = parseErrorLines(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    found.add(
      'errors',
      `${output.uriOf(ERRORS_KEY)} is not valid: ${isFeatureJobError(error) ? error.message : String(error)}`,
    );
    return 0;
  }
  const byCode = new Map<string, number>();
  for (const record of records) {
    count(record.path);
    byCode.set(record.code, (byCode.get(record.code) ?? 0) + 1);
  }
  const codes = new Set([...byCode.keys(), ...Object.keys(manifest.failuresByCode)]);
  for (const code of [...codes].sort()) {
    const inFile = byCode.get(code) ?? 0;
    const inManifest = manifest.failuresByCode[code] ?? 0;
    if (inFile !== inManifest) found.add('counts', `${code}: ${inFile} error lines, the manifest says ${inManifest}`);
  }
  return records.length;
}

function verifyCounts(
  manifest: Manifest,
  plan: PlanIndex | undefined,
  rows: number,
  errorLines: number,
  found: ProblemList,
): void {
  const { images } = manifest;
  if (images.succeeded !== rows)
    found.add('counts', `the shards hold ${rows} rows, the manifest says ${images.succeeded} images succeeded`);
  if (images.failed !== errorLines)
    found.add('counts', `errors.jsonl holds ${errorLines} lines, the manifest says ${images.failed} images failed`);
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
      found.add('plan', `plan shard ${partition.index}: ${isFeatureJobError(error) ? error.message : String(error)}`);
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

async function verifyPca(output: ObjectStore, manifest: Manifest, found: ProblemList): Promise<void> {
  const pca = manifest.pca;
  if (pca === undefined) return;
  const files = await listKeys(output, PCA_PREFIX);
  const listed = new Set<string>();
  let rows = 0;
  for (const partition of pca.partitions) {
    listed.add(keyOf(manifest, partition.uri));
    const key = files.get(keyOf(manifest, partition.uri));
    if (key === undefined) {
      found.add(
        'pca',
        `reduced partition ${partition.index}: ${output.uriOf(keyOf(manifest, partition.uri))} does not exist`,
      );
      continue;
    }
    const bytes = await output.get(key);
    if (bytes.byteLength !== partition.bytes || sha256Of(bytes) !== partition.sha256) {
      found.add(
        'pca',
        `reduced partition ${partition.index}: ${output.uriOf(keyOf(manifest, partition.uri))} is not the file the manifest lists`,
      );
      continue;
    }
    const shardRows = decodeParquetShard(bytes).paths.length;
    if (shardRows !== partition.rows)
      found.add('pca', `reduced partition ${partition.index}: ${shardRows} rows, the manifest says ${partition.rows}`);
    rows += shardRows;
  }
  if (rows !== pca.rows)
    found.add('pca', `the reduced shards hold ${rows} rows, the manifest's pca block says ${pca.rows}`);
  for (const key of files.keys()) {
    if (!listed.has(key) && key.endsWith('.parquet'))
      found.add('stray-file', `${output.uriOf(key)} is not in the manifest's pca block`);
  }
}
