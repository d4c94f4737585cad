import { FeatureJobError } from '../errors.js';

/**
 * The first `count` images of a batch buffer (NHWC, `size`x`size`x3 floats each), refusing
 * a count the buffer cannot hold; a view, never a copy.
 */
export function sliceBatch(batch: Float32Array, count: number, size: number): Float32Array {
  const perImage = size * size * 3;
  if (!Number.isInteger(count) || count < 1 || batch.length < count * perImage) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `batch holds ${batch.length} floats, not enough for ${count} image(s) of ${perImage}`,
    );
  }
  return batch.length === count * perImage ? batch : batch.subarray(0, count * perImage);
}
