import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nearestSourceIndices, resizeNearest } from '../../../executor/pipeline/resize-nearest.js';
import type { RgbImage } from '../../../executor/pipeline/rgb-image.js';

/** An image whose pixel (x, y) is (x % 256, y % 256, (x + y) % 256), so reads are traceable. */
function coordinateImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      data[i] = x % 256;
      data[i + 1] = y % 256;
      data[i + 2] = (x + y) % 256;
    }
  }
  return { width, height, data };
}

function pick(indices: Int32Array, positions: number[]): number[] {
  return positions.map((p) => indices[p] as number);
}

describe('nearestSourceIndices', () => {
  it('maps an upscale from 100 to 224 to the source pixel under each destination centre', () => {
    // scale = 100 / 224 = 0.4464285714...; position(d) = (d + 0.5) * scale, truncated
    // d=0: 0.5 * 0.44643 = 0.2232 -> 0      d=1: 1.5 * 0.44643 = 0.6696 -> 0
    // d=2: 2.5 * 0.44643 = 1.1161 -> 1      d=3: 3.5 * 0.44643 = 1.5625 -> 1
    // d=223: 223.5 * 0.44643 = 99.7768 -> 99
    const indices = nearestSourceIndices(100, 224);
    assert.equal(indices.length, 224);
    assert.deepEqual(pick(indices, [0, 1, 2, 3, 223]), [0, 0, 1, 1, 99]);
  });

  it('maps a downscale from 875 to 224 with the exact binary step 3.90625', () => {
    // scale = 875 / 224 = 3.90625 exactly, so no rounding: position(d) = 1.953125 + d * 3.90625
    // d=0: 1.953125 -> 1    d=1: 5.859375 -> 5    d=2: 9.765625 -> 9
    // d=223: 1.953125 + 871.09375 = 873.046875 -> 873
    assert.deepEqual(pick(nearestSourceIndices(875, 224), [0, 1, 2, 223]), [1, 5, 9, 873]);
  });

  it('follows Pillow rather than the closed form where a position lands exactly on a boundary', () => {
    // 256 -> 224 at d=3: the closed form (3 + 0.5) * 256 / 224 = 4 exactly, but Pillow adds
    // 1.142857... four times in double precision and reaches 3.9999999999999996 -> 3.
    assert.equal(nearestSourceIndices(256, 224)[3], 3);
    // 64 -> 224 at d=3: closed form 3.5 * 64 / 224 = 1 exactly, Pillow reaches just below 1.
    assert.equal(nearestSourceIndices(64, 224)[3], 0);
  });

  it('is the identity when source and destination sizes are equal', () => {
    assert.deepEqual(
      Array.from(nearestSourceIndices(224, 224)),
      Array.from({ length: 224 }, (_, i) => i),
    );
  });

  it('rejects sizes that are not positive integers', () => {
    assert.throws(() => nearestSourceIndices(0, 224), { code: 'FJ_INVALID_ARGUMENT' });
    assert.throws(() => nearestSourceIndices(100, 1.5), { code: 'FJ_INVALID_ARGUMENT' });
  });
});

describe('resizeNearest', () => {
  it('maps each axis of a non-square 300x150 image independently to 224x224', () => {
    // x: scale = 300 / 224 = 1.33929; d=0: 0.6696 -> 0, d=1: 2.0089 -> 2, d=223: 299.33 -> 299
    // y: scale = 150 / 224 = 0.66964; d=0: 0.3348 -> 0, d=1: 1.0045 -> 1, d=2: 1.6741 -> 1,
    //    d=223: 149.665 -> 149
    const xs = nearestSourceIndices(300, 224);
    const ys = nearestSourceIndices(150, 224);
    assert.deepEqual(pick(xs, [0, 1, 223]), [0, 2, 299]);
    assert.deepEqual(pick(ys, [0, 1, 2, 223]), [0, 1, 1, 149]);

    const resized = resizeNearest(coordinateImage(300, 150), 224, 224);
    assert.equal(resized.width, 224);
    assert.equal(resized.height, 224);
    assert.equal(resized.data.length, 224 * 224 * 3);
    for (const [x, y] of [
      [0, 0],
      [1, 1],
      [1, 2],
      [223, 223],
      [100, 57],
    ] as const) {
      const i = (y * 224 + x) * 3;
      const sx = xs[x] as number;
      const sy = ys[y] as number;
      assert.deepEqual(Array.from(resized.data.subarray(i, i + 3)), [sx % 256, sy % 256, (sx + sy) % 256], `${x},${y}`);
    }
    // Spot values from the hand computation above: (223, 223) reads source (299, 149).
    const last = (223 * 224 + 223) * 3;
    assert.deepEqual(Array.from(resized.data.subarray(last, last + 3)), [299 % 256, 149, (299 + 149) % 256]);
  });

  it('returns an equal copy when the image already has the target size', () => {
    const image = coordinateImage(224, 224);
    const resized = resizeNearest(image, 224, 224);
    assert.deepEqual(resized.data, image.data);
    assert.notEqual(resized.data, image.data);
  });
});
