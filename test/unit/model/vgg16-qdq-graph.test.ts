import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildOnnxModel, OnnxDataType } from '../../../executor/model/onnx-model-builder.js';
import { encodeInt8Vgg16, readFp32Vgg16 } from '../../../executor/model/quantize-vgg16-model.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Graph } from '../../../executor/model/vgg16-graph.js';
import { readVgg16Layout } from '../../../executor/model/vgg16-layout.js';
import {
  buildVgg16QdqGraph,
  computeCalibrationTensors,
  type ActivationRanges,
} from '../../../executor/model/vgg16-qdq-graph.js';

const widths = { conv: [2, 3, 4, 5, 6], dense: 7 } as { conv: [number, number, number, number, number]; dense: number };
const fp32Bytes = buildOnnxModel({ graph: buildVgg16Graph(buildRandomVgg16Weights({ seed: 1, widths })) });
const model = readFp32Vgg16(fp32Bytes, 'test.onnx');
const ranges: ActivationRanges = Object.fromEntries(
  computeCalibrationTensors(model.layout).map((tensor, i) => [
    tensor,
    tensor === 'input_nchw' ? { min: -123.68, max: 151.061 } : { min: 0, max: 10 + i },
  ]),
);

function countOps(opTypes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of opTypes) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}

describe('buildVgg16QdqGraph', () => {
  const graph = buildVgg16QdqGraph({ layout: model.layout, ranges });
  const tensor = (name: string) => graph.initializers.find((t) => t.name === name);

  it('keeps the 13 convolutions and 2 dense layers, with QuantizeLinear/DequantizeLinear around each', () => {
    // Q/DQ pairs: the input, 14 layer outputs (13 conv + fc1), 5 pools, the NHWC transpose and the flatten.
    // Plus one DequantizeLinear per weight and per bias (15 layers x 2).
    assert.deepEqual(countOps(graph.nodes.map((n) => n.opType)), {
      Transpose: 2,
      QuantizeLinear: 22,
      DequantizeLinear: 22 + 30,
      Conv: 13,
      MaxPool: 5,
      Flatten: 1,
      Gemm: 2,
      Relu: 1,
    });
    assert.equal(graph.nodes.at(-1)?.outputs[0], 'fc2');
    assert.deepEqual(graph.outputs, [{ name: 'fc2', elemType: OnnxDataType.float, shape: ['N', 7] }]);
  });

  it('stores int8 weights with one scale per output channel and uint8 activations with scalar scales', () => {
    for (const layer of model.layout.layers) {
      const channels = layer.kind === 'conv' ? layer.outChannels : layer.outUnits;
      assert.equal(tensor(`${layer.name}/kernel/q`)?.dataType, OnnxDataType.int8);
      assert.deepEqual(tensor(`${layer.name}/kernel/scale`)?.dims, [channels]);
      assert.deepEqual(tensor(`${layer.name}/kernel/zero_point`)?.dims, [channels]);
      assert.equal(tensor(`${layer.name}/bias/q`)?.dataType, OnnxDataType.int32);
    }
    const fc1Dequantize = graph.nodes.find((n) => n.name === 'fc1/kernel/dequantize');
    assert.deepEqual(fc1Dequantize?.attributes, [{ name: 'axis', kind: 'int', value: 1 }]);
    assert.equal(tensor('block1_conv1/zero_point')?.dataType, OnnxDataType.uint8);
    assert.deepEqual(tensor('block1_conv1/scale')?.dims, []);
    // The input's range holds negatives, so its zero point is not 0; after ReLU it is.
    assert.notEqual(tensor('input_nchw/zero_point')?.rawData[0], 0);
    assert.equal(tensor('block3_conv2/zero_point')?.rawData[0], 0);
  });

  it('refuses to quantize without a range for every calibrated tensor', () => {
    const { fc1: _dropped, ...partial } = ranges;
    assert.throws(() => buildVgg16QdqGraph({ layout: model.layout, ranges: partial }), /no calibrated range for fc1/);
  });
});

describe('encodeInt8Vgg16', () => {
  it('writes the same bytes for the same fp32 model and ranges, and other bytes for other ranges', () => {
    const sha = (r: ActivationRanges) =>
      createHash('sha256')
        .update(encodeInt8Vgg16(readFp32Vgg16(fp32Bytes, 'again.onnx'), r).finish())
        .digest('hex');
    assert.equal(sha(ranges), sha(ranges));
    assert.notEqual(sha({ ...ranges, fc1: { min: 0, max: 99 } }), sha(ranges));
  });
});

describe('readVgg16Layout', () => {
  it('reads the widths of our graph', () => {
    assert.deepEqual(model.layout.widths, widths);
  });

  it('refuses a graph that is not our VGG16-fc2 layout with FJ_PRECISION_UNSUPPORTED', () => {
    const graph = buildVgg16Graph(buildRandomVgg16Weights({ seed: 1, widths }));
    const renamed = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.name === 'flatten' ? { ...n, opType: 'Reshape' } : n)),
    };
    assert.throws(() => readVgg16Layout(renamed, 'other.onnx'), {
      code: 'FJ_PRECISION_UNSUPPORTED',
      message: /other\.onnx differs at node \d+ \(Reshape 'flatten'\)/,
    });
    const shorter = { ...graph, nodes: graph.nodes.slice(0, -1) };
    assert.throws(() => readVgg16Layout(shorter, 'cut.onnx'), { code: 'FJ_PRECISION_UNSUPPORTED' });
    const int8 = buildVgg16QdqGraph({ layout: model.layout, ranges });
    assert.throws(() => readVgg16Layout(int8, 'int8.onnx'), { code: 'FJ_PRECISION_UNSUPPORTED' });
  });
});
