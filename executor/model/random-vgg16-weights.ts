/**
 * Random VGG16 weights for running the pipeline without the real ImageNet weights: He-normal
 * kernels (std = sqrt(2 / fan_in), the initialisation that keeps ReLU activations from
 * vanishing or exploding through 15 layers) and zero biases, drawn from one seeded stream in
 * Keras layer order, so a seed names the same weights everywhere.
 */
import { SeededRandom } from '../util/seeded-random.js';
import { computeVgg16Layers, VGG16_WIDTHS } from './vgg16-graph.js';
import type { LayerWeights, Vgg16Weights, Vgg16Widths } from './vgg16-graph.js';

export const DEFAULT_MODEL_SEED = 0;

export interface RandomVgg16WeightsOptions {
  readonly seed?: number;
  readonly widths?: Vgg16Widths;
}

/** How the weights are described in ModelInfo.weights and the manifest. */
export function describeRandomWeights(seed: number): string {
  return `random(he-normal, seed=${seed})`;
}

export function buildRandomVgg16Weights(options: RandomVgg16WeightsOptions = {}): Vgg16Weights {
  const seed = options.seed ?? DEFAULT_MODEL_SEED;
  const widths = options.widths ?? VGG16_WIDTHS;
  const random = new SeededRandom(seed);
  const layers: Record<string, LayerWeights> = {};
  for (const layer of computeVgg16Layers(widths)) {
    const kernelSize = layer.kernelShape.reduce((a, b) => a * b, 1);
    const units = layer.kind === 'conv' ? layer.outChannels : layer.outUnits;
    layers[layer.name] = {
      kernel: random.fillNormal(new Float32Array(kernelSize), Math.sqrt(2 / layer.fanIn)),
      bias: new Float32Array(units),
    };
  }
  return { widths, layers };
}
