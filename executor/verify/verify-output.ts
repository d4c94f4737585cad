/**
 * Audits a finished output (`featurejob verify`): every file the manifest lists exists with
 * its sha256 and row count, every image the plan of the manifest's version holds is exactly
 * one feature row or one error line of that version's run, the manifest's counts agree with
 * the files, and no stray data file sits where readers scan (features/, pca/). A Parquet
 * output is also a Delta table, checked at the manifest's version (verify-table.ts). It reads
 * and never writes. The contracts it checks: docs/architecture.md, "Output layout" and
 * "Commit protocol", and docs/versions.md.
 */
import { ManifestSchema, type Manifest } from '../output/manifest-schema.js';
import { readPlanIndex } from '../plan/ensure-plan.js';
import { ERRORS_KEY, FEATURES_PREFIX, MANIFEST_KEY, planIndexKey, versionErrorsKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readJsonIfExists } from '../storage/read-json.js';
import { readLatestTableVersion } from '../table/read-delta-log.js';
import { keyOf, listObjects } from './output-keys.js';
import { ProblemList, readOrReport, type VerifyProblem } from './problem-list.js';
import { verifyPca } from './verify-pca.js';
import { verifyRun } from './verify-run.js';
import { verifyTable, type TableSummary } from './verify-table.js';

export interface VerifyReport {
  readonly uri: string;
  readonly ok: boolean;
  /** The run of the manifest's version: its partitions, rows and error lines, and the images it planned. */
  readonly partitions: number;
  readonly rows: number;
  readonly errorLines: number;
  readonly images: number;
  /** Parquet outputs: the table at the manifest's version, as found. */
  readonly table?: TableSummary;
  /** At most `MAX_PROBLEMS_PER_CHECK` per check; `omitted` counts the rest. */
  readonly problems: readonly VerifyProblem[];
  readonly omitted: number;
}

export async function verifyOutput(output: ObjectStore): Promise<VerifyReport> {
  const found = new ProblemList();
  const report = (
    counts: Partial<Pick<VerifyReport, 'partitions' | 'rows' | 'errorLines' | 'images' | 'table'>> = {},
  ): VerifyReport => ({
    uri: output.uri,
    ok: found.ok,
    partitions: counts.partitions ?? 0,
    rows: counts.rows ?? 0,
    errorLines: counts.errorLines ?? 0,
    images: counts.images ?? 0,
    ...(counts.table === undefined ? {} : { table: counts.table }),
    problems: found.problems,
    omitted: found.omitted,
  });

  const manifest = await readOrReport(() => readJsonIfExists(output, MANIFEST_KEY, ManifestSchema), found, 'manifest');
  if (manifest === undefined) {
    if (!found.has('manifest'))
      found.add('manifest', `${output.uriOf(MANIFEST_KEY)} does not exist: the job has not finished`);
    return report();
  }
  // Each version's run has its own plan; the manifest describes the latest version's run.
  const version = manifest.table?.version ?? 0;
  const plan = await readOrReport(() => readPlanIndex(output, version), found, 'plan');
  if (plan === undefined && !found.has('plan')) {
    found.add(
      'plan',
      `${output.uriOf(planIndexKey(version))} does not exist, so the images cannot be checked against the plan`,
    );
  }

  const latest =
    manifest.table === undefined ? undefined : await readOrReport(() => readLatestTableVersion(output), found, 'table');
  const dataFiles = await listObjects(output, FEATURES_PREFIX);
  const reportUnlistedFiles = manifest.table === undefined;
  const errorsKey = runErrorsKeyOf(manifest, latest);
  const run = await verifyRun({ output, manifest, plan, dataFiles, reportUnlistedFiles, errorsKey, found });
  const table =
    manifest.table === undefined
      ? undefined
      : await verifyTable({ output, manifest, table: manifest.table, plan, run, latest, dataFiles, found });
  if (manifest.pca !== undefined) await verifyPca(output, manifest, found);
  return report({
    partitions: manifest.partitions.length,
    rows: run.rows,
    errorLines: run.errorLines,
    images: manifest.images.total,
    ...(table === undefined ? {} : { table }),
  });
}

/**
 * The run's error lines: errors.jsonl without a table, else the manifest's errorsUri (version
 * N >= 1: its run-errors.jsonl). Version 0's is errors.jsonl, which publishing a later version
 * replaces just before manifest.json; until manifest.json follows, version 0's own copy
 * (`_featurejob/errors.jsonl`, the same lines: every image of version 0 was new) stands in.
 */
function runErrorsKeyOf(manifest: Manifest, latest: number | undefined): string {
  if (manifest.table === undefined) return ERRORS_KEY;
  if (manifest.table.version === 0 && latest !== undefined && latest > 0) return versionErrorsKey(0);
  return keyOf(manifest, manifest.errorsUri);
}
