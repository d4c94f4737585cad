import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computePartitionCount, computePartitions } from '../../../executor/plan/compute-partitions.js';
import { isImageKey } from '../../../executor/plan/list-input.js';

const keys = Array.from({ length: 10 }, (_, i) => `k${String(i).padStart(2, '0')}`);

describe('computePartitions', () => {
  test('splits sorted keys into contiguous partitions whose sizes differ by at most one', () => {
    const parts = computePartitions(keys, 3);
    assert.deepEqual(
      parts.map((p) => p.length),
      [4, 3, 3],
    );
    assert.deepEqual(parts.flat(), keys);
  });

  test('gives the same plan for the same keys and count', () => {
    assert.deepEqual(computePartitions(keys, 4), computePartitions([...keys], 4));
  });

  test('never makes empty partitions when asked for more partitions than keys', () => {
    assert.deepEqual(computePartitions(keys.slice(0, 2), 5), [['k00'], ['k01']]);
  });

  test('derives the count from the partition size when no count is given', () => {
    assert.equal(computePartitionCount({ images: 2340, imagesPerPartition: 256 }), 10);
    assert.equal(computePartitionCount({ images: 3, imagesPerPartition: 256 }), 1);
    assert.equal(computePartitionCount({ images: 3, partitions: 8, imagesPerPartition: 256 }), 3);
  });
});

describe('isImageKey', () => {
  test('recognises image extensions in any case and nothing else', () => {
    for (const key of ['a/b.jpg', 'a/b.JPEG', 'x.png', 'Plum 5/r0_1.webp', 'a.tif', 'a.gif'])
      assert.ok(isImageKey(key), key);
    // BMP has no decoder that matches Pillow's here, so it is skipped rather than listed.
    for (const key of ['a/b.txt', 'jpg', 'a.jpg/readme', 'a/b.', 'notes.csv', 'a.bmp'])
      assert.ok(!isImageKey(key), key);
  });
});
