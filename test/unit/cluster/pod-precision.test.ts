/**
 * `spec.model.precision` in executor pods: it reaches their settings, int8 (not built for
 * pods yet) fails the plan and extract tasks as a bad configuration before anything is read
 * or written, and auto runs fp32 and says so.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { FeatureJobSpecSchema } from '../../../crds/feature-job-spec.js';
import { ExecutorExitCodes, computeExitCode } from '../../../executor/cluster/executor-exit-codes.js';
import { assertPodPrecision, parseExecutorConfig, runExecutor } from '../../../executor/cluster/run-executor.js';
import { isFeatureJobError } from '../../../executor/errors.js';
import { createLogger } from '../../../executor/log/logger.js';
import { buildExecutorConfig } from '../../../operator/controller/build-executor-config.js';

const logger = createLogger({ level: 'silent' });
const baseSpec = {
  input: { bucket: 'fruits', prefix: 'Training/' },
  output: { bucket: 'features', prefix: 'runs/1' },
};

describe('spec.model.precision', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-pod-precision-'));
    await mkdir(join(root, 'in', 'Apple'), { recursive: true });
    await writeFile(join(root, 'in', 'Apple', 'a.jpg'), 'x');
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('defaults to fp32, accepts fp32, int8 and auto, refuses anything else', () => {
    assert.equal(FeatureJobSpecSchema.parse(baseSpec).model.precision, 'fp32');
    for (const precision of ['fp32', 'int8', 'auto'] as const)
      assert.equal(FeatureJobSpecSchema.parse({ ...baseSpec, model: { precision } }).model.precision, precision);
    assert.equal(FeatureJobSpecSchema.safeParse({ ...baseSpec, model: { precision: 'fp16' } }).success, false);
  });

  test('reaches the executor settings the operator writes, which the executor parses', () => {
    for (const precision of ['fp32', 'int8', 'auto'] as const) {
      const spec = FeatureJobSpecSchema.parse({ ...baseSpec, model: { precision } });
      const settings = buildExecutorConfig(spec, { cpuRequest: '3500m' });
      const parsed = parseExecutorConfig({ FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings) });
      assert.equal(parsed.precision, precision);
    }
    const { precision: _, ...older } = buildExecutorConfig(FeatureJobSpecSchema.parse(baseSpec), {
      cpuRequest: '1',
    });
    // Settings written by an operator before the field: fp32.
    assert.equal(parseExecutorConfig({ FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(older) }).precision, 'fp32');
  });

  for (const mode of ['plan', 'extract'] as const) {
    test(`int8 fails the ${mode} task as a bad configuration before anything is read or written`, async () => {
      const out = join(root, `out-${mode}`);
      const env = {
        FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify({
          version: 1,
          input: join(root, 'in'),
          output: out,
          format: 'parquet',
          weights: join(root, 'no-such-model.onnx'),
          imagesPerPartition: 256,
          threads: 1,
          batchSize: 1,
          precision: 'int8',
        }),
        JOB_COMPLETION_INDEX: '0',
      };
      await assert.rejects(runExecutor({ mode, env, logger }), (error: unknown) => {
        assert.ok(isFeatureJobError(error) && error.code === 'FJ_PRECISION_UNSUPPORTED', String(error));
        assert.match(error.message, /spec\.model\.precision int8 is not built for executor pods yet/);
        assert.equal(computeExitCode(error), ExecutorExitCodes.badConfiguration);
        return true;
      });
      assert.deepEqual(await readdir(out).catch(() => []), []);
    });
  }

  test('auto runs fp32 in pods and says so in the log', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const settings = buildExecutorConfig(FeatureJobSpecSchema.parse({ ...baseSpec, model: { precision: 'auto' } }), {
      cpuRequest: '1',
    });
    assertPodPrecision(parseExecutorConfig({ FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings) }), pino(sink));
    assert.match(lines.join(''), /spec\.model\.precision auto runs fp32/);
  });
});
