/**
 * A table never mixes precisions, end to end with the real CLI, worker processes and the
 * full-size random VGG16: a job whose partitions committed under int8 (or fp32) and was then
 * interrupted before its last partition and its merge is resumed with another precision, and
 * the resume stops with FJ_PRECISION_MISMATCH naming both, writing nothing; `auto` resumes with
 * the precision already committed. The interruption is made real on the files: after a full
 * run, the manifest, errors.jsonl and one partition's marker, shard and errors file are removed,
 * which is what an output looks like when the process died before that partition committed.
 * Few images and calibration images, as in run-precision.test.ts (same images, same sample:
 * the cached int8 model is shared).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCommitMarker, type CommitMarker } from '../../../executor/output/commit-marker-schema.js';
import { readParquetShardPrecision } from '../../../executor/output/parquet-precision-metadata.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages, type Expectation } from '../../support/write-test-images.js';

const PARTITIONS = 3;

/** Every file under `dir` with the sha256 of its bytes: what "writes nothing" compares. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(
      path.slice(dir.length + 1),
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return files;
}

async function readMarkers(out: string): Promise<CommitMarker[]> {
  const dir = join(out, '_featurejob', 'commits');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(names.map(async (name) => parseCommitMarker(JSON.parse(await readFile(join(dir, name), 'utf8')))));
}

/** Leaves `out` as a run that died before partition `index` committed and before the merge. */
async function interruptBefore(out: string, index: number): Promise<void> {
  const marker = (await readMarkers(out)).find((m) => m.partition === index);
  assert.ok(marker !== undefined, `partition ${index} has no marker`);
  for (const key of ['manifest.json', 'errors.jsonl', marker.shardKey, marker.errorsKey])
    await rm(join(out, key), { force: false });
  await rm(join(out, '_featurejob', 'commits', `part-${String(index).padStart(5, '0')}.json`));
  // What the merge writes for the table version (docs/versions.md) is not there before it ran either.
  for (const key of [
    'features/_delta_log',
    '_featurejob/images',
    '_featurejob/manifest.json',
    '_featurejob/errors.jsonl',
  ])
    await rm(join(out, key), { recursive: true, force: false });
  assert.equal((await readMarkers(out)).length, PARTITIONS - 1);
}

describe('featurejob run: a table never mixes precisions', () => {
  let root: string;
  let input: string;
  let expected: Map<string, Expectation>;
  const common = [
    '--weights',
    'random',
    '--calibration-images',
    '4',
    '--partitions',
    String(PARTITIONS),
    '--progress',
    'none',
  ];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-precision-resume-'));
    input = join(root, 'images');
    expected = await writePlainImages(input, { count: 12 });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('int8 committed, resumed with fp32: FJ_PRECISION_MISMATCH naming both, nothing written; auto resumes int8', async () => {
    const out = join(root, 'int8');
    const first = await runCli(['run', input, '--out', out, '--precision', 'int8', ...common]);
    assert.equal(first.code, 0, first.stderr);

    // Where the precision is recorded: every marker, every shard's metadata, every manifest partition.
    const int8Sha256 = (await readJobOutput(new FileStore({ dir: out }))).manifest.precision?.int8Sha256;
    assert.match(int8Sha256 ?? '', /^[0-9a-f]{64}$/);
    const markers = await readMarkers(out);
    assert.deepEqual(
      markers.map((m) => [m.precision, m.int8Sha256]),
      markers.map(() => ['int8', int8Sha256]),
    );
    for (const marker of markers) {
      assert.deepEqual(readParquetShardPrecision(await readFile(join(out, marker.shardKey))), {
        precision: 'int8',
        int8Sha256,
      });
    }

    await interruptBefore(out, 1);
    const left = await snapshot(out);
    const resumed = await runCli(['run', input, '--out', out, ...common]);
    assert.equal(resumed.code, 1, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(
        `FJ_PRECISION_MISMATCH: 2 partitions of ${out} were made with int8 ` +
          `\\(model sha256 ${int8Sha256?.slice(0, 12)}…\\), this run chose fp32; rerun with --precision int8`,
      ),
    );
    assert.deepEqual(await snapshot(out), left, 'the refused resume wrote or removed files');

    // auto prefers what the committed partitions were made with: its gate passes, so int8.
    const auto = await runCli(['run', input, '--out', out, '--precision', 'auto', ...common]);
    assert.equal(auto.code, 0, auto.stderr);
    const output = await readJobOutput(new FileStore({ dir: out }));
    assertEachImageOnce(output, expected);
    assert.equal(output.manifest.precision?.used, 'int8');
    assert.equal(output.manifest.precision?.int8Sha256, int8Sha256);
    assert.deepEqual(
      output.manifest.partitions.map((p) => [p.precision, p.int8Sha256]),
      output.manifest.partitions.map(() => ['int8', int8Sha256]),
    );
    const redone = (await readMarkers(out)).find((m) => m.partition === 1);
    assert.equal(redone?.int8Sha256, int8Sha256);
    assert.deepEqual(readParquetShardPrecision(await readFile(join(out, redone?.shardKey ?? ''))), {
      precision: 'int8',
      int8Sha256,
    });
  });

  test('fp32 committed, resumed with int8: refused before calibrating, nothing written; auto resumes fp32', async () => {
    const out = join(root, 'fp32');
    const first = await runCli(['run', input, '--out', out, ...common]);
    assert.equal(first.code, 0, first.stderr);
    const markers = await readMarkers(out);
    assert.deepEqual(
      markers.map((m) => [m.precision, m.int8Sha256]),
      markers.map(() => ['fp32', undefined]),
    );
    assert.deepEqual(readParquetShardPrecision(await readFile(join(out, markers[0]?.shardKey ?? ''))), {
      precision: 'fp32',
    });

    await interruptBefore(out, 2);
    const left = await snapshot(out);
    const resumed = await runCli(['run', input, '--out', out, '--precision', 'int8', ...common]);
    assert.equal(resumed.code, 1, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(
        `FJ_PRECISION_MISMATCH: 2 partitions of ${out} were made with fp32, this run chose int8; rerun with --precision fp32`,
      ),
    );
    assert.doesNotMatch(resumed.stderr, /calibrating|fidelity/);
    assert.deepEqual(await snapshot(out), left, 'the refused resume wrote or removed files');

    const auto = await runCli(['run', input, '--out', out, '--precision', 'auto', ...common]);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stderr, /--precision auto runs fp32: 2 partitions of this output were already made with fp32/);
    const output = await readJobOutput(new FileStore({ dir: out }));
    assertEachImageOnce(output, expected);
    assert.equal(output.manifest.precision?.requested, 'auto');
    assert.equal(output.manifest.precision?.used, 'fp32');
    assert.equal(output.manifest.precision?.gate, undefined, 'auto measured nothing');
    assert.deepEqual(
      output.manifest.partitions.map((p) => p.precision),
      output.manifest.partitions.map(() => 'fp32'),
    );
  });
});
