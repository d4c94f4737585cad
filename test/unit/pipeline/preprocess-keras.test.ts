import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  KERAS_INPUT_SIZE,
  KERAS_VALUES_PER_IMAGE,
  VGG16_BGR_MEAN,
  preprocessKeras,
} from '../../../executor/pipeline/preprocess-keras.js';
import type { RgbImage } from '../../../executor/pipeline/rgb-image.js';

function uniformImage(size: number, rgb: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width: size, height: size, data };
}

describe('preprocessKeras', () => {
  it('turns RGB (10, 20, 30) into BGR minus the ImageNet means, rounded to float32', () => {
    const out = new Float32Array(KERAS_VALUES_PER_IMAGE);
    preprocessKeras(uniformImage(KERAS_INPUT_SIZE, [10, 20, 30]), out, 0);
    const expected = [
      Math.fround(30 - Math.fround(103.939)),
      Math.fround(20 - Math.fround(116.779)),
      Math.fround(10 - Math.fround(123.68)),
    ];
    assert.deepEqual(Array.from(out.subarray(0, 3)), expected);
    assert.deepEqual(Array.from(out.subarray(out.length - 3)), expected);
    // The float32 result is within float32 rounding of the decimal arithmetic.
    assert.ok(Math.abs((out[0] as number) - (30 - 103.939)) < 1e-5);
    assert.ok(Math.abs((out[1] as number) - (20 - 116.779)) < 1e-5);
    assert.ok(Math.abs((out[2] as number) - (10 - 123.68)) < 1e-5);
  });

  it('writes channels-last rows in row-major order at the given offset without touching neighbours', () => {
    const size = KERAS_INPUT_SIZE;
    const image = uniformImage(size, [0, 0, 0]);
    // One marked pixel at (x=5, y=7) with R=200, G=100, B=50.
    const marked = (7 * size + 5) * 3;
    image.data.set([200, 100, 50], marked);
    const offset = KERAS_VALUES_PER_IMAGE; // the second slot of a two-image batch
    const out = new Float32Array(2 * KERAS_VALUES_PER_IMAGE).fill(42);
    preprocessKeras(image, out, offset);

    assert.ok(
      out.subarray(0, offset).every((v) => v === 42),
      'the first slot is untouched',
    );
    const [meanB, meanG, meanR] = VGG16_BGR_MEAN;
    assert.deepEqual(Array.from(out.subarray(offset + marked, offset + marked + 3)), [
      Math.fround(50 - meanB),
      Math.fround(100 - meanG),
      Math.fround(200 - meanR),
    ]);
    assert.deepEqual(Array.from(out.subarray(offset, offset + 3)), [-meanB, -meanG, -meanR]);
    assert.equal(out[offset + marked + 3], -meanB, 'the next pixel is back to black');
  });

  it('uses the float32 roundings of 103.939, 116.779 and 123.68 as its means', () => {
    assert.deepEqual(VGG16_BGR_MEAN, [Math.fround(103.939), Math.fround(116.779), Math.fround(123.68)]);
  });

  it('rejects a slot that does not fit in the output', () => {
    const image = uniformImage(KERAS_INPUT_SIZE, [1, 2, 3]);
    const out = new Float32Array(KERAS_VALUES_PER_IMAGE);
    assert.throws(() => preprocessKeras(image, out, 1), { code: 'FJ_INVALID_ARGUMENT' });
    assert.throws(() => preprocessKeras(image, out, -3), { code: 'FJ_INVALID_ARGUMENT' });
  });

  it('rejects an image whose data does not match its dimensions', () => {
    const out = new Float32Array(KERAS_VALUES_PER_IMAGE);
    assert.throws(() => preprocessKeras({ width: 224, height: 224, data: new Uint8Array(10) }, out, 0), {
      code: 'FJ_INVALID_ARGUMENT',
    });
  });
});
