import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Graph, computeVgg16Layers, hwioToOihw, VGG16_WIDTHS } from '../../../executor/model/vgg16-graph.js';

describe('computeVgg16Layers', () => {
  it('lists the 13 conv and 2 dense layers of VGG16 with Keras names and shapes', () => {
    const layers = computeVgg16Layers();
    assert.deepEqual(
      layers.map((l) => l.name),
      [
        'block1_conv1',
        'block1_conv2',
        'block2_conv1',
        'block2_conv2',
        'block3_conv1',
        'block3_conv2',
        'block3_conv3',
        'block4_conv1',
        'block4_conv2',
        'block4_conv3',
        'block5_conv1',
        'block5_conv2',
        'block5_conv3',
        'fc1',
        'fc2',
      ],
    );
    assert.deepEqual(layers[0]?.kernelShape, [3, 3, 3, 64]);
    assert.deepEqual(layers[4]?.kernelShape, [3, 3, 128, 256]);
    assert.deepEqual(layers[13]?.kernelShape, [25088, 4096]);
    assert.deepEqual(layers[14]?.kernelShape, [4096, 4096]);
    const parameters = layers.reduce((sum, l) => {
      const units = l.kind === 'conv' ? l.outChannels : l.outUnits;
      return sum + l.kernelShape.reduce((a, b) => a * b, 1) + units;
    }, 0);
    // Keras' VGG16 has 138,357,544 parameters; without predictions (4096x1000 + 1000) 134,260,544.
    assert.equal(parameters, 134_260_544);
  });

  it('refuses widths that are not five positive conv widths', () => {
    assert.throws(() => computeVgg16Layers({ conv: [1, 2, 3, 4, 0], dense: 4 }), RangeError);
    assert.throws(() => computeVgg16Layers({ ...VGG16_WIDTHS, dense: 1.5 }), RangeError);
  });
});

describe('hwioToOihw', () => {
  it('moves kernel[kh][kw][i][o] to [o][i][kh][kw]', () => {
    const cin = 2;
    const cout = 3;
    const hwio = new Float32Array(9 * cin * cout).map((_, i) => i);
    const oihw = hwioToOihw(hwio, cin, cout);
    for (let kh = 0; kh < 3; kh += 1)
      for (let kw = 0; kw < 3; kw += 1)
        for (let i = 0; i < cin; i += 1)
          for (let o = 0; o < cout; o += 1) {
            assert.equal(oihw[((o * cin + i) * 3 + kh) * 3 + kw], hwio[((kh * 3 + kw) * cin + i) * cout + o]);
          }
  });
});

describe('buildVgg16Graph', () => {
  const widths = { conv: [2, 4, 4, 8, 8], dense: 16 } as const;

  it('takes NHWC input, flattens block5_pool channels-last and ends at fc2', () => {
    const graph = buildVgg16Graph(buildRandomVgg16Weights({ widths }));
    assert.deepEqual(graph.inputs, [{ name: 'input', elemType: 1, shape: ['N', 224, 224, 3] }]);
    assert.deepEqual(graph.outputs, [{ name: 'fc2', elemType: 1, shape: ['N', 16] }]);
    const ops = graph.nodes.map((n) => n.opType);
    assert.equal(ops.filter((op) => op === 'Conv').length, 13);
    assert.equal(ops.filter((op) => op === 'MaxPool').length, 5);
    const flattenAt = graph.nodes.findIndex((n) => n.opType === 'Flatten');
    const beforeFlatten = graph.nodes[flattenAt - 1];
    assert.equal(beforeFlatten?.opType, 'Transpose');
    assert.deepEqual(beforeFlatten?.attributes, [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }]);
    assert.deepEqual(graph.initializers.find((t) => t.name === 'block1_conv1/kernel')?.dims, [2, 3, 3, 3]);
    assert.deepEqual(graph.initializers.find((t) => t.name === 'fc1/kernel')?.dims, [7 * 7 * 8, 16]);
  });

  it('refuses weights whose shapes do not match the widths', () => {
    const weights = buildRandomVgg16Weights({ widths });
    const layers = { ...weights.layers, fc2: { kernel: new Float32Array(3), bias: new Float32Array(16) } };
    assert.throws(() => buildVgg16Graph({ widths, layers }), /fc2/);
    const { fc1: _dropped, ...withoutFc1 } = weights.layers;
    assert.throws(() => buildVgg16Graph({ widths, layers: withoutFc1 }), /missing weights for layer fc1/);
  });
});
