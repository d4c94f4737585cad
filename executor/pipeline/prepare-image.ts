import { FeatureJobError } from '../errors.js';
import { DEFAULT_MAX_PIXELS } from '../config/limits.js';
import type { ByteBudget } from '../util/byte-budget.js';
import { decodeImagePixels, readImageHeader } from './decode-image.js';
import { KERAS_INPUT_SIZE, preprocessKeras } from './preprocess-keras.js';
import { resizeNearest } from './resize-nearest.js';

export interface PrepareImageOptions {
  /** Decompression-bomb limit; DEFAULT_MAX_PIXELS (Pillow's) when absent. */
  maxPixels?: number;
  /** The model's square input side; KERAS_INPUT_SIZE (224, VGG16) when absent. */
  size?: number;
  /** A batch tensor (NHWC float32) to write into; a fresh array when absent. */
  out?: Float32Array;
  /** Where this image's size * size * 3 floats start in `out`; 0 when absent. */
  offset?: number;
  /**
   * The worker's budget of decoded bytes: the image's decode (its header's pixels x channels x
   * bytes per sample, and our copies) is charged from it, after the header and before the
   * decode, and given back once the image is resized. No budget when absent.
   */
  budget?: ByteBudget;
}

/**
 * The `keras` preprocessing profile for one image: decode at full resolution, resize with
 * Pillow's nearest-neighbour mapping, then VGG16's BGR mean subtraction. Returns the
 * size * size * 3 floats written (a view into `out` when one is given). Throws the
 * decoder's FJ_IMAGE_* errors, leaving `out` untouched.
 */
export async function prepareImage(bytes: Uint8Array, options: PrepareImageOptions = {}): Promise<Float32Array> {
  const size = options.size ?? KERAS_INPUT_SIZE;
  const values = size * size * 3;
  const out = options.out ?? new Float32Array(values);
  const offset = options.offset ?? 0;
  // Checked before decoding so a caller's mistake is not reported as a bad image.
  if (!Number.isInteger(offset) || offset < 0 || offset + values > out.length) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `offset ${offset} leaves no room for ${values} values in a buffer of ${out.length}`,
    );
  }
  const header = await readImageHeader(bytes, { maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS });
  const release = await options.budget?.acquire(header.decodeBytes);
  try {
    // The full-resolution image lives only inside this block: resized, it is let go.
    preprocessKeras(resizeNearest(await decodeImagePixels(header), size, size), out, offset);
  } finally {
    release?.();
  }
  return out.subarray(offset, offset + values);
}
