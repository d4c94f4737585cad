import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mergeManifest } from '../../../executor/commit/merge-manifest.js';
import { commitPartition } from '../../../executor/commit/commit-partition.js';
import { FP32_PRECISION } from '../../../executor/output/shard-precision.js';
import { isFeatureJobError } from '../../../executor/errors.js';
import type { ModelInfo } from '../../../executor/model/model-runner.js';
import { ensurePlan, readPlanShard } from '../../../executor/plan/ensure-plan.js';
import { attemptErrorsKey, shardKey } from '../../../executor/plan/partition-naming.js';
import { FileStore } from '../../../executor/storage/file-store.js';

const model: ModelInfo = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'random', sha256: 'b'.repeat(64) };

describe('plans are create-only and identified', () => {
  let root: string;
  let input: FileStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-plan-race-'));
    await mkdir(join(root, 'in', 'Apple'), { recursive: true });
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await writeFile(join(root, 'in', 'Apple', name), 'x');
    input = new FileStore({ dir: join(root, 'in') });
  });
  after(() => rm(root, { recursive: true, force: true }));

  const plan = (out: string, partitions: number) =>
    ensurePlan({
      input,
      output: new FileStore({ dir: join(root, out) }),
      format: 'parquet',
      model,
      partitions,
      imagesPerPartition: 256,
    });

  test('of two planners racing on one output, one plan wins and both use it; the loser leaves no shard', async () => {
    const [first, second] = await Promise.all([plan('race', 2), plan('race', 2)]);
    assert.equal(first.plan.planId, second.plan.planId);
    assert.deepEqual([first.created, second.created].sort(), [false, true]);
    assert.match(first.plan.planId ?? '', /^p[0-9a-z]+$/);
    const output = new FileStore({ dir: join(root, 'race') });
    const shards: string[] = [];
    for await (const object of output.list('_featurejob/plan/')) shards.push(object.key);
    assert.deepEqual(
      shards,
      [0, 1].map((i) => `_featurejob/plan/${first.plan.planId}/part-0000${i}.json`),
    );
    assert.deepEqual(await readPlanShard(output, first.plan, 0), ['Apple/a.jpg', 'Apple/b.jpg']);
  });

  test('a racing planner with other settings fails with FJ_PLAN_MISMATCH instead of mixing plans', async () => {
    const results = await Promise.allSettled([plan('race-other', 2), plan('race-other', 3)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failed = results.find((r) => r.status === 'rejected');
    assert.ok(failed !== undefined && isFeatureJobError(failed.reason) && failed.reason.code === 'FJ_PLAN_MISMATCH');
  });

  test('the merge refuses a commit marker written for another plan', async () => {
    const { plan: planned } = await plan('foreign', 1);
    const output = new FileStore({ dir: join(root, 'foreign') });
    await commitPartition(output, {
      index: 0,
      attempt: 'a1',
      planId: 'pother0000',
      shardKey: shardKey(0, 'a1', 'parquet'),
      shard: Buffer.from('x'),
      errorsKey: attemptErrorsKey(0, 'a1'),
      errorLines: '',
      rows: 3,
      failed: 0,
      failuresByCode: {},
      precision: FP32_PRECISION,
    });
    await assert.rejects(mergeManifest({ output, plan: planned }), (error: unknown) => {
      assert.ok(isFeatureJobError(error) && error.code === 'FJ_PLAN_MISMATCH', String(error));
      assert.match(error.message, /belong to another plan/);
      return true;
    });
  });
});
