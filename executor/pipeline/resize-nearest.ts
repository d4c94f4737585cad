import { FeatureJobError } from '../errors.js';
import type { RgbImage } from './rgb-image.js';

/**
 * Source pixel index for every destination pixel along one axis, bit-exact with Pillow's
 * `Image.resize(size, Image.NEAREST)` (what Keras' `load_img` calls).
 *
 * Pillow does not evaluate the closed form `floor((dst + 0.5) * src / dstSize)`: its
 * ImagingScaleAffine (libImaging/Geometry.c) starts at `scale * 0.5` and adds `scale` once
 * per destination pixel in double precision, truncating each position to an int. The
 * accumulated rounding error lands exact boundaries on the lower side, so the closed form
 * disagrees whenever `(2*dst + 1) * src` is a multiple of `2 * dstSize`: for instance
 * 256 -> 224 at dst 3, where the closed form gives 4 and Pillow gives 3. We repeat
 * Pillow's arithmetic step by step; JavaScript numbers are the same IEEE doubles, so the
 * indices are identical.
 */
export function nearestSourceIndices(srcSize: number, dstSize: number): Int32Array {
  assertSize('srcSize', srcSize);
  assertSize('dstSize', dstSize);
  const indices = new Int32Array(dstSize);
  const scale = srcSize / dstSize;
  let position = scale * 0.5;
  for (let dst = 0; dst < dstSize; dst += 1) {
    // Positions are never negative, so truncation is Pillow's COORD(); the last position
    // is srcSize - scale/2 give or take rounding, far from srcSize, but clamp anyway so a
    // pathological size can never read outside the row.
    indices[dst] = Math.min(Math.trunc(position), srcSize - 1);
    position += scale;
  }
  return indices;
}

/**
 * Nearest-neighbour resize with Pillow's mapping on each axis independently (no aspect
 * ratio kept, like Keras' `target_size`). An image already at the target size is copied,
 * as Pillow does.
 */
export function resizeNearest(image: RgbImage, width: number, height: number): RgbImage {
  const xs = nearestSourceIndices(image.width, width);
  const ys = nearestSourceIndices(image.height, height);
  const src = image.data;
  const out = new Uint8Array(width * height * 3);
  const srcStride = image.width * 3;
  let o = 0;
  for (let y = 0; y < height; y += 1) {
    const rowStart = (ys[y] as number) * srcStride;
    for (let x = 0; x < width; x += 1) {
      const i = rowStart + (xs[x] as number) * 3;
      out[o] = src[i] as number;
      out[o + 1] = src[i + 1] as number;
      out[o + 2] = src[i + 2] as number;
      o += 3;
    }
  }
  return { width, height, data: out };
}

function assertSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
}
