/**
 * Keras' VGG16 ImageNet weights file (.h5) to our VGG16-fc2 ONNX model. Only the full
 * VGG16 widths are accepted: a narrow or mismatched file fails before anything is built.
 */
import { readKerasVgg16Weights } from './keras-h5-weights.js';
import { buildVgg16Onnx, VGG16_WIDTHS } from './vgg16-graph.js';
import type { BuildVgg16OnnxOptions } from './vgg16-graph.js';

export interface ConvertKerasH5Options extends BuildVgg16OnnxOptions {
  /** Names the file in error messages (a path or URL). */
  readonly source?: string;
}

export async function convertKerasH5ToOnnx(
  bytes: Uint8Array,
  options: ConvertKerasH5Options = {},
): Promise<Uint8Array> {
  const { source, ...buildOptions } = options;
  const weights = await readKerasVgg16Weights(bytes, {
    widths: VGG16_WIDTHS,
    ...(source === undefined ? {} : { source }),
  });
  return buildVgg16Onnx(weights, buildOptions);
}
