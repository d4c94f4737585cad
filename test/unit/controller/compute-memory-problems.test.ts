import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureJobSpecSchema, type FeatureJobSpecInput } from '../../../crds/feature-job-spec.js';
import { ExecutorConfigSchema } from '../../../executor/config/executor-config.js';
import { parseOperatorConfig } from '../../../operator/config/operator-config.js';
import { buildExtractJob } from '../../../operator/controller/build-executor-job.js';
import { computeMemoryProblems } from '../../../operator/controller/compute-memory-problems.js';

const config = parseOperatorConfig({ executorImage: 'registry.example/featurejob:1.0' });
const location = { input: { bucket: 'fruits', prefix: 'Training/' }, output: { bucket: 'features', prefix: 'runs/1' } };
const problemsOf = (spec: Omit<FeatureJobSpecInput, 'input' | 'output'>): string[] =>
  computeMemoryProblems(FeatureJobSpecSchema.parse({ ...location, ...spec }), config.executorDefaults);

describe('admission of a FeatureJob by the memory of its executor pods', () => {
  it('accepts the defaults within the default 16Gi limit', () => {
    assert.deepEqual(problemsOf({}), []);
  });

  it('refuses a batch size the 16Gi limit cannot hold, naming the limit, the terms and the fields to change', () => {
    const [problem, ...rest] = problemsOf({ executor: { batchSize: 256 } });
    assert.equal(rest.length, 0);
    assert.match(problem ?? '', /more than the 16 GiB of spec\.executor\.resources\.limits\.memory \(16Gi\)/);
    assert.match(problem ?? '', /batch \(256 slots x 64 MiB\) 16 GiB/);
    assert.match(problem ?? '', /lower spec\.executor\.batchSize or spec\.imagesPerPartition/);
    // The same batch fits a larger limit.
    assert.deepEqual(problemsOf({ executor: { batchSize: 256, resources: { limits: { memory: '32Gi' } } } }), []);
  });

  it('refuses partitions whose rows cannot be held, and leaves a partition count to the executors', () => {
    assert.match(problemsOf({ imagesPerPartition: 1_000_000 }).join(), /partition rows and shard \(1000000 x/);
    assert.deepEqual(problemsOf({ partitions: 1 }), []);
    assert.match(problemsOf({ executor: { resources: { limits: { memory: '3500m' } } } }).join(), /not a byte size/);
  });

  it('tells each executor its memory limit, so it refuses a partition too large for it', () => {
    const spec = FeatureJobSpecSchema.parse({ ...location, executor: { resources: { limits: { memory: '8Gi' } } } });
    const job = buildExtractJob({
      featureJob: { metadata: { name: 'fruits', namespace: 'team', uid: 'u-1', generation: 1 }, spec: {} },
      spec,
      config,
      partitions: 3,
    }) as unknown as {
      spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } };
    };
    const env = job.spec.template.spec.containers[0]!.env.find((e) => e.name === 'FEATUREJOB_EXECUTOR_CONFIG');
    assert.equal(ExecutorConfigSchema.parse(JSON.parse(env!.value)).memoryLimitBytes, 8 * 2 ** 30);
  });
});
