import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writeEdgeCaseImages, writePlainImages, type Expectation } from '../../support/write-test-images.js';

describe('featurejob run on a local directory', () => {
  let root: string;
  let input: string;
  let out: string;
  let expected: Map<string, Expectation>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-run-'));
    input = join(root, 'images');
    out = join(root, 'out');
    expected = new Map([...(await writePlainImages(input, { count: 9 })), ...(await writeEdgeCaseImages(input))]);
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('every image ends as exactly one feature row or one error line with a stable code', async () => {
    const result = await runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      out,
      '--partitions',
      '3',
      '--batch-size',
      '4',
      '--progress',
      'log',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new FileStore({ dir: out }));
    assertEachImageOnce(output, expected);
    assert.equal(output.manifest.input.skipped, 2);
    assert.equal(output.manifest.partitions.length, 3);
    assert.equal(output.manifest.model.dimensions, 4096);
    assert.match(output.manifest.model.weights, /^random/);
    for (const [path, row] of output.rows) {
      assert.equal(row.features.length, 4096);
      assert.equal(row.label, path.split('/')[0]);
      assert.ok(
        row.features.every((value) => Number.isFinite(value) && value >= 0),
        `${path} features are finite ReLU outputs`,
      );
    }
    assert.match(result.stdout, /images per hour per vCPU/);
    assert.match(result.stderr, /RANDOM weights/);
  });

  test('rerunning the same command redoes no committed partition and duplicates no row', async () => {
    const shardsBefore = await readdir(join(out, 'features'));
    const manifestBefore = await readFile(join(out, 'manifest.json'), 'utf8');
    const result = await runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      out,
      '--partitions',
      '3',
      '--progress',
      'none',
    ]);
    assert.equal(result.code, 0, result.stderr);
    // Nothing changed since: the table is up to date and the run writes nothing (docs/versions.md).
    assert.match(result.stdout, /^up to date at version 0: no new, changed or removed images; nothing written$/m);
    assert.deepEqual(await readdir(join(out, 'features')), shardsBefore);
    assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), manifestBefore);
    assertEachImageOnce(await readJobOutput(new FileStore({ dir: out })), expected);
  });

  test('a rerun with different settings on the same output is refused', async () => {
    const result = await runCli(['run', '--weights', 'random', input, '--out', out, '--format', 'csv']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /FJ_PLAN_MISMATCH/);
  });
});

describe('featurejob run --format csv', () => {
  test('writes the reference layout dim_0..dim_4095,path', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fj-csv-'));
    try {
      await writePlainImages(join(root, 'images'), { count: 3 });
      const result = await runCli([
        'run',
        '--weights',
        'random',
        join(root, 'images'),
        '--out',
        join(root, 'out'),
        '--format',
        'csv',
        '--progress',
        'none',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const [shard] = await readdir(join(root, 'out', 'features'));
      assert.match(shard ?? '', /^part-00000-.*\.csv$/);
      const lines = (await readFile(join(root, 'out', 'features', shard as string), 'utf8')).trimEnd().split('\n');
      const header = lines[0]?.split(',') ?? [];
      assert.equal(header.length, 4097);
      assert.equal(header[0], 'dim_0');
      assert.equal(header[4095], 'dim_4095');
      assert.equal(header[4096], 'path');
      assert.equal(lines.length, 4);
      const first = lines[1]?.split(',') ?? [];
      assert.equal(first[4096], 'Apple/r0_0.jpg');
      assert.ok(first.slice(0, 4096).every((value) => Number.isFinite(Number(value))));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('featurejob argument errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['no input', ['run', '--out', '/tmp/x'], /missing <input>/],
    ['no --out', ['run', '/tmp/in'], /missing --out/],
    ['a zero batch size', ['run', '/tmp/in', '--out', '/tmp/x', '--batch-size', '0'], /--batch-size/],
    ['an unknown format', ['run', '/tmp/in', '--out', '/tmp/x', '--format', 'xml'], /--format/],
    ['an unknown option', ['run', '/tmp/in', '--out', '/tmp/x', '--fast'], /Unknown option '--fast'/],
    ['a malformed S3 URI', ['run', 's3://', '--out', '/tmp/x'], /s3:\/\//],
    ['an unknown command', ['frobnicate'], /unknown command/],
  ];
  for (const [name, args, message] of cases) {
    test(`${name} gives a clear message and exit code 2`, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }

  test('--help documents every option', async () => {
    const result = await runCli(['run', '--help']);
    assert.equal(result.code, 0);
    for (const option of [
      '--out',
      '--partitions',
      '--workers',
      '--threads',
      '--batch-size',
      '--weights',
      '--format',
      '--s3-endpoint',
      '--region',
      '--max-pixels',
      '--max-attempts',
      '--progress',
      '--seed',
      '--images-per-partition',
      '--fetch-concurrency',
    ]) {
      assert.ok(result.stdout.includes(option), `help mentions ${option}`);
    }
  });
});
