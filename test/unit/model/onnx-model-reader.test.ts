import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOnnxModel } from '../../../executor/model/onnx-model-builder.js';
import { readOnnxGraph } from '../../../executor/model/onnx-model-reader.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Graph } from '../../../executor/model/vgg16-graph.js';

const widths = { conv: [2, 3, 4, 5, 6], dense: 7 } as const;

describe('readOnnxGraph', () => {
  it('reads back exactly the nodes, initializers, inputs and outputs the builder wrote', () => {
    const graph = buildVgg16Graph(
      buildRandomVgg16Weights({
        seed: 3,
        widths: { conv: [...widths.conv] as [number, number, number, number, number], dense: widths.dense },
      }),
    );
    const read = readOnnxGraph(buildOnnxModel({ graph }));
    assert.equal(read.name, graph.name);
    assert.deepEqual(read.nodes, graph.nodes);
    assert.deepEqual(read.inputs, graph.inputs);
    assert.deepEqual(read.outputs, graph.outputs);
    assert.deepEqual(
      read.initializers.map((t) => ({ ...t, rawData: Buffer.from(t.rawData).toString('hex') })),
      graph.initializers.map((t) => ({ ...t, rawData: Buffer.from(t.rawData).toString('hex') })),
    );
  });

  it('refuses bytes that are not a model with FJ_MODEL_INVALID', () => {
    assert.throws(() => readOnnxGraph(new Uint8Array([0x3a, 0x05, 0x01])), { code: 'FJ_MODEL_INVALID' });
    assert.throws(() => readOnnxGraph(new Uint8Array(0)), { code: 'FJ_MODEL_INVALID', message: /holds no graph/ });
  });
});
