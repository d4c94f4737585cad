import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureJobSpecSchema } from '../../../crds/feature-job-spec.js';
import { parseOperatorConfig } from '../../../operator/config/operator-config.js';
import { buildExtractJob, buildPlannerJob } from '../../../operator/controller/build-executor-job.js';
import type { FeatureJobObject } from '../../../crds/feature-job-resource.js';
import { ExecutorConfigSchema } from '../../../executor/config/executor-config.js';

const featureJob: FeatureJobObject = {
  metadata: { name: 'fruits', namespace: 'team', uid: 'u-1', generation: 1 },
  spec: {},
};
const config = parseOperatorConfig({ executorImage: 'registry.example/featurejob:1.0' });
const spec = FeatureJobSpecSchema.parse({
  input: { bucket: 'fruits', prefix: 'Training/', endpoint: 'http://minio:9000', region: 'eu-west-1' },
  output: { bucket: 'features', prefix: 'runs/1' },
  parallelism: 4,
  retry: { maxAttemptsPerPartition: 3, maxFailedPartitions: 2 },
  activeDeadlineSeconds: 3600,
});

interface Built {
  metadata: { name: string; ownerReferences: Array<{ uid: string; controller: boolean }> };
  spec: Record<string, unknown> & {
    template: {
      spec: Record<string, unknown> & {
        containers: Array<
          Record<string, unknown> & {
            env: Array<{ name: string; value: string }>;
            securityContext: Record<string, unknown>;
            resources: { requests: Record<string, string>; limits: Record<string, string> };
          }
        >;
      };
    };
  };
}

describe('executor Jobs', () => {
  const job = buildExtractJob({ featureJob, spec, config, partitions: 3 }) as unknown as Built;
  const pod = job.spec.template.spec;
  const container = pod.containers[0]!;

  it('is an Indexed Job with one index per partition, a per-index retry budget and parallelism capped by the partitions', () => {
    assert.equal(job.metadata.name, 'fruits-extract');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 3);
    assert.equal(job.spec.parallelism, 3);
    assert.equal(job.spec.backoffLimitPerIndex, 2);
    assert.equal(job.spec.maxFailedIndexes, 2);
    assert.equal(job.spec.podReplacementPolicy, 'Failed');
    assert.equal(job.spec.activeDeadlineSeconds, 3600);
  });

  it('fails an index at once on the bad-configuration exit code and ignores disruptions, SIGTERM included', () => {
    assert.deepEqual(job.spec.podFailurePolicy, {
      rules: [
        { action: 'FailIndex', onExitCodes: { containerName: 'executor', operator: 'In', values: [78] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'Ignore', onExitCodes: { containerName: 'executor', operator: 'In', values: [143] } },
      ],
    });
  });

  it('is owned by the FeatureJob, so deleting it deletes the Job and its pods', () => {
    assert.deepEqual(job.metadata.ownerReferences[0], {
      apiVersion: 'featurejob.dev/v1alpha1',
      kind: 'FeatureJob',
      name: 'fruits',
      uid: 'u-1',
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it('targets the m5.xlarge executor node group with requests that fit it and a 16Gi limit', () => {
    assert.deepEqual(pod.nodeSelector, { 'featurejob.dev/node-group': 'executors' });
    assert.deepEqual(pod.tolerations, [{ key: 'featurejob.dev/executors', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.equal(container.resources.limits.memory, '16Gi');
    assert.equal(container.resources.requests.memory, '12Gi');
    assert.equal(container.resources.requests.cpu, '3');
  });

  it('meets the restricted Pod Security Standard with a read-only root and no service-account token', () => {
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(pod.volumes, [{ name: 'scratch', emptyDir: { sizeLimit: '8Gi' } }]);
  });

  it('hands the executor settings the executor accepts, with threads matched to the CPU request', () => {
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    const settings = ExecutorConfigSchema.parse(JSON.parse(env.FEATUREJOB_EXECUTOR_CONFIG!));
    assert.equal(settings.input, 's3://fruits/Training');
    assert.equal(settings.output, 's3://features/runs/1');
    assert.equal(settings.s3Endpoint, 'http://minio:9000');
    assert.equal(settings.threads, 3);
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.deepEqual(container.command, ['featurejob', 'executor', 'extract']);
  });

  it('builds the same objects every time (deterministic names and content)', () => {
    assert.deepEqual(buildExtractJob({ featureJob, spec, config, partitions: 3 }), job);
    const planner = buildPlannerJob({ featureJob, spec, config }) as unknown as Built;
    assert.equal(planner.metadata.name, 'fruits-plan');
    assert.equal(planner.spec.completions, 1);
    assert.equal((planner.spec.podFailurePolicy as { rules: Array<{ action: string }> }).rules[0]!.action, 'FailJob');
  });
});
