import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureJobStatus } from '../../../crds/feature-job-status.js';
import { computeThroughput } from '../../../operator/controller/build-status.js';
import { computeMergePatch } from '../../../operator/controller/compute-merge-patch.js';
import { isStatusEquivalent } from '../../../operator/controller/is-status-equivalent.js';

const stored: FeatureJobStatus = {
  observedGeneration: 1,
  phase: 'Running',
  conditions: [
    {
      type: 'Accepted',
      status: 'True',
      observedGeneration: 1,
      lastTransitionTime: '2026-11-25T12:00:00Z',
      reason: 'SpecValid',
      message: 'the spec is valid',
    },
    {
      type: 'Progressing',
      status: 'True',
      observedGeneration: 1,
      lastTransitionTime: '2026-11-25T12:00:00Z',
      reason: 'Running',
      message: '1/3 partitions committed',
    },
  ],
  images: { total: 6, succeeded: 2, failed: 0 },
  retries: { OOMKilled: 1 },
  throughput: '0.5 img/s',
};

describe('isStatusEquivalent', () => {
  it('sees no change in the same status written with its keys, fields and conditions in another order', () => {
    const reordered = JSON.parse(
      '{"throughput":"0.5 ' +
        'img/s","retries":{"OOMKilled":1},"images":{"failed":0,"succeeded":2,"total":6},"phase":"Running","observedGeneration":1}',
    ) as FeatureJobStatus;
    reordered.conditions = [
      {
        message: '1/3 partitions committed',
        reason: 'Running',
        lastTransitionTime: '2026-11-25T12:00:00Z',
        status: 'True',
        type: 'Progressing',
        observedGeneration: 1,
      },
      {
        reason: 'SpecValid',
        message: 'the spec is valid',
        type: 'Accepted',
        status: 'True',
        observedGeneration: 1,
        lastTransitionTime: '2026-11-25T12:00:00Z',
      },
    ];
    assert.equal(isStatusEquivalent(stored, reordered), true);
    assert.equal(isStatusEquivalent(stored, { ...reordered, completionTime: undefined }), true);
  });

  it('ignores a lastTransitionTime that differs while the rest of the condition is equal', () => {
    const conditions = stored.conditions!.map((c) => ({ ...c, lastTransitionTime: '2026-11-25T13:00:00Z' }));
    assert.equal(isStatusEquivalent(stored, { ...stored, conditions }), true);
  });

  it("sees a change in a condition's status, reason, message or generation, in a count, and in a field gone", () => {
    const change = (i: number, patch: object): FeatureJobStatus => ({
      ...stored,
      conditions: stored.conditions!.map((c, j) => (j === i ? { ...c, ...patch } : c)),
    });
    assert.equal(isStatusEquivalent(stored, change(1, { status: 'Unknown' })), false);
    assert.equal(isStatusEquivalent(stored, change(1, { reason: 'Merging' })), false);
    assert.equal(isStatusEquivalent(stored, change(1, { message: '2/3 partitions committed' })), false);
    assert.equal(isStatusEquivalent(stored, change(0, { observedGeneration: 2 })), false);
    assert.equal(isStatusEquivalent(stored, { ...stored, conditions: stored.conditions!.slice(0, 1) }), false);
    assert.equal(isStatusEquivalent(stored, { ...stored, images: { total: 6, succeeded: 3, failed: 0 } }), false);
    const { retries: _, ...withoutRetries } = stored;
    assert.equal(isStatusEquivalent(stored, withoutRetries), false);
    assert.equal(isStatusEquivalent(undefined, stored), false);
  });
});

describe('computeMergePatch', () => {
  it('holds only what changed, and null for what is gone, so the stored status becomes the computed one', () => {
    const next: FeatureJobStatus = {
      ...stored,
      images: { total: 6, succeeded: 4, failed: 0 },
      retries: { Evicted: 1 },
    };
    delete next.throughput;
    assert.deepEqual(computeMergePatch(stored, next), {
      images: { succeeded: 4 },
      retries: { OOMKilled: null, Evicted: 1 },
      throughput: null,
    });
    assert.deepEqual(computeMergePatch(stored, { ...stored }), {});
  });

  it('replaces a list whole (a merge patch cannot address list items)', () => {
    const conditions = [stored.conditions![0]!];
    assert.deepEqual(computeMergePatch(stored, { ...stored, conditions }), { conditions });
  });
});

describe('computeThroughput', () => {
  const startTime = '2026-11-25T12:00:00Z';
  const at = (seconds: number): number => Date.parse(startTime) + seconds * 1000;

  it('keeps the rate while the counts stand still, so the clock alone never rewrites the status', () => {
    assert.equal(
      computeThroughput({ previous: stored, phase: 'Running', processed: 2, startTime, until: at(400) }),
      '0.5 img/s',
    );
  });

  it('recomputes it when the counts moved or the phase changed', () => {
    assert.equal(
      computeThroughput({ previous: stored, phase: 'Running', processed: 4, startTime, until: at(8) }),
      '0.5 img/s',
    );
    assert.equal(
      computeThroughput({ previous: stored, phase: 'Running', processed: 4, startTime, until: at(2) }),
      '2.0 img/s',
    );
    assert.equal(
      computeThroughput({ previous: stored, phase: 'Complete', processed: 2, startTime, until: at(1) }),
      '2.0 img/s',
    );
    assert.equal(
      computeThroughput({ previous: undefined, phase: 'Running', processed: 0, startTime, until: at(1) }),
      undefined,
    );
  });
});
