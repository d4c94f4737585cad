import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSeededShuffle } from '../../../executor/pipeline/load-precision-samples.js';

describe('computeSeededShuffle', () => {
  const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);

  it('is a permutation of the keys, the same one for the same seed', () => {
    const shuffled = computeSeededShuffle(keys, 0);
    assert.deepEqual([...shuffled].sort(), [...keys].sort());
    assert.notDeepEqual(shuffled, keys);
    assert.deepEqual(computeSeededShuffle(keys, 0), shuffled);
    assert.notDeepEqual(computeSeededShuffle(keys, 1), shuffled);
  });
});
