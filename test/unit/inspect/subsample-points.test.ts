import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashIndex, interleavedOrder, stratifiedSample } from '../../../executor/inspect/subsample-points.js';

/** Labels in blocks, as rows come out of a job: `sizes[k]` rows of label `L{k}` after each other. */
function blockLabels(sizes: readonly number[]): string[] {
  return sizes.flatMap((size, k) => Array.from({ length: size }, () => `L${k}`));
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('point subsampling', () => {
  it('hashes indices to well spread 32-bit values', () => {
    const hashes = Array.from({ length: 10_000 }, (_, i) => hashIndex(i));
    assert.ok(hashes.every((h) => Number.isInteger(h) && h >= 0 && h < 2 ** 32));
    assert.equal(new Set(hashes).size, hashes.length);
    const low = hashes.filter((h) => h < 2 ** 31).length;
    assert.ok(low > 4_800 && low < 5_200, `${low} of 10,000 in the lower half`);
    assert.notEqual(hashIndex(5, 1), hashIndex(5, 2));
  });

  it('keeps exactly maxPoints, every label, in proportion, deterministically', () => {
    const sizes = [5_000, 3, 1, 12_000, 800, 2_196];
    const labels = blockLabels(sizes);
    const all = labels.map((_, i) => i);
    const sample = stratifiedSample(all, labels, 2_000);
    assert.equal(sample.length, 2_000);
    assert.deepEqual(
      sample,
      [...sample].sort((a, b) => a - b),
    );
    assert.equal(new Set(sample).size, sample.length);
    assert.deepEqual(stratifiedSample(all, labels, 2_000), sample, 'the same input gives the same sample');
    const counts = countBy(sample.map((i) => labels[i]!));
    assert.equal(counts.size, sizes.length);
    sizes.forEach((size, k) => {
      const expected = 1 + ((2_000 - sizes.length) * (size - 1)) / (labels.length - sizes.length);
      assert.ok(Math.abs(counts.get(`L${k}`)! - expected) < 1, `L${k}: ${counts.get(`L${k}`)} ≈ ${expected}`);
    });
  });

  it('samples only the given indices and spreads the picks over each label', () => {
    const labels = blockLabels([1_000, 1_000]);
    const candidates = labels.map((_, i) => i).filter((i) => i % 3 !== 0);
    const sample = stratifiedSample(candidates, labels, 100);
    assert.equal(sample.length, 100);
    assert.ok(sample.every((i) => i % 3 !== 0));
    assert.ok(
      sample.some((i) => i < 500) && sample.some((i) => i >= 500 && i < 1_000),
      'not just the first rows of a label',
    );
  });

  it('returns everything when under the limit, one point of each of the largest labels when over', () => {
    const labels = blockLabels([3, 1, 5, 2]);
    assert.deepEqual(stratifiedSample([4, 2, 0], labels, 10), [0, 2, 4]);
    const sample = stratifiedSample(
      labels.map((_, i) => i),
      labels,
      2,
    );
    assert.deepEqual(sample.map((i) => labels[i]).sort(), ['L0', 'L2']);
  });

  it('draws points interleaved, not label after label', () => {
    const labels = blockLabels(Array.from({ length: 20 }, () => 500));
    const order = interleavedOrder(labels.map((_, i) => i));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      labels.map((_, i) => i),
      'a permutation',
    );
    assert.deepEqual(interleavedOrder(labels.map((_, i) => i)), order);
    const firstTenth = countBy(order.slice(0, 1_000).map((i) => labels[i]!));
    assert.equal(firstTenth.size, 20, 'every label among the first points drawn');
    const lastTenth = countBy(order.slice(-1_000).map((i) => labels[i]!));
    assert.equal(lastTenth.size, 20, 'and among the last');
  });
});
