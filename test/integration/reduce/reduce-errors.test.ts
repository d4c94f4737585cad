import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeParquetShard } from '../../../executor/output/parquet-shard.js';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { runCli } from '../../support/run-cli.js';
import { writeFeatureOutput } from '../../support/write-feature-output.js';
import { writePlainImages } from '../../support/write-test-images.js';

function rowsOf(count: number, dimensions: number, offset = 0): { paths: string[]; features: Float32Array } {
  return {
    paths: Array.from({ length: count }, (_, i) => `c/${offset + i}.jpg`),
    features: Float32Array.from(
      { length: count * dimensions },
      (_, i) => Math.sin(i * 0.37 + offset) * 3 + (i % dimensions),
    ),
  };
}

/** Each bad request fails with its stable code and leaves the output exactly as it was. */
describe('featurejob reduce on bad input', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-pca-bad-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function output(
    name: string,
    partitions: Array<{ paths: string[]; features: Float32Array }>,
    dimensions = 8,
  ): Promise<string> {
    const dir = join(root, name);
    await writeFeatureOutput({ output: new FileStore({ dir }), dimensions, partitions });
    return dir;
  }

  async function assertFailsUntouched(dir: string, args: string[], code: string, exitCode = 1): Promise<string> {
    const manifestBefore = existsSync(join(dir, 'manifest.json'))
      ? await readFile(join(dir, 'manifest.json'), 'utf8')
      : undefined;
    const result = await runCli(['reduce', dir, ...args]);
    assert.equal(result.code, exitCode, result.stderr);
    assert.match(result.stderr, new RegExp(code));
    assert.equal(existsSync(join(dir, 'pca')), false, 'nothing written under pca/');
    if (manifestBefore !== undefined) assert.equal(await readFile(join(dir, 'manifest.json'), 'utf8'), manifestBefore);
    return result.stderr;
  }

  test('K < 1 or not a number is an invalid argument (exit 2)', async () => {
    const dir = await output('k0', [rowsOf(20, 8)]);
    await assertFailsUntouched(dir, ['--pca', '0'], 'FJ_INVALID_ARGUMENT', 2);
    await assertFailsUntouched(dir, ['--pca', 'many'], 'FJ_INVALID_ARGUMENT', 2);
    await assertFailsUntouched(dir, [], 'missing --pca', 2);
  });

  test('K larger than the dimensions or the rows', async () => {
    const dir = await output('big', [rowsOf(5, 8), rowsOf(4, 8, 5)]);
    assert.match(
      await assertFailsUntouched(dir, ['--pca', '9'], 'FJ_PCA_INVALID_COMPONENTS'),
      /exceeds the 8 feature dimensions/,
    );
    const few = await output('few', [rowsOf(3, 8), rowsOf(2, 8, 3)]);
    assert.match(
      await assertFailsUntouched(few, ['--pca', '6'], 'FJ_PCA_INVALID_COMPONENTS'),
      /exceeds the 5 feature rows/,
    );
  });

  test('an output with no manifest, or with no feature rows', async () => {
    const empty = join(root, 'nothing');
    await mkdir(empty);
    assert.match(await assertFailsUntouched(empty, ['--pca', '2'], 'FJ_PCA_NO_SHARDS'), /featurejob run/);
    const noRows = await output('no-rows', [rowsOf(0, 8), rowsOf(0, 8)]);
    await assertFailsUntouched(noRows, ['--pca', '1'], 'FJ_PCA_NO_SHARDS');
  });

  test('shards of mixed dimensions', async () => {
    const dir = await output('mixed', [rowsOf(6, 8), rowsOf(6, 8, 6)]);
    // Replace partition 1's committed shard with one of 6-dimensional rows.
    const marker = JSON.parse(await readFile(join(dir, '_featurejob', 'commits', 'part-00001.json'), 'utf8')) as {
      shardKey: string;
    };
    const narrow = rowsOf(6, 6, 6);
    await writeFile(join(dir, marker.shardKey), encodeParquetShard(buildFeatureRows({ ...narrow, dimensions: 6 })));
    assert.match(
      await assertFailsUntouched(dir, ['--pca', '2'], 'FJ_PCA_MIXED_DIMENSIONS'),
      /partition 1 holds 6-dimensional features/,
    );
  });

  test('run --pca with K above the model dimensions fails before extracting anything', async () => {
    const input = join(root, 'images');
    await writePlainImages(input, { count: 2 });
    const out = join(root, 'run-out');
    const result = await runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      out,
      '--pca',
      '5000',
      '--progress',
      'none',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /FJ_PCA_INVALID_COMPONENTS: --pca 5000 exceeds the 4096 feature dimensions/);
    assert.equal(existsSync(join(out, 'features')), false);
  });
});
