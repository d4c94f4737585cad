import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runExecutor } from '../../../executor/cluster/run-executor.js';
import { isFeatureJobError } from '../../../executor/errors.js';
import { createLogger } from '../../../executor/log/logger.js';
import type { ModelInfo } from '../../../executor/model/model-runner.js';
import { readPlanShard } from '../../../executor/plan/ensure-plan.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { computePlanExclusion, planJob } from '../../../executor/tasks/plan-job.js';

const logger = createLogger({ level: 'silent' });
const model: ModelInfo = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'random', sha256: 'a'.repeat(64) };
const isInvalidArgument = (error: unknown): boolean =>
  isFeatureJobError(error) && error.code === 'FJ_INVALID_ARGUMENT' && error.kind === 'terminal';

describe('planJob, the one planning function of both modes', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-plan-job-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const plan = (input: string, output: string) =>
    planJob({
      stores: { input: new FileStore({ dir: input }), output: new FileStore({ dir: output }) },
      config: { input, output, format: 'parquet', imagesPerPartition: 256 },
      model,
      logger,
    });

  test('refuses an output equal to the input with FJ_INVALID_ARGUMENT, before writing anything', async () => {
    await assert.rejects(plan(join(root, 'same'), join(root, 'same')), isInvalidArgument);
    assert.throws(
      () => computePlanExclusion({ input: 's3://bucket/photos', output: 's3://bucket/photos' }),
      isInvalidArgument,
    );
    assert.equal(computePlanExclusion({ input: 's3://bucket/photos', output: 's3://bucket/photos/out' }), 'out/');
    assert.equal(computePlanExclusion({ input: '/data/photos', output: '/data/out' }), undefined);
  });

  test('refuses an input inside the output, and an output equal to the input but for its trailing slash', async () => {
    await assert.rejects(plan(join(root, 'out', 'photos'), join(root, 'out')), isInvalidArgument);
    assert.throws(
      () => computePlanExclusion({ input: 's3://bucket/out/photos', output: 's3://bucket/out' }),
      isInvalidArgument,
    );
    assert.throws(
      () => computePlanExclusion({ input: 's3://bucket/photos', output: 's3://bucket' }),
      isInvalidArgument,
    );
    assert.throws(
      () => computePlanExclusion({ input: 's3://bucket/photos/', output: 's3://bucket/photos' }),
      isInvalidArgument,
    );
    // A sibling whose name merely starts with the output's is not inside it.
    assert.equal(computePlanExclusion({ input: 's3://bucket/outputs-raw', output: 's3://bucket/out' }), undefined);
    assert.equal(computePlanExclusion({ input: 's3://other/out/photos', output: 's3://bucket/out' }), undefined);
  });

  test('does not list an output nested inside the input as input', async () => {
    const input = join(root, 'photos');
    const output = join(input, 'features');
    await mkdir(join(input, 'Apple'), { recursive: true });
    await mkdir(output, { recursive: true });
    await writeFile(join(input, 'Apple', 'a.jpg'), 'not decoded while planning');
    // What an earlier run (or another tool) left in the output must never become input.
    await writeFile(join(output, 'left-over.jpg'), 'output');
    const { plan: planned, created } = await plan(input, output);
    assert.equal(created, true);
    assert.deepEqual([planned.images, planned.listed], [1, 1]);
    assert.deepEqual(await readPlanShard(new FileStore({ dir: output }), planned, 0), ['Apple/a.jpg']);
  });
});

describe('the executor plan pod', () => {
  test('refuses an output equal to the input with the same code, before resolving any weights', async () => {
    const settings = {
      version: 1,
      input: 's3://bucket/photos',
      output: 's3://bucket/photos',
      format: 'parquet',
      weights: 'random',
      imagesPerPartition: 64,
      threads: 1,
      batchSize: 8,
    };
    await assert.rejects(
      runExecutor({ mode: 'plan', env: { FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings) }, logger }),
      isInvalidArgument,
    );
  });
});
