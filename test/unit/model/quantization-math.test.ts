import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeActivationQuantization,
  computeFakeQuantized,
  quantizeBias,
  quantizeWeightsPerChannel,
  roundHalfToEven,
} from '../../../executor/model/quantization-math.js';

describe('roundHalfToEven', () => {
  it('rounds ties to the even neighbour, as QuantizeLinear does, and everything else to the nearest', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6].map(roundHalfToEven), [0, 2, 2, 0, -2, 2, 3, -3]);
  });
});

describe('computeActivationQuantization', () => {
  it('maps a ReLU range [0, max] onto 0..255 with zero point 0', () => {
    const q = computeActivationQuantization({ min: 0, max: 510 });
    assert.equal(q.zeroPoint, 0);
    assert.equal(q.scale, 2);
  });

  it('widens the range to hold 0 and puts 0 on an exact level', () => {
    const q = computeActivationQuantization({ min: -123.68, max: 151.061 });
    assert.equal(q.zeroPoint, Math.round(123.68 / q.scale));
    assert.equal(computeFakeQuantized(0, q), 0);
    const positive = computeActivationQuantization({ min: 10, max: 20 });
    assert.equal(positive.zeroPoint, 0);
    assert.equal(positive.scale, Math.fround(20 / 255));
  });

  it('gives an all-zero tensor scale 1 rather than a zero scale', () => {
    assert.deepEqual(computeActivationQuantization({ min: 0, max: 0 }), { scale: 1, zeroPoint: 0 });
  });

  it('refuses a range that is not a finite interval', () => {
    assert.throws(() => computeActivationQuantization({ min: 1, max: 0 }), RangeError);
    assert.throws(() => computeActivationQuantization({ min: 0, max: Number.NaN }), RangeError);
  });

  it('reproduces values inside the range to within half a step and clips those outside', () => {
    const q = computeActivationQuantization({ min: 0, max: 100 });
    for (const x of [0, 0.1, 33.3, 50, 99.9, 100])
      assert.ok(Math.abs(computeFakeQuantized(x, q) - x) <= q.scale / 2 + 1e-6, `${x}`);
    assert.ok(Math.abs(computeFakeQuantized(250, q) - 100) < 1e-4);
    assert.equal(computeFakeQuantized(-5, q), 0);
  });
});

describe('quantizeWeightsPerChannel', () => {
  it('gives each output channel of a conv kernel [out,in,kh,kw] its own scale, max|w| / 127', () => {
    const data = new Float32Array([1, -2, 0.5, 0.25, /* channel 1 */ 0.01, 0.03, -0.04, 0]);
    const { values, scales } = quantizeWeightsPerChannel({ data, channels: 2, channelAxis: 'outer' });
    assert.deepEqual([...scales], [Math.fround(2 / 127), Math.fround(0.04 / 127)]);
    assert.deepEqual([...values], [64, -127, 32, 16, 32, 95, -127, 0]);
  });

  it("reads a dense kernel [in,out]'s channel as the fastest index", () => {
    const data = new Float32Array([1, 10, -1, -10, 0.5, 5]);
    const { values, scales } = quantizeWeightsPerChannel({ data, channels: 2, channelAxis: 'inner' });
    assert.deepEqual([...scales], [Math.fround(1 / 127), Math.fround(10 / 127)]);
    assert.deepEqual([...values], [127, 127, -127, -127, 64, 64]);
  });

  it('keeps an all-zero channel at zero with scale 1', () => {
    const { values, scales } = quantizeWeightsPerChannel({
      data: new Float32Array(4),
      channels: 2,
      channelAxis: 'outer',
    });
    assert.deepEqual([...scales], [1, 1]);
    assert.deepEqual([...values], [0, 0, 0, 0]);
  });

  it('refuses weights that do not split into the channels', () => {
    assert.throws(
      () => quantizeWeightsPerChannel({ data: new Float32Array(5), channels: 2, channelAxis: 'outer' }),
      RangeError,
    );
  });
});

describe('quantizeBias', () => {
  it('puts biases on the accumulator scale, input scale times each channel weight scale', () => {
    const { values, scales } = quantizeBias({
      bias: new Float32Array([1, -0.5]),
      inputScale: 0.5,
      weightScales: new Float32Array([0.01, 0.02]),
    });
    assert.deepEqual([...scales], [Math.fround(0.005), Math.fround(0.01)]);
    assert.deepEqual([...values], [200, -50]);
  });
});
