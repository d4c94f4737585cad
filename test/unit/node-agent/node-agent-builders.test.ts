import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { buildPrefixCommandMap } from '../../cluster/node-agent/command-map.js';
import { signalExitCode } from '../../cluster/node-agent/container-process.js';
import { resolveFieldRef, resolveResourceFieldRef } from '../../cluster/node-agent/downward-api.js';
import { buildNodeLabels, microTime } from '../../cluster/node-agent/node-object.js';
import { expandVariables } from '../../cluster/node-agent/pod-env.js';
import {
  buildPodStatus,
  computeFinalPhase,
  computePodConditions,
  computeTerminatedReason,
} from '../../cluster/node-agent/pod-status.js';
import type { Pod } from '../../cluster/node-agent/pod-types.js';
import { rewriteMountedPath } from '../../cluster/node-agent/pod-volumes.js';
import { processTrees, treeResidentBytes } from '../../cluster/node-agent/process-tree.js';
import { parseMemoryBytes, parseQuantity } from '../../cluster/node-agent/quantity.js';

const pod: Pod = {
  metadata: {
    name: 'job-0-abcde',
    namespace: 'jobs',
    uid: 'u-1',
    labels: { app: 'x' },
    annotations: { 'batch.kubernetes.io/job-completion-index': '3' },
  },
  spec: {
    nodeName: 'executor-1',
    restartPolicy: 'Never',
    containers: [{ name: 'main', image: 'img:1', command: ['true'] }],
  },
};

describe('node agent quantities', () => {
  it('parses binary, decimal and plain memory quantities into bytes', () => {
    assert.equal(parseMemoryBytes('64Mi'), 64 * 1024 * 1024);
    assert.equal(parseMemoryBytes('1Gi'), 2 ** 30);
    assert.equal(parseMemoryBytes('512Ki'), 512 * 1024);
    assert.equal(parseMemoryBytes('1.5G'), 1.5e9);
    assert.equal(parseMemoryBytes('128M'), 128e6);
    assert.equal(parseMemoryBytes('2k'), 2000);
    assert.equal(parseMemoryBytes('1000'), 1000);
    assert.equal(parseMemoryBytes(4096), 4096);
    assert.equal(parseMemoryBytes('12e6'), 12e6);
    assert.equal(parseQuantity('500m'), 0.5);
  });

  it('rejects what is not a quantity', () => {
    assert.throws(() => parseQuantity('64MB'), /not a Kubernetes quantity/);
    assert.throws(() => parseQuantity(''), /not a Kubernetes quantity/);
  });
});

describe('node agent env and argv', () => {
  it('expands $(VAR) references like Kubernetes, leaving unknown ones and unescaping $$', () => {
    const lookup = (name: string): string | undefined => ({ A: 'x', B: 'y' })[name];
    assert.equal(expandVariables('$(A)-$(B)', lookup), 'x-y');
    assert.equal(expandVariables('$(C) stays', lookup), '$(C) stays');
    assert.equal(expandVariables('$$(A) is escaped', lookup), '$(A) is escaped');
    assert.equal(expandVariables('price $5 and $(A', lookup), 'price $5 and $(A');
  });

  it('rewrites paths under a mountPath to the host directory, whole components only', () => {
    const mounts = [{ mountPath: '/scratch', hostPath: '/work/pod/volumes/scratch' }];
    assert.equal(rewriteMountedPath('/scratch', mounts), '/work/pod/volumes/scratch');
    assert.equal(rewriteMountedPath('/scratch/tmp/x', mounts), '/work/pod/volumes/scratch/tmp/x');
    assert.equal(rewriteMountedPath('/scratchpad', mounts), '/scratchpad');
    assert.equal(rewriteMountedPath('s3://bucket/scratch', mounts), 's3://bucket/scratch');
  });

  it('maps a command by its first word and leaves other commands as written', () => {
    const map = buildPrefixCommandMap({ featurejob: ['/usr/bin/node', '/repo/dist/executor/cli/featurejob.js'] });
    assert.deepEqual(map(['featurejob', 'executor', '--x']), [
      '/usr/bin/node',
      '/repo/dist/executor/cli/featurejob.js',
      'executor',
      '--x',
    ]);
    assert.deepEqual(map(['sh', '-c', 'true']), ['sh', '-c', 'true']);
  });

  it('resolves the downward API the Job controller relies on', () => {
    assert.equal(resolveFieldRef(pod, "metadata.annotations['batch.kubernetes.io/job-completion-index']"), '3');
    assert.equal(resolveFieldRef(pod, "metadata.labels['app']"), 'x');
    assert.equal(resolveFieldRef(pod, 'metadata.name'), 'job-0-abcde');
    assert.equal(resolveFieldRef(pod, 'spec.nodeName'), 'executor-1');
    assert.equal(resolveFieldRef(pod, 'status.podIP'), '127.0.0.1');
    assert.throws(() => resolveFieldRef(pod, 'spec.hostname'), /cannot resolve the fieldRef spec.hostname/);
    const container = { name: 'main', resources: { limits: { memory: '2Gi' } } };
    const allocatable = { cpu: '4', memory: '14162Mi' };
    assert.equal(
      resolveResourceFieldRef(container, { resource: 'limits.memory', divisor: '1Mi' }, allocatable),
      '2048',
    );
    assert.equal(resolveResourceFieldRef(container, { resource: 'limits.cpu' }, allocatable), '4');
  });
});

describe('node agent statuses', () => {
  it("builds an EKS m5.xlarge node's labels with the caller's on top", () => {
    const labels = buildNodeLabels({ name: 'n1', labels: { 'featurejob.dev/node-group': 'executors' } });
    assert.equal(labels['node.kubernetes.io/instance-type'], 'm5.xlarge');
    assert.equal(labels['kubernetes.io/hostname'], 'n1');
    assert.equal(labels['featurejob.dev/node-group'], 'executors');
  });

  it('writes MicroTime with six fractional digits', () => {
    assert.equal(microTime(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000Z');
  });

  it('keeps conditions it does not own and transition times of unchanged ones', () => {
    const existing = [
      { type: 'PodScheduled', status: 'True' as const, lastTransitionTime: 't0' },
      { type: 'DisruptionTarget', status: 'True' as const, lastTransitionTime: 't1' },
      { type: 'Ready', status: 'True' as const, lastTransitionTime: 't2' },
    ];
    const conditions = computePodConditions(
      existing,
      [
        { type: 'Ready', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      'now',
    );
    assert.equal(conditions.find((c) => c.type === 'DisruptionTarget')?.lastTransitionTime, 't1');
    assert.equal(conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, 't2');
    const changed = computePodConditions(existing, [{ type: 'Ready', status: 'False' }], 'now');
    assert.equal(changed.find((c) => c.type === 'Ready')?.lastTransitionTime, 'now');
  });

  it('reports a terminated container like a kubelet', () => {
    const terminated = { exitCode: 137, reason: computeTerminatedReason(137, true), finishedAt: 'b', startedAt: 'a' };
    const status = buildPodStatus(
      pod,
      { container: pod.spec.containers[0]!, containerID: 'c', restartCount: 0, podStartedAt: 'a', terminated },
      'Failed',
      new Date(),
    );
    assert.equal(status.phase, 'Failed');
    assert.equal(status.containerStatuses?.[0]?.state.terminated?.reason, 'OOMKilled');
    assert.equal(status.containerStatuses?.[0]?.ready, false);
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    assert.equal(computeTerminatedReason(0, false), 'Completed');
    assert.equal(computeTerminatedReason(3, false), 'Error');
    assert.equal(signalExitCode('SIGKILL'), 137);
    assert.equal(signalExitCode('SIGTERM'), 143);
  });

  it('decides the final phase by restartPolicy', () => {
    assert.equal(computeFinalPhase(pod, 0), 'Succeeded');
    assert.equal(computeFinalPhase(pod, 1), 'Failed');
    assert.equal(computeFinalPhase({ ...pod, spec: { ...pod.spec, restartPolicy: 'OnFailure' } }, 1), undefined);
    assert.equal(computeFinalPhase({ ...pod, spec: { ...pod.spec, restartPolicy: 'OnFailure' } }, 0), 'Succeeded');
    assert.equal(computeFinalPhase({ ...pod, spec: { ...pod.spec, restartPolicy: 'Always' } }, 0), undefined);
  });
});

describe('node agent process trees', () => {
  it("finds a session's processes and their resident memory", async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'inherit' }); " +
          'setTimeout(() => {}, 30000)',
      ],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    try {
      await once(child, 'spawn');
      let tree: number[] = [];
      for (let i = 0; i < 100 && tree.length < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        tree = processTrees([child.pid!]).get(child.pid!) ?? [];
      }
      assert.equal(tree[0], child.pid);
      assert.equal(tree.length, 2);
      assert.ok(treeResidentBytes(tree) > 10 * 1024 * 1024);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
