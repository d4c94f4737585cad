import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeNiceTicks, formatTick } from '../../../executor/inspect/compute-nice-ticks.js';

/** Whether `step` is 1, 2 or 5 times a power of ten. */
function isRoundStep(step: number): boolean {
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  return [1, 2, 5, 10].some((round) => Math.abs(mantissa - round) < 1e-9);
}

describe('computeNiceTicks', () => {
  const ranges: Array<[number, number]> = [
    [0, 1],
    [0.3, 0.7],
    [-3.7, 12.2],
    [-250, -3],
    [0, 0.0043],
    [1e-15, 7e-15],
    [0, 3.4e38],
    [1e9, 1e9 + 7],
    [123456, 987654],
    [-1e-3, 1e-3],
  ];
  for (const [min, max] of ranges) {
    it(`covers [${min}, ${max}] with evenly spaced round steps`, () => {
      const ticks = computeNiceTicks({ min, max, count: 6 });
      assert.ok(isRoundStep(ticks.step), `step ${ticks.step}`);
      assert.ok(ticks.values.length >= 2 && ticks.values.length <= 8, `${ticks.values.length} ticks`);
      assert.equal(ticks.min, ticks.values[0]);
      assert.equal(ticks.max, ticks.values.at(-1));
      assert.ok(ticks.min <= min && ticks.max >= max, `[${ticks.min}, ${ticks.max}] covers the range`);
      assert.ok(ticks.min > min - ticks.step && ticks.max < max + ticks.step, 'no tick wholly outside the range');
      ticks.values.slice(1).forEach((value, i) => {
        const gap = value - ticks.values[i]!;
        assert.ok(Math.abs(gap - ticks.step) <= ticks.step * 1e-9, `gap ${gap} ≠ step ${ticks.step}`);
      });
      // Each value is an exact multiple of the step, as typed (no 0.30000000000000004).
      for (const value of ticks.values)
        assert.equal(value, Number((Math.round(value / ticks.step) * ticks.step).toPrecision(15)));
    });
  }

  it('gives values that print as typed', () => {
    assert.deepEqual(computeNiceTicks({ min: 0, max: 1 }).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(computeNiceTicks({ min: 0.3, max: 0.7 }).values, [0.3, 0.4, 0.5, 0.6, 0.7]);
    assert.deepEqual(computeNiceTicks({ min: 0, max: 100, count: 6 }).values, [0, 20, 40, 60, 80, 100]);
  });

  it('widens flat ranges, swaps reversed ones and replaces non-finite bounds', () => {
    const zero = computeNiceTicks({ min: 0, max: 0 });
    assert.deepEqual([zero.min, zero.max], [-1, 1]);
    const flat = computeNiceTicks({ min: 5, max: 5 });
    assert.ok(flat.min < 5 && flat.max > 5 && flat.values.length >= 2);
    assert.deepEqual(computeNiceTicks({ min: 7, max: -3 }), computeNiceTicks({ min: -3, max: 7 }));
    assert.deepEqual(computeNiceTicks({ min: Number.NaN, max: Infinity }), computeNiceTicks({ min: 0, max: 1 }));
    const nearlyFlat = computeNiceTicks({ min: 1e9, max: 1e9 * (1 + 1e-15) });
    assert.equal(new Set(nearlyFlat.values).size, nearlyFlat.values.length, 'distinct ticks');
  });
});

describe('formatTick', () => {
  it('prints ordinary values plainly with the places the step needs', () => {
    assert.equal(formatTick(0, 0.1), '0');
    assert.equal(formatTick(0.30000000000000004, 0.1), '0.3');
    assert.equal(formatTick(120, 20), '120');
    assert.equal(formatTick(-2.5, 0.5), '-2.5');
    assert.equal(formatTick(0.0004, 0.0002), '0.0004');
    assert.equal(formatTick(350000, 50000), '350000');
  });

  it('uses exponent form for very large or small steps, for every tick of the axis', () => {
    assert.equal(formatTick(1_500_000, 500_000), '1.5e+6');
    assert.equal(formatTick(2_000_000, 500_000), '2e+6');
    assert.equal(formatTick(200_000, 200_000), '2e+5');
    assert.equal(formatTick(0.00025, 0.00005), '2.5e-4');
    assert.equal(formatTick(0.0001, 0.00005), '1e-4');
    const ticks = computeNiceTicks({ min: 0, max: 0.000042 });
    const labels = ticks.values.map((value) => formatTick(value, ticks.step));
    assert.ok(
      labels.slice(1).every((label) => label.includes('e-')),
      labels.join(' '),
    );
    assert.equal(new Set(labels).size, labels.length, 'distinct labels');
  });
});
