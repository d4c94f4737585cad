import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages } from '../../support/write-test-images.js';

/**
 * `featurejob verify` on a real run's output, then on copies of it broken the ways a user or a
 * faulty writer could break them: each must exit 1 and name what is wrong.
 */
describe('featurejob verify', () => {
  let root: string;
  let pristine: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-verify-'));
    const input = join(root, 'images');
    await writePlainImages(input, { count: 6, labels: ['Apple', 'Plum'] });
    await writeFile(join(input, 'Apple', 'empty.jpg'), '');
    pristine = join(root, 'out');
    const run = await runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      pristine,
      '--partitions',
      '3',
      '--progress',
      'none',
    ]);
    assert.equal(run.code, 0, run.stderr);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let copies = 0;
  async function brokenCopy(breakIt: (out: string, shards: string[]) => Promise<void>): Promise<string> {
    copies += 1;
    const out = join(root, `copy-${copies}`);
    await runCopy(pristine, out);
    const shards = (await readdir(join(out, 'features'))).filter((name) => name.endsWith('.parquet')).sort();
    await breakIt(out, shards);
    return out;
  }

  test('accepts a finished run, user files beside it included, and says what it checked', async () => {
    await writeFile(join(pristine, 'features', 'keep.txt'), 'mine');
    const result = await runCli(['verify', pristine]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /table version 0: 6 rows, 1 failed, 3 files; its run: 7 images \(6 rows, 1 error lines\) in 3 partitions: OK/,
    );
    const json = JSON.parse((await runCli(['verify', pristine, '--json'])).stdout) as {
      ok: boolean;
      problems: unknown[];
    };
    assert.deepEqual([json.ok, json.problems], [true, []]);
  });

  test('names a missing shard, and the images it held as missing', async () => {
    const out = await brokenCopy((dir, shards) => unlink(join(dir, 'features', shards[0]!)));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /shard: partition \d+: .* does not exist/);
    assert.match(result.stdout, /image-missing: .* is planned but is neither a feature row nor an error line/);
  });

  test('names a shard whose bytes changed', async () => {
    const out = await brokenCopy((dir, shards) => appendFile(join(dir, 'features', shards[1]!), 'x'));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /shard: .* is not the file the manifest lists/);
  });

  test('names a leftover shard of ours that no version of the table adds', async () => {
    const out = await brokenCopy((dir, shards) =>
      copyFile(join(dir, 'features', shards[0]!), join(dir, 'features', 'part-00000-astray0000000.parquet')),
    );
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /stray-file: .*part-00000-astray0000000\.parquet is named like a data file of version 0, but no version of the table adds it/,
    );
  });

  test('checks a CSV output, which has no table, against the manifest alone: an unlisted .csv is a stray', async () => {
    const out = join(root, 'csv');
    const run = await runCli([
      'run',
      '--weights',
      'random',
      join(root, 'images'),
      '--out',
      out,
      '--format',
      'csv',
      '--partitions',
      '2',
      '--progress',
      'none',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const clean = await runCli(['verify', out]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /: 7 images \(6 rows, 1 error lines\) in 2 partitions: OK/);
    const shard = (await readdir(join(out, 'features'))).find((name) => name.endsWith('.csv')) as string;
    await copyFile(join(out, 'features', shard), join(out, 'features', 'extra.csv'));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /stray-file: .*extra\.csv is not in the manifest, yet readers of features\/ would read it/,
    );
  });

  test('names an error line that went missing, by count and by image', async () => {
    const out = await brokenCopy((dir) => writeFile(join(dir, 'errors.jsonl'), ''));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /counts: FJ_IMAGE_EMPTY: 0 error lines, the manifest says 1/);
    assert.match(result.stdout, /image-missing: Apple\/empty\.jpg is planned/);
  });

  test('refuses an output with no manifest', async () => {
    const out = await brokenCopy((dir) => unlink(join(dir, 'manifest.json')));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /manifest: .*manifest\.json does not exist/);
  });
});

async function runCopy(from: string, to: string): Promise<void> {
  const { cp } = await import('node:fs/promises');
  await cp(from, to, { recursive: true });
  assert.ok((await readFile(join(to, 'manifest.json'))).byteLength > 0);
}
