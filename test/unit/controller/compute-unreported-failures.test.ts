import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodFailure } from '../../../operator/controller/compute-feature-job-state.js';
import { computeUnreportedFailures } from '../../../operator/controller/compute-unreported-failures.js';

const failure = (pod: string, reason: PodFailure['reason']): PodFailure => ({
  pod,
  partition: 0,
  reason,
  message: 'exit 137',
});

describe('computeUnreportedFailures', () => {
  const failures = [failure('j-extract-0-a', 'OOMKilled'), failure('j-extract-1-a', 'Evicted')];

  it('reports every failure the stored status does not count yet', () => {
    assert.deepEqual(computeUnreportedFailures(undefined, failures), failures);
  });

  it('reports nothing when the stored counts already hold them: a steady world posts no Event', () => {
    assert.deepEqual(computeUnreportedFailures({ OOMKilled: 1, Evicted: 1 }, failures), []);
  });

  it('reports the failures of a reason whose count grew, and only those', () => {
    const more = [...failures, failure('j-extract-0-b', 'OOMKilled')];
    assert.deepEqual(
      computeUnreportedFailures({ OOMKilled: 1, Evicted: 1 }, more).map((f) => f.pod),
      ['j-extract-0-a', 'j-extract-0-b'],
    );
  });
});
