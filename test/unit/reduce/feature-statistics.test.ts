import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addStatistics,
  createEmptyStatistics,
  packedIndex,
  packedLength,
} from '../../../executor/reduce/feature-statistics.js';
import { GramAccumulator } from '../../../executor/reduce/gram-accumulator.js';
import {
  decodeStatisticsFile,
  encodeStatisticsFile,
  statisticsFileBytes,
} from '../../../executor/reduce/statistics-file.js';

/** XᵀX and column sums the slow, obvious way. */
function naiveStatistics(rows: Float32Array, d: number): { sums: number[]; gram: number[][] } {
  const n = rows.length / d;
  const sums = Array.from({ length: d }, (_, i) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += rows[r * d + i]!;
    return s;
  });
  const gram = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let r = 0; r < n; r++) s += rows[r * d + i]! * rows[r * d + j]!;
      return s;
    }),
  );
  return { sums, gram };
}

function randomRows(n: number, d: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: n * d }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 20 - 5;
  });
}

describe('PCA statistics', () => {
  test('the packed upper triangle enumerates (i, j ≥ i) row by row', () => {
    const d = 5;
    const seen: number[] = [];
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) seen.push(packedIndex(i, j, d));
    assert.deepEqual(
      seen,
      Array.from({ length: packedLength(d) }, (_, k) => k),
    );
    assert.equal(packedLength(4096), 8_390_656);
  });

  test('the accumulator equals XᵀX and the column sums, across blocks and uneven additions', async () => {
    const d = 7;
    const rows = randomRows(301, d, 3);
    const accumulator = new GramAccumulator({ dimensions: d, blockRows: 64 });
    await accumulator.add(rows.subarray(0, 10 * d));
    await accumulator.add(rows.subarray(10 * d, 200 * d));
    await accumulator.add(rows.subarray(200 * d));
    const statistics = await accumulator.finish();
    const expected = naiveStatistics(rows, d);
    assert.equal(statistics.rows, 301);
    statistics.sums.forEach((value, i) =>
      assert.ok(Math.abs(value - expected.sums[i]!) <= 1e-9 * Math.abs(expected.sums[i]!) + 1e-9),
    );
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const value = statistics.gram[packedIndex(i, j, d)]!;
        assert.ok(
          Math.abs(value - expected.gram[i]![j]!) <= 1e-12 * Math.abs(expected.gram[i]![j]!) + 1e-9,
          `(${i}, ${j})`,
        );
      }
    }
  });

  test('statistics of disjoint rows add up to the statistics of all rows', async () => {
    const d = 4;
    const rows = randomRows(50, d, 9);
    const whole = new GramAccumulator({ dimensions: d });
    await whole.add(rows);
    const expected = await whole.finish();
    const total = createEmptyStatistics(d);
    for (const part of [rows.subarray(0, 20 * d), rows.subarray(20 * d)]) {
      const accumulator = new GramAccumulator({ dimensions: d });
      await accumulator.add(part);
      addStatistics(total, await accumulator.finish());
    }
    assert.equal(total.rows, 50);
    total.gram.forEach((value, i) => assert.ok(Math.abs(value - expected.gram[i]!) < 1e-9));
    assert.throws(() => addStatistics(total, createEmptyStatistics(5)), { code: 'FJ_PCA_MIXED_DIMENSIONS' });
  });

  test('a non-finite feature is refused rather than poisoning the fit', async () => {
    const accumulator = new GramAccumulator({ dimensions: 2 });
    await assert.rejects(accumulator.add(Float32Array.of(1, Number.NaN)), { code: 'FJ_OUTPUT_INVALID' });
    await accumulator.close();
  });

  test('the statistics file round-trips exactly and refuses anything else', async () => {
    const accumulator = new GramAccumulator({ dimensions: 3 });
    await accumulator.add(Float32Array.of(0.1, 2, -3e7, 4, 5.5, 1e-20));
    const statistics = await accumulator.finish();
    const bytes = encodeStatisticsFile(statistics);
    assert.equal(bytes.length, statisticsFileBytes(3));
    // Decoding works from an unaligned view, as a storage read may hand back.
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    assert.deepEqual(decodeStatisticsFile(unaligned, 'test'), statistics);
    assert.throws(() => decodeStatisticsFile(bytes.subarray(0, bytes.length - 8), 'x.f64'), {
      code: 'FJ_OUTPUT_INVALID',
      message: /x\.f64.*truncated/,
    });
    assert.throws(() => decodeStatisticsFile(new TextEncoder().encode('PAR1 not statistics at all'), 'y'), {
      code: 'FJ_OUTPUT_INVALID',
      message: /magic/,
    });
  });
});
