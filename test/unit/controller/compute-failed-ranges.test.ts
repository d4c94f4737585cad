import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_FAILED_PARTITIONS_LENGTH } from '../../../crds/feature-job-status.js';
import { computeFailedRanges, parseRanges } from '../../../operator/controller/compute-failed-ranges.js';

describe('computeFailedRanges', () => {
  test('is empty when no partition failed', () => {
    assert.equal(computeFailedRanges([]), '');
  });

  test('sorts, deduplicates and compresses runs of three or more into ranges', () => {
    assert.equal(computeFailedRanges([7, 5, 1, 3, 4, 5, 3]), '1,3-5,7');
    assert.equal(computeFailedRanges([0, 1, 2, 3, 10, 11, 12]), '0-3,10-12');
  });

  test('writes a pair as two numbers, as the Job controller does', () => {
    assert.equal(computeFailedRanges([3, 4, 9]), '3,4,9');
  });

  test('accepts any iterable, a Set included', () => {
    assert.equal(computeFailedRanges(new Set([2, 1, 0])), '0-2');
  });

  test('refuses indexes that are not non-negative integers', () => {
    assert.throws(() => computeFailedRanges([1, -1]), RangeError);
    assert.throws(() => computeFailedRanges([1.5]), RangeError);
    assert.throws(() => computeFailedRanges([Number.NaN]), RangeError);
  });

  test('cuts a long list at a range boundary and counts the partitions not shown', () => {
    // "1,3-5,7,9-12" is 12 characters; 8 keep "1,3-5,7" (5 partitions) and hide 9-12.
    assert.equal(computeFailedRanges([1, 3, 4, 5, 7, 9, 10, 11, 12], 8), '1,3-5,7…(+4 more)');
    assert.equal(computeFailedRanges([1, 3, 4, 5, 7, 9, 10, 11, 12], 12), '1,3-5,7,9-12');
  });

  test('never splits a range, even when part of it would fit', () => {
    assert.equal(computeFailedRanges([1, 100, 101, 102], 5), '1…(+3 more)');
  });

  test('shows only the summary when not even the first range fits', () => {
    assert.equal(computeFailedRanges([1000, 1001, 1002], 3), '…(+3 more)');
  });

  test('keeps every other partition of 20,000 within the status bound', () => {
    const odd = Array.from({ length: 10_000 }, (_, i) => 2 * i + 1);
    const text = computeFailedRanges(odd);
    const [shown, summary] = text.split('…');
    assert.ok(shown!.length <= MAX_FAILED_PARTITIONS_LENGTH);
    const hidden = Number(/^\(\+(\d+) more\)$/.exec(summary!)?.[1]);
    assert.equal(parseRanges(shown!).length + hidden, 10_000);
    assert.ok(text.length <= MAX_FAILED_PARTITIONS_LENGTH + 32);
  });
});

describe('parseRanges', () => {
  test('reads the Job status.failedIndexes format back into indexes', () => {
    assert.deepEqual(parseRanges('1,3-5,7'), [1, 3, 4, 5, 7]);
    assert.deepEqual(parseRanges('0'), [0]);
  });

  test('reads nothing from an empty text', () => {
    assert.deepEqual(parseRanges(''), []);
    assert.deepEqual(parseRanges('  '), []);
  });

  test('sorts and deduplicates overlapping ranges', () => {
    assert.deepEqual(parseRanges('5-7,1,6-8, 2'), [1, 2, 5, 6, 7, 8]);
  });

  test('is the inverse of computeFailedRanges when nothing was cut', () => {
    const indexes = [0, 2, 3, 4, 8, 9, 15, 16, 17, 18, 40];
    assert.deepEqual(parseRanges(computeFailedRanges(indexes)), indexes);
    assert.equal(computeFailedRanges(parseRanges('1,3-5,7')), '1,3-5,7');
  });

  test('refuses malformed text, a truncated summary included', () => {
    for (const bad of ['1,,2', 'a', '3-1', '1-', '-1', '1…(+4 more)', '1;2']) {
      assert.throws(() => parseRanges(bad), `should refuse ${JSON.stringify(bad)}`);
    }
  });
});
