import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThroughputHistory } from '../../../operator/dashboard/throughput-history.js';
import { featureJob } from './fixtures.js';

const withImages = (done: number, uid?: string) =>
  featureJob('a', 'fruits', { phase: 'Running', images: { total: 100, succeeded: done, failed: 0 } }, uid);

describe('ThroughputHistory', () => {
  it('samples a job only when its processed count moves, and not before the plan gives counts', () => {
    const history = new ThroughputHistory();
    history.record(featureJob('a', 'fruits', { phase: 'Planning' }), 1);
    history.record(withImages(0), 2);
    history.record(withImages(0), 3);
    history.record(withImages(10), 4);
    assert.deepEqual(history.samples(withImages(10)), [
      { atMs: 2, processed: 0 },
      { atMs: 4, processed: 10 },
    ]);
  });

  it('keeps the newest samples only, up to its capacity', () => {
    const history = new ThroughputHistory(3);
    for (let i = 1; i <= 5; i += 1) history.record(withImages(i), i * 1000);
    assert.deepEqual(
      history.samples(withImages(5)).map((s) => s.processed),
      [3, 4, 5],
    );
  });

  it('starts over for a FeatureJob recreated under the same name, and forgets a deleted one', () => {
    const history = new ThroughputHistory();
    history.record(withImages(50, 'first'), 1);
    history.record(withImages(2, 'second'), 2);
    assert.deepEqual(history.samples(withImages(2, 'second')), [{ atMs: 2, processed: 2 }]);
    assert.deepEqual(history.samples(withImages(50, 'first')), []);
    history.forget(withImages(2, 'second'));
    assert.deepEqual(history.samples(withImages(2, 'second')), []);
  });

  it('refuses a capacity that could not hold a rate', () => {
    assert.throws(() => new ThroughputHistory(1), /capacity must be an integer >= 2/);
  });
});
