import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRandomVgg16Weights, describeRandomWeights } from '../../../executor/model/random-vgg16-weights.js';
import type { Vgg16Weights } from '../../../executor/model/vgg16-graph.js';

const SMALL = { conv: [8, 16, 32, 64, 128], dense: 64 } as const;

function sameWeights(a: Vgg16Weights, b: Vgg16Weights): boolean {
  const names = Object.keys(a.layers);
  return names.every((name) => {
    const x = a.layers[name];
    const y = b.layers[name];
    return (
      x !== undefined &&
      y !== undefined &&
      Buffer.from(x.kernel.buffer).equals(Buffer.from(y.kernel.buffer)) &&
      Buffer.from(x.bias.buffer).equals(Buffer.from(y.bias.buffer))
    );
  });
}

describe('buildRandomVgg16Weights', () => {
  it('gives identical weights for the same seed', () => {
    assert.ok(
      sameWeights(
        buildRandomVgg16Weights({ seed: 5, widths: SMALL }),
        buildRandomVgg16Weights({ seed: 5, widths: SMALL }),
      ),
    );
  });

  it('gives different weights for a different seed', () => {
    const a = buildRandomVgg16Weights({ seed: 5, widths: SMALL });
    const b = buildRandomVgg16Weights({ seed: 6, widths: SMALL });
    assert.ok(!sameWeights(a, b));
    assert.notEqual(a.layers.block1_conv1?.kernel[0], b.layers.block1_conv1?.kernel[0]);
  });

  it('draws every kernel He-normal (std sqrt(2 / fan_in), mean 0) and zero biases', () => {
    const weights = buildRandomVgg16Weights({ seed: 1, widths: SMALL });
    // block5_conv3 is 3x3x128x128: 147k samples, fan_in 1152.
    const kernel = weights.layers.block5_conv3?.kernel ?? new Float32Array();
    assert.equal(kernel.length, 3 * 3 * 128 * 128);
    const mean = kernel.reduce((a, b) => a + b, 0) / kernel.length;
    const std = Math.sqrt(kernel.reduce((a, b) => a + (b - mean) ** 2, 0) / kernel.length);
    const expected = Math.sqrt(2 / (3 * 3 * 128));
    assert.ok(Math.abs(std / expected - 1) < 0.02, `std ${std}, expected ${expected}`);
    assert.ok(Math.abs(mean) < 0.05 * expected, `mean ${mean}`);
    // fc1 takes the flattened 7x7x128 block5_pool.
    const fc1 = weights.layers.fc1?.kernel ?? new Float32Array();
    assert.equal(fc1.length, 7 * 7 * 128 * 64);
    const fc1Std = Math.sqrt(fc1.reduce((a, b) => a + b * b, 0) / fc1.length);
    assert.ok(Math.abs(fc1Std / Math.sqrt(2 / (7 * 7 * 128)) - 1) < 0.02, `fc1 std ${fc1Std}`);
    for (const layer of Object.values(weights.layers)) assert.ok(layer.bias.every((b) => b === 0));
  });

  it('describes the weights with the initialiser and the seed', () => {
    assert.equal(describeRandomWeights(3), 'random(he-normal, seed=3)');
  });
});
