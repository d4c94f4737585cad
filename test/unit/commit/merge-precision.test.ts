/**
 * A table never mixes precisions: the merge refuses commit markers of mixed precisions, or of
 * another precision than the run's, with FJ_PRECISION_MISMATCH naming both and writing
 * nothing; otherwise every manifest partition says what its shard was made with.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commitPartition } from '../../../executor/commit/commit-partition.js';
import {
  assertCommittedKind,
  assertCommittedPrecision,
  computeCommittedPrecision,
} from '../../../executor/commit/committed-precision.js';
import { mergeManifest } from '../../../executor/commit/merge-manifest.js';
import { FeatureJobError, isFeatureJobError } from '../../../executor/errors.js';
import type { ModelInfo } from '../../../executor/model/model-runner.js';
import type { CommitMarker } from '../../../executor/output/commit-marker-schema.js';
import type { ManifestPrecision } from '../../../executor/output/manifest-schema.js';
import { FP32_PRECISION, type ShardPrecision } from '../../../executor/output/shard-precision.js';
import { ensurePlan } from '../../../executor/plan/ensure-plan.js';
import { attemptErrorsKey, commitMarkerKey, shardKey } from '../../../executor/plan/partition-naming.js';
import { FileStore } from '../../../executor/storage/file-store.js';

const model: ModelInfo = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'random', sha256: 'b'.repeat(64) };
const INT8: ShardPrecision = { precision: 'int8', int8Sha256: 'c'.repeat(64) };
const OTHER_INT8: ShardPrecision = { precision: 'int8', int8Sha256: 'd'.repeat(64) };
const int8Record: ManifestPrecision = {
  requested: 'int8',
  used: 'int8',
  int8Sha256: 'c'.repeat(64),
  cpuFlags: ['avx2'],
  onnxruntime: '1.30.0',
};

function mismatch(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isFeatureJobError(error) && error.code === 'FJ_PRECISION_MISMATCH', String(error));
    assert.match(error.message, pattern);
    return true;
  };
}

describe('the merge and the precision of commit markers', () => {
  let root: string;
  let input: FileStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-merge-precision-'));
    await mkdir(join(root, 'in', 'Apple'), { recursive: true });
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await writeFile(join(root, 'in', 'Apple', name), 'x');
    input = new FileStore({ dir: join(root, 'in') });
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** An output whose three one-image partitions committed with these precisions (undefined: an old marker). */
  async function committed(out: string, precisions: ReadonlyArray<ShardPrecision | undefined>) {
    const output = new FileStore({ dir: join(root, out) });
    const { plan } = await ensurePlan({
      input,
      output,
      format: 'parquet',
      model,
      partitions: 3,
      imagesPerPartition: 256,
    });
    for (const [index, precision] of precisions.entries()) {
      const attempt = `a${index}`;
      const { marker } = await commitPartition(output, {
        index,
        attempt,
        ...(plan.planId === undefined ? {} : { planId: plan.planId }),
        shardKey: shardKey(index, attempt, 'parquet'),
        shard: Buffer.from(`shard ${index}`),
        errorsKey: attemptErrorsKey(index, attempt),
        errorLines: '',
        rows: 1,
        failed: 0,
        failuresByCode: {},
        precision: precision ?? FP32_PRECISION,
      });
      if (precision === undefined) {
        // As written before precisions were recorded.
        const { precision: _, int8Sha256: __, ...old } = marker;
        await output.put(commitMarkerKey(index), JSON.stringify(old));
      }
    }
    return { output, plan, dir: join(root, out) };
  }

  test('an int8 run: every partition of the manifest says int8 and names the int8 model', async () => {
    const { output, plan } = await committed('int8', [INT8, INT8, INT8]);
    const { manifest } = await mergeManifest({ output, plan, precision: int8Record });
    assert.deepEqual(
      manifest.partitions.map((p) => [p.precision, p.int8Sha256]),
      [0, 1, 2].map(() => ['int8', 'c'.repeat(64)]),
    );
    assert.equal(manifest.precision?.used, 'int8');
  });

  test('an fp32 run over markers written before precisions were recorded: fp32 throughout', async () => {
    const { output, plan } = await committed('old', [undefined, FP32_PRECISION, undefined]);
    const { manifest } = await mergeManifest({ output, plan });
    assert.deepEqual(
      manifest.partitions.map((p) => [p.precision, p.int8Sha256]),
      [0, 1, 2].map(() => ['fp32', undefined]),
    );
  });

  for (const [name, precisions, record, pattern] of [
    [
      'markers of mixed precisions',
      [INT8, FP32_PRECISION, INT8],
      int8Record,
      /mix precisions: 2 partitions \(first 0\) with int8 \(model sha256 cccccccccccc…\), 1 partition \(first 1\) with fp32/,
    ],
    [
      'int8 markers merged by an fp32 run',
      [INT8, INT8, INT8],
      undefined,
      /3 partitions of .* were made with int8.*this run chose fp32/,
    ],
    [
      'fp32 markers merged by an int8 run',
      [undefined, FP32_PRECISION, undefined],
      int8Record,
      /were made with fp32, this run chose int8/,
    ],
    [
      'markers of another int8 model',
      [OTHER_INT8, OTHER_INT8, OTHER_INT8],
      int8Record,
      /made with int8 \(model sha256 dddddddddddd…\), this run chose int8 \(model sha256 cccccccccccc…\)/,
    ],
  ] as const) {
    test(`refuses ${name} with FJ_PRECISION_MISMATCH and writes nothing`, async () => {
      const { output, plan, dir } = await committed(name.replaceAll(' ', '-'), precisions);
      const before = (await readdir(dir, { recursive: true })).sort();
      await assert.rejects(
        mergeManifest({ output, plan, ...(record === undefined ? {} : { precision: record }) }),
        mismatch(pattern),
      );
      assert.deepEqual((await readdir(dir, { recursive: true })).sort(), before);
      assert.ok(!before.includes('manifest.json') && !before.includes('errors.jsonl'));
    });
  }
});

describe('the committed precision of an output', () => {
  const markerWith = (partition: number, precision?: ShardPrecision) =>
    ({ partition, ...(precision === undefined ? {} : precision) }) as unknown as CommitMarker;

  test('is none without markers, and the one precision of all of them, counted', () => {
    assert.equal(computeCommittedPrecision([], 'out'), undefined);
    assert.deepEqual(computeCommittedPrecision([markerWith(0, INT8), markerWith(4, INT8)], 'out'), {
      precision: INT8,
      partitions: 2,
    });
    assert.deepEqual(computeCommittedPrecision([markerWith(0), markerWith(1, FP32_PRECISION)], 'out'), {
      precision: FP32_PRECISION,
      partitions: 2,
    });
  });

  test('names both precisions, why, and what to do when a run chose another', () => {
    const committed = { precision: INT8, partitions: 3 };
    const wording = { uri: '/data/out', hint: 'rerun with --precision int8 or use a new --out' };
    assert.throws(
      () => assertCommittedPrecision(committed, FP32_PRECISION, { ...wording, reason: 'auto fell back' }),
      mismatch(
        new RegExp(
          '^3 partitions of /data/out were made with int8 \\(model sha256 cccccccccccc…\\), ' +
            'this run chose fp32 \\(auto fell back\\); rerun with --precision int8 or use a new --out$',
        ),
      ),
    );
    assert.throws(() => assertCommittedKind(committed, 'fp32', wording), mismatch(/this run chose fp32;/));
    assert.throws(
      () => assertCommittedKind({ precision: FP32_PRECISION, partitions: 1 }, 'int8', wording),
      mismatch(/^1 partition of \/data\/out was made with fp32, this run chose int8;/),
    );
    // The same precision, or nothing committed, passes.
    assertCommittedPrecision(committed, INT8, wording);
    assertCommittedKind(committed, 'int8', wording);
    assertCommittedPrecision(undefined, FP32_PRECISION, wording);
    assert.ok(new FeatureJobError('FJ_PRECISION_MISMATCH', 'x').kind === 'terminal');
  });
});
