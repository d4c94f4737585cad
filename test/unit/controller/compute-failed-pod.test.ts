import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeFailedPod } from '../../../operator/controller/compute-failed-pod.js';
import type { PodObject } from '../../../operator/kube/pod-object.js';

const logUri = (name: string): string => `s3://features/runs/_featurejob/logs/${name}.log`;

function failed(name: string, finishedAt: string, written?: object): PodObject {
  return {
    metadata: { name, namespace: 'ns' },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'executor',
          state: {
            terminated: {
              exitCode: written === undefined ? 137 : 75,
              reason: written === undefined ? 'OOMKilled' : 'Error',
              finishedAt,
              ...(written === undefined ? {} : { message: JSON.stringify(written) }),
            },
          },
        },
      ],
    },
  };
}

const running: PodObject = {
  metadata: { name: 'fruits-extract-0-zzzzz', namespace: 'ns' },
  status: { phase: 'Running', containerStatuses: [{ name: 'executor', state: { running: {} } }] },
};

const written = (name: string) => ({
  code: 'FJ_OBJECT_READ_FAILED',
  reason: 'ObjectReadFailed',
  message: 'm',
  logUri: logUri(name),
  logTail: `{"msg":"${name}"}`,
});

describe('status.failedPod', () => {
  it('is the pod that failed last, with the URI and the lines of its termination message', () => {
    const pods = [
      failed('fruits-extract-1-aaaaa', '2025-01-01T10:00:05Z', written('part-00001-a1')),
      running,
      failed('fruits-extract-2-bbbbb', '2025-01-01T10:00:09Z', written('part-00002-a2')),
      failed('fruits-extract-3-ccccc', '2025-01-01T10:00:07Z', written('part-00003-a3')),
    ];
    const expected = {
      name: 'fruits-extract-2-bbbbb',
      logUri: logUri('part-00002-a2'),
      logTail: '{"msg":"part-00002-a2"}',
    };
    assert.deepEqual(computeFailedPod(pods, undefined), expected);
    assert.deepEqual(
      computeFailedPod([...pods].reverse(), undefined),
      expected,
      'whatever the order pods are listed in',
    );
  });

  it('names a pod that left no log (OOMKilled) without a URI', () => {
    assert.deepEqual(computeFailedPod([failed('fruits-extract-4-ddddd', '2025-01-01T10:00:00Z')], undefined), {
      name: 'fruits-extract-4-ddddd',
    });
  });

  it('keeps the stored one once the failed pods are gone, and has none before any pod failed', () => {
    const stored = { name: 'fruits-extract-1-aaaaa', logUri: logUri('part-00001-a1') };
    assert.deepEqual(computeFailedPod([running], stored), stored);
    assert.equal(computeFailedPod([running], undefined), undefined);
  });
});
