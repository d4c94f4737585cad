/**
 * The per-file statistics of a Delta `add`: engines skip a file whose path or label range
 * cannot hold what a query asks for, so the range must be the true one in UTF-8 byte order
 * (how Spark and delta-rs compare strings), not JavaScript's UTF-16 order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys } from '../../../executor/storage/file-store.js';
import { computeDataFileStats } from '../../../executor/table/data-file-stats.js';

describe('computeDataFileStats', () => {
  it('counts the rows and gives the smallest and largest path and label', () => {
    assert.deepEqual(computeDataFileStats(['Plum/2.jpg', 'Apple/9.jpg', 'Plum/10.jpg', 'Kiwi/1.jpg']), {
      numRecords: 4,
      minValues: { path: 'Apple/9.jpg', label: 'Apple' },
      maxValues: { path: 'Plum/2.jpg', label: 'Plum' },
      nullCount: { path: 0, label: 0, features: 0 },
    });
  });

  it('orders by UTF-8 bytes: uppercase before lowercase before accents, fullwidth letters before emoji', () => {
    const paths = ['a/1.jpg', '😀/1.jpg', 'Z/1.jpg', 'ｚ/1.jpg', 'é/1.jpg'];
    const stats = computeDataFileStats(paths);
    assert.deepEqual(stats.minValues, { path: 'Z/1.jpg', label: 'Z' });
    assert.deepEqual(stats.maxValues, { path: '😀/1.jpg', label: '😀' });
    assert.equal([...paths].sort().at(-1), 'ｚ/1.jpg', 'UTF-16 order would say otherwise');
    assert.equal([...paths].sort(compareKeys).at(-1), '😀/1.jpg');
  });

  it('gives an image at the input root the empty label', () => {
    const stats = computeDataFileStats(['root.jpg', 'B/1.jpg']);
    assert.deepEqual(stats.minValues, { path: 'B/1.jpg', label: '' });
    assert.deepEqual(stats.maxValues, { path: 'root.jpg', label: 'B' });
    assert.equal(stats.numRecords, 2);
  });
});
