import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyPod } from '../../../operator/controller/classify-pod.js';
import type { PodObject } from '../../../operator/kube/pod-object.js';

function pod(status: PodObject['status'], annotations: Record<string, string> = {}): PodObject {
  return { metadata: { name: 'fruits-extract-3-abcde', namespace: 'ns', annotations }, status };
}

const terminated = (exitCode: number, reason: string, message?: string): PodObject['status'] => ({
  phase: 'Failed',
  containerStatuses: [
    { name: 'executor', state: { terminated: { exitCode, reason, ...(message === undefined ? {} : { message }) } } },
  ],
});

describe('classifyPod', () => {
  it('reports a container killed over its memory limit as OOMKilled', () => {
    const verdict = classifyPod(pod(terminated(137, 'OOMKilled')));
    assert.equal(verdict.state, 'failed');
    assert.equal(verdict.state === 'failed' && verdict.reason, 'OOMKilled');
  });

  it('reports an evicted pod as Evicted with the kubelet message', () => {
    const verdict = classifyPod(
      pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
    );
    assert.deepEqual(verdict, { state: 'failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
  });

  it('reads the executor error code from its termination message on exit 78', () => {
    const message =
      'some log line\n{"code":"FJ_NO_INPUT_IMAGES","reason":"NoInputImages","message":"no images under s3://b/p"}';
    const verdict = classifyPod(pod(terminated(78, 'Error', message)));
    assert.equal(verdict.state, 'failed');
    if (verdict.state !== 'failed') return;
    assert.equal(verdict.reason, 'BadInput');
    assert.equal(verdict.code, 'FJ_NO_INPUT_IMAGES');
    assert.match(verdict.message, /no images under s3:\/\/b\/p/);
  });

  it('names the log the executor left in the output, before the error text, and keeps its last lines', () => {
    const logUri = 's3://features/runs/_featurejob/logs/part-00003-a1.log';
    const message = JSON.stringify({
      code: 'FJ_OBJECT_WRITE_FAILED',
      reason: 'ObjectWriteFailed',
      message: 'cannot write features/part-00003-a1.parquet',
      logUri,
      logTail: '{"level":50,"msg":"executor task failed"}',
    });
    const verdict = classifyPod(pod(terminated(75, 'Error', message)));
    assert.equal(verdict.state, 'failed');
    if (verdict.state !== 'failed') return;
    assert.equal(
      verdict.message,
      `the executor hit a retryable error (log ${logUri}): FJ_OBJECT_WRITE_FAILED: cannot write features/part-00003-a1.parquet`,
    );
    assert.equal(verdict.logUri, logUri);
    assert.equal(verdict.logTail, '{"level":50,"msg":"executor task failed"}');
  });

  it('reports a transient executor failure (exit 75) and a crash (exit 1) differently', () => {
    const transient = classifyPod(pod(terminated(75, 'Error')));
    const crash = classifyPod(pod(terminated(1, 'Error')));
    assert.equal(transient.state === 'failed' && transient.reason, 'TransientFailure');
    assert.equal(crash.state === 'failed' && crash.reason, 'ExecutorFailed');
    assert.match(crash.state === 'failed' ? crash.message : '', /exited with code 1/);
  });

  it('reports an executor stopped by SIGTERM before committing (exit 143) as a disruption', () => {
    const message = '{"code":"FJ_ATTEMPT_INTERRUPTED","reason":"AttemptInterrupted","message":"interrupted"}';
    const verdict = classifyPod(pod(terminated(143, 'Error', message)));
    assert.equal(verdict.state === 'failed' && verdict.reason, 'Disrupted');
    assert.equal(verdict.state === 'failed' && verdict.code, 'FJ_ATTEMPT_INTERRUPTED');
  });

  it('does not blame the executor for a disruption', () => {
    const verdict = classifyPod(
      pod({
        ...terminated(143, 'Error'),
        conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }],
      }),
    );
    assert.equal(verdict.state === 'failed' && verdict.reason, 'Disrupted');
  });

  it('passes on the scheduler message of an unschedulable pod, with when it started', () => {
    const verdict = classifyPod(
      pod({
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      }),
    );
    assert.deepEqual(verdict, {
      state: 'stalled',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
      since: '2026-01-01T00:00:00Z',
    });
  });

  it('reports image pull errors as ImagePullFailed', () => {
    const verdict = classifyPod(
      pod({
        phase: 'Pending',
        startTime: '2026-01-01T00:00:00Z',
        containerStatuses: [
          {
            name: 'executor',
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } },
          },
        ],
      }),
    );
    assert.equal(verdict.state, 'stalled');
    assert.equal(verdict.state === 'stalled' && verdict.reason, 'ImagePullFailed');
  });

  it('sees a running container as running and a succeeded pod as succeeded', () => {
    assert.equal(
      classifyPod(
        pod({ phase: 'Running', containerStatuses: [{ name: 'executor', state: { running: { startedAt: 'x' } } }] }),
      ).state,
      'running',
    );
    assert.equal(classifyPod(pod({ phase: 'Succeeded' })).state, 'succeeded');
  });
});
