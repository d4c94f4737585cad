/**
 * Proves the ONNX wiring (HWIO -> OIHW, 'same' padding, pooling, channels-last flatten,
 * dense [in,out] layout) against a plain reference that works in Keras' own layouts
 * throughout, on a narrow VGG16 so the reference stays quick.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { SeededRandom } from '../../../executor/util/seeded-random.js';
import { buildVgg16Onnx, computeVgg16Layers } from '../../../executor/model/vgg16-graph.js';
import type { LayerWeights, Vgg16Weights, Vgg16Widths } from '../../../executor/model/vgg16-graph.js';

const SIZE = 224;
// Unequal in/out channel counts, so a swapped kernel axis cannot go unnoticed.
const WIDTHS: Vgg16Widths = { conv: [3, 5, 6, 8, 8], dense: 16 };

interface Activation {
  data: Float64Array; // NHWC, one image
  height: number;
  width: number;
  channels: number;
}

/** Keras Conv2D(3x3, padding='same') + ReLU on HWIO weights. */
function convRelu(x: Activation, layer: LayerWeights, cout: number): Activation {
  const { height, width, channels: cin } = x;
  const out = new Float64Array(height * width * cout);
  for (let y = 0; y < height; y += 1) {
    for (let xx = 0; xx < width; xx += 1) {
      const o = (y * width + xx) * cout;
      for (let c = 0; c < cout; c += 1) out[o + c] = layer.bias[c] as number;
      for (let kh = 0; kh < 3; kh += 1) {
        const iy = y + kh - 1;
        if (iy < 0 || iy >= height) continue;
        for (let kw = 0; kw < 3; kw += 1) {
          const ix = xx + kw - 1;
          if (ix < 0 || ix >= width) continue;
          for (let ci = 0; ci < cin; ci += 1) {
            const v = x.data[(iy * width + ix) * cin + ci] as number;
            const k = ((kh * 3 + kw) * cin + ci) * cout;
            for (let c = 0; c < cout; c += 1) out[o + c] = (out[o + c] as number) + v * (layer.kernel[k + c] as number);
          }
        }
      }
      for (let c = 0; c < cout; c += 1) out[o + c] = Math.max(0, out[o + c] as number);
    }
  }
  return { data: out, height, width, channels: cout };
}

function maxPool(x: Activation): Activation {
  const height = x.height / 2;
  const width = x.width / 2;
  const out = new Float64Array(height * width * x.channels);
  for (let y = 0; y < height; y += 1)
    for (let xx = 0; xx < width; xx += 1)
      for (let c = 0; c < x.channels; c += 1) {
        let best = -Infinity;
        for (const [dy, dx] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const) {
          best = Math.max(best, x.data[((2 * y + dy) * x.width + 2 * xx + dx) * x.channels + c] as number);
        }
        out[(y * width + xx) * x.channels + c] = best;
      }
  return { data: out, height, width, channels: x.channels };
}

/** Keras Dense + ReLU on an [in,out] kernel. */
function denseRelu(x: Float64Array, layer: LayerWeights, units: number): Float64Array {
  const out = new Float64Array(units);
  for (let j = 0; j < units; j += 1) {
    let sum = layer.bias[j] as number;
    for (let i = 0; i < x.length; i += 1) sum += (x[i] as number) * (layer.kernel[i * units + j] as number);
    out[j] = Math.max(0, sum);
  }
  return out;
}

function referenceFc2(weights: Vgg16Weights, image: Float32Array): Float64Array {
  let x: Activation = { data: Float64Array.from(image), height: SIZE, width: SIZE, channels: 3 };
  let features: Float64Array = new Float64Array(0);
  for (const layer of computeVgg16Layers(weights.widths)) {
    const w = weights.layers[layer.name] as LayerWeights;
    if (layer.kind === 'conv') {
      x = convRelu(x, w, layer.outChannels);
      if (layer.name.endsWith(layer.block <= 2 ? '_conv2' : '_conv3')) x = maxPool(x);
    } else {
      // Keras Flatten on channels-last data: the NHWC buffer as it lies.
      features = denseRelu(layer.name === 'fc1' ? x.data : features, w, layer.outUnits);
    }
  }
  return features;
}

/** Random weights with non-zero biases, so the bias wiring is exercised too. */
function weightsWithBiases(): Vgg16Weights {
  const base = buildRandomVgg16Weights({ seed: 21, widths: WIDTHS });
  const random = new SeededRandom(22);
  const layers: Record<string, LayerWeights> = {};
  for (const [name, layer] of Object.entries(base.layers)) {
    layers[name] = { kernel: layer.kernel, bias: random.fillNormal(new Float32Array(layer.bias.length), 0.5) };
  }
  return { widths: WIDTHS, layers };
}

function preprocessedLikeImage(seed: number): Float32Array {
  // Values in the range of BGR mean-subtracted pixels, smooth enough to look image-like.
  const random = new SeededRandom(seed);
  const image = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0; i < image.length; i += 1) {
    const pixel = Math.floor(i / 3);
    const wave = 60 * Math.sin((pixel % SIZE) / 17 + (i % 3)) * Math.cos(Math.floor(pixel / SIZE) / 23);
    image[i] = wave + 60 * (random.nextFloat() - 0.5);
  }
  return image;
}

describe('VGG16 ONNX graph', () => {
  it('computes the same fc2 as a plain channels-last reference on a narrow VGG16', async () => {
    const weights = weightsWithBiases();
    const session = await ort.InferenceSession.create(buildVgg16Onnx(weights));
    try {
      const images = [preprocessedLikeImage(1), preprocessedLikeImage(2)];
      const batch = new Float32Array(2 * SIZE * SIZE * 3);
      images.forEach((image, i) => batch.set(image, i * image.length));
      const result = await session.run({ input: new ort.Tensor('float32', batch, [2, SIZE, SIZE, 3]) });
      const fc2 = result.fc2;
      assert.ok(fc2 !== undefined);
      assert.deepEqual(fc2.dims, [2, WIDTHS.dense]);
      const actual = fc2.data as Float32Array;

      images.forEach((image, n) => {
        const expected = referenceFc2(weights, image);
        const got = actual.subarray(n * WIDTHS.dense, (n + 1) * WIDTHS.dense);
        const scale = Math.max(...expected.map(Math.abs));
        assert.ok(scale > 0 && expected.filter((v) => v > 0).length >= 3, 'reference output is not trivial');
        const maxError = Math.max(...Array.from(got, (v, j) => Math.abs(v - (expected[j] as number))));
        assert.ok(maxError <= 1e-4 * scale, `image ${n}: max abs error ${maxError} vs magnitude ${scale}`);
      });
    } finally {
      await session.release();
    }
  });
});
