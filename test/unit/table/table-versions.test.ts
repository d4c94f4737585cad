/**
 * Two versions of a feature table on a local output, with real Parquet shards and the real
 * planner and merge: version 1 processes only the new, changed and retried images, takes the
 * removed and changed images' rows out of the table by rewriting the one file that held them,
 * keeps the unchanged rows and lasting errors, and a third run finds the table up to date.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { commitPartition } from '../../../executor/commit/commit-partition.js';
import { mergeManifest } from '../../../executor/commit/merge-manifest.js';
import { createLogger } from '../../../executor/log/logger.js';
import type { ModelInfo } from '../../../executor/model/model-runner.js';
import { encodeErrorLines, parseErrorLines, type ErrorRecord } from '../../../executor/output/error-record.js';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';
import { type Manifest, ManifestSchema } from '../../../executor/output/manifest-schema.js';
import { decodeParquetShard, encodeParquetShard } from '../../../executor/output/parquet-shard.js';
import { FP32_PRECISION } from '../../../executor/output/shard-precision.js';
import { readPlanShard } from '../../../executor/plan/ensure-plan.js';
import { attemptErrorsKey, FEATURES_PREFIX, shardKey } from '../../../executor/plan/partition-naming.js';
import type { PlanIndex } from '../../../executor/plan/plan-schema.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { readJson } from '../../../executor/storage/read-json.js';
import { readImageIndex } from '../../../executor/table/image-index.js';
import { readLatestTableVersion, readTableSnapshot } from '../../../executor/table/read-delta-log.js';
import { planJob } from '../../../executor/tasks/plan-job.js';

const DIMENSIONS = 4;
const model: ModelInfo = {
  name: 'vgg16',
  layer: 'fc2',
  dimensions: DIMENSIONS,
  weights: 'random',
  sha256: 'b'.repeat(64),
};
const logger = createLogger({ level: 'silent' });

/** The "model": a feature vector that says which image and which content it came from. */
const featuresOf = (key: string, content: string): number[] => [key.length, content.length, key.charCodeAt(0), 1];

describe('table versions on a local output', () => {
  const roots: string[] = [];
  after(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

  async function setUp() {
    const root = await mkdtemp(join(tmpdir(), 'fj-table-versions-'));
    roots.push(root);
    const inputDir = join(root, 'in');
    const outputDir = join(root, 'out');
    const input = new FileStore({ dir: inputDir });
    const output = new FileStore({ dir: outputDir });
    const put = async (key: string, content: string) => {
      await mkdir(join(inputDir, key, '..'), { recursive: true });
      await writeFile(join(inputDir, key), content);
    };
    const plan = (full = false) =>
      planJob({
        stores: { input, output },
        config: { input: inputDir, output: outputDir, format: 'parquet', imagesPerPartition: 256 },
        model,
        logger,
        full,
      });
    /** Runs every partition of `planned`: `failing` images fail with their code, the rest become rows. */
    const run = async (planned: PlanIndex, failing: Readonly<Record<string, string>>): Promise<Manifest> => {
      const version = planned.tableVersion ?? 0;
      for (let index = 0; index < planned.partitions.length; index++) {
        const keys = await readPlanShard(output, planned, index);
        const rows = keys.filter((key) => failing[key] === undefined);
        const errors: ErrorRecord[] = keys
          .filter((key) => failing[key] !== undefined)
          .map((key) => ({ path: key, code: failing[key] as string, message: `${key} failed` }));
        const contents = await Promise.all(rows.map(async (key) => (await input.get(key)).toString()));
        const features = Float32Array.from(rows.flatMap((key, row) => featuresOf(key, contents[row] as string)));
        const attempt = `v${version}a${index}`;
        const failuresByCode: Record<string, number> = {};
        for (const error of errors) failuresByCode[error.code] = (failuresByCode[error.code] ?? 0) + 1;
        await commitPartition(output, {
          index,
          attempt,
          version,
          ...(planned.planId === undefined ? {} : { planId: planned.planId }),
          shardKey: shardKey(index, attempt, 'parquet', version),
          shard: encodeParquetShard(buildFeatureRows({ paths: rows, features, dimensions: DIMENSIONS })),
          errorsKey: attemptErrorsKey(index, attempt, version),
          errorLines: encodeErrorLines(errors),
          rows: rows.length,
          failed: errors.length,
          failuresByCode,
          precision: FP32_PRECISION,
        });
      }
      return (await mergeManifest({ output, plan: planned })).manifest;
    };
    /** Every row of the table as of `version`, by path, read from the files its Delta log says are current. */
    const tableRows = async (version: number): Promise<Record<string, number[]>> => {
      const rows: Record<string, number[]> = {};
      for (const path of (await readTableSnapshot(output, version)).files.keys()) {
        const shard = decodeParquetShard(await output.get(`${FEATURES_PREFIX}${path}`));
        shard.paths.forEach((key, row) => {
          assert.equal(rows[key], undefined, `${key} is in two current files`);
          rows[key] = [...shard.features.subarray(row * DIMENSIONS, (row + 1) * DIMENSIONS)];
        });
      }
      return rows;
    };
    const published = async () => ({
      manifest: await readJson(output, 'manifest.json', ManifestSchema, { code: 'FJ_MANIFEST_INVALID' }),
      errors: parseErrorLines((await output.get('errors.jsonl')).toString()).map((record) => [
        record.path,
        record.code,
      ]),
    });
    return { inputDir, input, output, put, plan, run, tableRows, published };
  }

  it('adds a version with only what changed, rewrites the file that lost rows, then is up to date', async () => {
    const t = await setUp();
    for (const key of ['Apple/1.jpg', 'Apple/2.jpg', 'Plum/1.jpg', 'Plum/2.jpg', 'Plum/3.jpg']) await t.put(key, 'v0');

    const first = await t.plan();
    assert.equal(first.plan.tableVersion, undefined);
    await t.run(first.plan, { 'Plum/2.jpg': 'FJ_IMAGE_CORRUPT', 'Plum/3.jpg': 'FJ_OBJECT_MISSING' });
    assert.equal(await readLatestTableVersion(t.output), 0);
    const v0Files = [...(await readTableSnapshot(t.output, 0)).files.keys()];
    assert.equal(v0Files.length, 1);
    assert.deepEqual(await t.tableRows(0), {
      'Apple/1.jpg': featuresOf('Apple/1.jpg', 'v0'),
      'Apple/2.jpg': featuresOf('Apple/2.jpg', 'v0'),
      'Plum/1.jpg': featuresOf('Plum/1.jpg', 'v0'),
    });

    // Apple/1 is deleted, Apple/2 changes (another size), Kiwi/1 is new; Plum/2's corrupt bytes stay.
    await unlink(join(t.inputDir, 'Apple', '1.jpg'));
    await t.put('Apple/2.jpg', 'v1-longer');
    await t.put('Kiwi/1.jpg', 'v1');
    const second = await t.plan();
    assert.equal(second.plan.tableVersion, 1);
    assert.deepEqual(second.plan.changes, { new: 1, changed: 1, removed: 1, unchanged: 2, retried: 1, full: false });
    const planned = await Promise.all(second.plan.partitions.map((_, i) => readPlanShard(t.output, second.plan, i)));
    assert.deepEqual(planned.flat(), ['Apple/2.jpg', 'Kiwi/1.jpg', 'Plum/3.jpg']);
    const manifest = await t.run(second.plan, {});

    assert.equal(await readLatestTableVersion(t.output), 1);
    assert.deepEqual(await t.tableRows(1), {
      'Apple/2.jpg': featuresOf('Apple/2.jpg', 'v1-longer'),
      'Kiwi/1.jpg': featuresOf('Kiwi/1.jpg', 'v1'),
      'Plum/1.jpg': featuresOf('Plum/1.jpg', 'v0'),
      'Plum/3.jpg': featuresOf('Plum/3.jpg', 'v1'),
    });
    const v1Files = [...(await readTableSnapshot(t.output, 1)).files.keys()].sort();
    assert.ok(!v1Files.includes(v0Files[0] as string), 'the file that lost rows is no longer current');
    assert.ok(
      v1Files.some((file) => /^v1-rewrite-/.test(file)),
      v1Files.join(', '),
    );
    // Time travel: version 0 reads as it was.
    assert.deepEqual(Object.keys(await t.tableRows(0)).sort(), ['Apple/1.jpg', 'Apple/2.jpg', 'Plum/1.jpg']);

    assert.deepEqual(
      { version: manifest.table?.version, rows: manifest.table?.rows, failed: manifest.table?.failed },
      { version: 1, rows: 4, failed: 1 },
    );
    const index = await readImageIndex(t.output, 1, manifest.table?.indexShards ?? 1);
    assert.deepEqual(
      index.map((entry) => [entry.path, 'code' in entry ? entry.code : 'row']),
      [
        ['Apple/2.jpg', 'row'],
        ['Kiwi/1.jpg', 'row'],
        ['Plum/1.jpg', 'row'],
        ['Plum/2.jpg', 'FJ_IMAGE_CORRUPT'],
        ['Plum/3.jpg', 'row'],
      ],
    );
    const current = await t.published();
    assert.equal(current.manifest.table?.version, 1);
    assert.deepEqual(current.errors, [['Plum/2.jpg', 'FJ_IMAGE_CORRUPT']]);

    const third = await t.plan();
    assert.equal(third.upToDate?.table?.version, 1);
    assert.equal(await readLatestTableVersion(t.output), 1);
  });

  it('with full, processes every image again and no earlier file stays current', async () => {
    const t = await setUp();
    for (const key of ['A/1.jpg', 'A/2.jpg', 'B/1.jpg']) await t.put(key, 'v0');
    await t.run((await t.plan()).plan, { 'B/1.jpg': 'FJ_IMAGE_CORRUPT' });
    const v0Files = [...(await readTableSnapshot(t.output, 0)).files.keys()];

    const again = await t.plan(true);
    assert.deepEqual(again.plan.changes, { new: 0, changed: 0, removed: 0, unchanged: 3, retried: 0, full: true });
    assert.equal(again.plan.images, 3);
    await t.run(again.plan, {});
    const v1Files = [...(await readTableSnapshot(t.output, 1)).files.keys()];
    assert.deepEqual(
      v1Files.filter((file) => v0Files.includes(file)),
      [],
    );
    assert.deepEqual(Object.keys(await t.tableRows(1)).sort(), ['A/1.jpg', 'A/2.jpg', 'B/1.jpg']);
    assert.deepEqual((await t.published()).errors, []);
  });
});
