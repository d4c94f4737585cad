import { FeatureJobError } from '../errors.js';
import type { RgbImage } from './rgb-image.js';

/** VGG16's input side: Keras' `load_img(path, target_size=(224, 224))`. */
export const KERAS_INPUT_SIZE = 224;

/** Floats one preprocessed image occupies: 224 * 224 pixels * 3 channels, channels-last. */
export const KERAS_VALUES_PER_IMAGE = KERAS_INPUT_SIZE * KERAS_INPUT_SIZE * 3;

/**
 * The ImageNet channel means `vgg16.preprocess_input` ('caffe' mode) subtracts, in BGR
 * order, rounded to float32 as NumPy does when it subtracts a Python float from a float32
 * array.
 */
export const VGG16_BGR_MEAN = [Math.fround(103.939), Math.fround(116.779), Math.fround(123.68)] as const;

/**
 * Writes `vgg16.preprocess_input(img_to_array(image))` into
 * `out[offset .. offset + width * height * 3)`: channels-last, RGB reversed to BGR, each
 * channel minus its mean, no scaling. The image is normally 224x224 (KERAS_VALUES_PER_IMAGE
 * values); any size is accepted so a model with another input side can use the profile.
 *
 * Keras computes in float32: each 8-bit value is exact in float32 and a single
 * subtraction computed in double then rounded to float32 (by the Float32Array store)
 * equals the float32 subtraction, so the stored values are bit-identical.
 */
export function preprocessKeras(image: RgbImage, out: Float32Array, offset: number): void {
  const values = image.width * image.height * 3;
  if (image.data.length !== values) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `a ${image.width}x${image.height} RGB image needs ${values} bytes, got ${image.data.length}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + values > out.length) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `offset ${offset} leaves no room for ${values} values in a buffer of ${out.length}`,
    );
  }
  const [meanB, meanG, meanR] = VGG16_BGR_MEAN;
  const src = image.data;
  for (let i = 0; i < values; i += 3) {
    const o = offset + i;
    out[o] = (src[i + 2] as number) - meanB;
    out[o + 1] = (src[i + 1] as number) - meanG;
    out[o + 2] = (src[i] as number) - meanR;
  }
}
