/**
 * The checks of a Parquet output's Delta table (docs/versions.md) at the version its manifest
 * describes: the log replays to that version and no further (else manifest.json is stale),
 * its commit is the version's plan's, the current files, the image index and the table's
 * errors agree with each other and with the manifest's `table` block, and every data file
 * of ours under features/ is one some version adds (or a committed shard without rows).
 * Files a later version removed stay for time travel and are never strays.
 */
import { isDeepStrictEqual } from 'node:util';
import { readCommitMarker } from '../commit/commit-partition.js';
import { ManifestSchema, type Manifest, type ManifestTable } from '../output/manifest-schema.js';
import {
  DELTA_LOG_PREFIX,
  deltaCommitKey,
  FEATURES_PREFIX,
  planIndexKey,
  versionManifestKey,
} from '../plan/partition-naming.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore, StoredObject } from '../storage/object-store.js';
import { readJsonIfExists } from '../storage/read-json.js';
import type { AddAction } from '../table/delta-actions.js';
import { isRowEntry, readImageIndex } from '../table/image-index.js';
import { parseDataFileKey } from '../table/parse-data-file-key.js';
import { readAddedFiles, readTableSnapshot } from '../table/read-delta-log.js';
import { keyOf } from './output-keys.js';
import { readOrReport, type ProblemList } from './problem-list.js';
import type { RunFindings } from './verify-run.js';
import { verifyTableErrors } from './verify-table-errors.js';
import { readCurrentDataFiles, verifyImageIndex } from './verify-table-rows.js';

/** What the table holds as verify found it; the manifest's figures where a file could not be read. */
export interface TableSummary {
  readonly version: number;
  readonly rows: number;
  readonly failed: number;
  readonly files: number;
}

export interface VerifyTableOptions {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  readonly table: ManifestTable;
  readonly plan: PlanIndex | undefined;
  readonly run: RunFindings;
  /** The latest version in the table's log (undefined: none, or the log could not be listed). */
  readonly latest: number | undefined;
  /** Everything under features/, listed once. */
  readonly dataFiles: ReadonlyMap<string, StoredObject>;
  readonly found: ProblemList;
}

export async function verifyTable(options: VerifyTableOptions): Promise<TableSummary> {
  const { output, manifest, table, found } = options;
  const { version } = table;
  const summary: TableSummary = { version, rows: table.rows, failed: table.failed, files: table.files };
  const { latest } = options;
  if (latest === undefined) {
    if (!found.has('table')) {
      found.add(
        'table',
        `manifest.json describes version ${version} of the table, but ${output.uriOf(DELTA_LOG_PREFIX)} holds no commit`,
      );
    }
    return summary;
  }
  if (latest < version) {
    found.add('table', `manifest.json describes version ${version}, but the table's log ends at version ${latest}`);
    return summary;
  }
  if (latest > version) {
    found.add(
      'table',
      `manifest.json is stale: it describes version ${version}, the table's log is at version ${latest} ` +
        `(publishing version ${latest} did not finish; the next featurejob run on this output publishes it)`,
    );
  }
  const snapshot = await readOrReport(() => readTableSnapshot(output, version), found, 'table');
  if (snapshot === undefined) return summary;
  await verifyStrays(output, options.dataFiles, latest, found);
  await verifyVersionRecord(options, snapshot.planIds[version]);

  const current = new Map<string, AddAction>();
  for (const [path, add] of snapshot.files) current.set(`${FEATURES_PREFIX}${path}`, add);
  const fileRows = await readCurrentDataFiles(output, version, current, options.dataFiles, found);
  const index = await readOrReport(() => readImageIndex(output, version, table.indexShards), found, 'image-index');
  if (index === undefined) return { ...summary, files: current.size };
  verifyImageIndex({ output, version, index, current, fileRows, run: options.run, found });
  await verifyTableErrors({
    output,
    table,
    errorsKey: keyOf(manifest, table.errorsUri),
    index,
    published: latest === version,
    runErrorsKey: options.run.errorsKey,
    found,
  });

  const rows = index.filter(isRowEntry).length;
  const failed = index.length - rows;
  const ofVersion = `the image index of version ${version}`;
  if (rows !== table.rows)
    found.add('counts', `${ofVersion} holds ${rows} rows, the manifest's table says ${table.rows}`);
  if (failed !== table.failed)
    found.add('counts', `${ofVersion} holds ${failed} errors, the manifest's table says ${table.failed}`);
  if (current.size !== table.files) {
    found.add(
      'counts',
      `version ${version} of the table has ${current.size} current data files, the manifest's table says ${table.files}`,
    );
  }
  if (fileRows.size === current.size) {
    const inFiles = [...fileRows.values()].reduce((sum, paths) => sum + paths.length, 0);
    if (inFiles !== table.rows)
      found.add('counts', `the current data files hold ${inFiles} rows, the manifest's table says ${table.rows}`);
  }
  return { version, rows, failed, files: current.size };
}

/** The version's commit is its plan's, and the version's own manifest records the same table block. */
async function verifyVersionRecord(options: VerifyTableOptions, committedBy: string | undefined): Promise<void> {
  const { output, table, plan, found } = options;
  const { version } = table;
  if (plan !== undefined && committedBy !== (plan.planId ?? 'none')) {
    found.add(
      'table',
      `${output.uriOf(deltaCommitKey(version))} was committed by plan ${committedBy ?? '(none)'}, ` +
        `the plan of version ${version} (${output.uriOf(planIndexKey(version))}) is ${plan.planId ?? '(none)'}`,
    );
  }
  const key = versionManifestKey(version);
  const recorded = await readOrReport(
    () => readJsonIfExists(output, key, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' }),
    found,
    'table',
  );
  if (recorded === undefined) {
    if (!found.has('table'))
      found.add('table', `${output.uriOf(key)} is missing: a later version cannot build on version ${version}`);
  } else if (!isDeepStrictEqual(recorded.table, table)) {
    found.add(
      'table',
      `manifest.json's table block is not the one ${output.uriOf(key)} records for version ${version}`,
    );
  }
}

/**
 * A data file of ours that no commit 0..latest adds is a leftover (an attempt that never
 * committed, a rewrite whose version never did), unless it is a committed shard without
 * rows, which the log never adds. Table readers skip it; a reader of every file would not.
 */
async function verifyStrays(
  output: ObjectStore,
  dataFiles: ReadonlyMap<string, StoredObject>,
  latest: number,
  found: ProblemList,
): Promise<void> {
  const added = await readOrReport(() => readAddedFiles(output, latest), found, 'table');
  if (added === undefined) return;
  for (const key of dataFiles.keys()) {
    if (key.startsWith(DELTA_LOG_PREFIX)) continue;
    const parsed = parseDataFileKey(key);
    if (parsed === undefined || added.has(key.slice(FEATURES_PREFIX.length))) continue;
    if (parsed.kind === 'shard') {
      const marker = await readCommitMarker(output, parsed.index, parsed.version).catch(() => undefined);
      if (marker?.shardKey === key) continue;
    }
    found.add(
      'stray-file',
      `${output.uriOf(key)} is named like a data file of version ${parsed.version}, ` +
        'but no version of the table adds it and no commit marker names it',
    );
  }
}
