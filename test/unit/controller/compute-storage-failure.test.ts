import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '../../../crds/feature-job-status.js';
import { FeatureJobError } from '../../../executor/errors.js';
import {
  computeRetryAttempt,
  computeRetryDelayMs,
  computeStorageFailure,
} from '../../../operator/controller/compute-storage-failure.js';

const start = new Date('2026-11-25T12:00:00Z');
const at = (seconds: number): Date => new Date(start.getTime() + seconds * 1000);
const unreachable = new FeatureJobError('FJ_STORAGE_UNREACHABLE', 'connect ECONNREFUSED 127.0.0.1:9000');

/** The Progressing condition the operator stored after a failure (what the next reconcile reads). */
function stored(failure: { reason: string; message: string }, since = start): Condition[] {
  return [
    {
      type: 'Progressing',
      status: 'Unknown',
      reason: failure.reason,
      message: failure.message,
      lastTransitionTime: since.toISOString().replace(/\.\d+Z$/, 'Z'),
      observedGeneration: 1,
    },
  ];
}

describe('computeStorageFailure', () => {
  for (const [code, reason] of [
    ['FJ_MANIFEST_INVALID', 'ManifestInvalid'],
    ['FJ_OUTPUT_INVALID', 'OutputInvalid'],
    ['FJ_PLAN_MISMATCH', 'PlanMismatch'],
    ['FJ_STORAGE_ACCESS_DENIED', 'StorageAccessDenied'],
    ['FJ_STORAGE_NOT_FOUND', 'StorageNotFound'],
  ] as const) {
    it(`ends the job on ${code} with reason ${reason}, the code and the store's message`, () => {
      const failure = computeStorageFailure({
        error: new FeatureJobError(code, 'what the store said'),
        step: 'observe',
        previous: undefined,
        now: start,
      });
      assert.equal(failure.kind, 'terminal');
      assert.equal(failure.reason, reason);
      assert.match(failure.message, new RegExp(`${code}: what the store said`));
      assert.equal('retryAfterMs' in failure, false);
    });
  }

  it('backs off a transient failure: 10 s, 20 s, 40 s ... up to 5 min, counting attempts from when it began', () => {
    const first = computeStorageFailure({ error: unreachable, step: 'observe', previous: undefined, now: start });
    assert.equal(first.kind, 'transient');
    assert.deepEqual(
      [first.kind === 'transient' && first.attempt, first.kind === 'transient' && first.retryAfterMs],
      [1, 10_000],
    );
    assert.equal(first.reason, 'StorageUnavailable');
    assert.match(
      first.message,
      /^attempt 1 \(failing since 2026-11-25T12:00:00Z, next at 2026-11-25T12:00:10Z\): FJ_STORAGE_UNREACHABLE: connect ECONNREFUSED/,
    );

    let previous = stored(first);
    const seen: Array<[number, number]> = [];
    for (const seconds of [10, 30, 70, 150, 310, 610]) {
      const failure = computeStorageFailure({ error: unreachable, step: 'observe', previous, now: at(seconds) });
      assert.equal(failure.kind, 'transient');
      if (failure.kind !== 'transient') return;
      seen.push([failure.attempt, failure.retryAfterMs / 1000]);
      previous = stored(failure);
    }
    assert.deepEqual(seen, [
      [2, 20],
      [3, 40],
      [4, 80],
      [5, 160],
      [6, 300],
      [7, 300],
    ]);
  });

  it('says the same between two retries, so a reconcile in between writes nothing', () => {
    const first = computeStorageFailure({ error: unreachable, step: 'observe', previous: undefined, now: start });
    const between = computeStorageFailure({
      error: new FeatureJobError('FJ_STORAGE_UNREACHABLE', 'another request id'),
      step: 'observe',
      previous: stored(first),
      now: at(4),
    });
    assert.equal(between.message, first.message);
    assert.equal(between.kind === 'transient' && between.retryAfterMs, 6_000);
  });

  it('starts again at attempt 1 once Progressing left Unknown (the work succeeded in between)', () => {
    const previous: Condition[] = [
      {
        type: 'Progressing',
        status: 'True',
        reason: 'Running',
        message: '1/3 partitions committed',
        lastTransitionTime: '2026-11-25T11:00:00Z',
      },
    ];
    const failure = computeStorageFailure({ error: unreachable, step: 'observe', previous, now: at(600) });
    assert.equal(failure.kind === 'transient' && failure.attempt, 1);
  });

  it('names a merge failure MergeFailed and treats an error without a code as transient FJ_STORAGE_FAILED', () => {
    const failure = computeStorageFailure({
      error: new Error('socket hang up'),
      step: 'merge',
      previous: undefined,
      now: start,
    });
    assert.equal(failure.kind, 'transient');
    assert.equal(failure.reason, 'MergeFailed');
    assert.equal(failure.code, 'FJ_STORAGE_FAILED');
    assert.match(failure.message, /FJ_STORAGE_FAILED: socket hang up$/);
  });

  it('schedules retries on fixed times', () => {
    assert.deepEqual([1, 2, 3, 6, 7, 40].map(computeRetryDelayMs), [10_000, 20_000, 40_000, 300_000, 300_000, 300_000]);
    assert.deepEqual(computeRetryAttempt(0), { attempt: 1, nextAtMs: 10_000 });
    assert.deepEqual(computeRetryAttempt(9_999), { attempt: 1, nextAtMs: 10_000 });
    assert.deepEqual(computeRetryAttempt(10_000), { attempt: 2, nextAtMs: 30_000 });
  });
});
