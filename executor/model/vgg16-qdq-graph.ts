/**
 * The statically quantized VGG16-fc2 graph in QDQ form (QuantizeLinear / DequantizeLinear
 * pairs around each Conv and Gemm), which onnxruntime's graph optimizer fuses into its
 * integer kernels (QLinearConv, QGemm, uint8 MaxPool) at session creation:
 *
 *   input -> Transpose -> Q -> DQ -> Conv(DQ(w int8), DQ(b int32)) -> Q -> DQ -> [MaxPool -> Q -> DQ] -> ...
 *   ... -> Transpose -> Q -> DQ -> Flatten -> Q -> DQ -> Gemm(fc1) -> Q -> DQ -> Gemm(fc2) -> Relu -> fc2 (float32)
 *
 * The ReLU after each Conv and after fc1 is folded into the following QuantizeLinear: its
 * calibrated range starts at 0, so the uint8 zero point is 0 and saturation clips exactly
 * what ReLU would. fc2's output stays float32, so the features are not rounded to 256
 * levels. Ops that only move values (MaxPool, Transpose, Flatten) keep their input's scale,
 * which lets onnxruntime run them on uint8 directly.
 */
import {
  buildFloatTensor,
  buildIntegerTensor,
  OnnxDataType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
} from './onnx-model-builder.js';
import {
  computeActivationQuantization,
  quantizeBias,
  quantizeWeightsPerChannel,
  type ActivationQuantization,
} from './quantization-math.js';
import { VGG16_INPUT_NAME, VGG16_INPUT_SIZE, VGG16_OUTPUT_NAME } from './vgg16-graph.js';
import type { Vgg16Layout } from './vgg16-layout.js';

/** The fp32 tensors whose ranges calibration measures: each quantized op's input. */
export const INPUT_ACTIVATION = 'input_nchw';

/** Calibrated activation ranges by tensor name (see computeCalibrationTensors). */
export type ActivationRanges = Readonly<Record<string, { readonly min: number; readonly max: number }>>;

/** The input, every conv layer's ReLU output and fc1's: what the quantized graph needs ranges for. */
export function computeCalibrationTensors(layout: Pick<Vgg16Layout, 'layers'>): string[] {
  return [INPUT_ACTIVATION, ...layout.layers.filter((layer) => layer.name !== 'fc2').map((layer) => layer.name)];
}

export function buildVgg16QdqGraph(options: {
  readonly layout: Vgg16Layout;
  readonly ranges: ActivationRanges;
  readonly batchDim?: string;
}): OnnxGraph {
  const { layout, ranges } = options;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];

  const quantizationOf = (tensor: string): ActivationQuantization => {
    const range = ranges[tensor];
    if (range === undefined) throw new RangeError(`no calibrated range for ${tensor}`);
    return computeActivationQuantization(range);
  };
  /** Q then DQ of `tensor` with the named quantization; returns the dequantized tensor's name. */
  const quantize = (tensor: string, params: string): string => {
    nodes.push(
      {
        name: `${tensor}/quantize`,
        opType: 'QuantizeLinear',
        inputs: [tensor, `${params}/scale`, `${params}/zero_point`],
        outputs: [`${tensor}/q`],
      },
      {
        name: `${tensor}/dequantize`,
        opType: 'DequantizeLinear',
        inputs: [`${tensor}/q`, `${params}/scale`, `${params}/zero_point`],
        outputs: [`${tensor}/dq`],
      },
    );
    return `${tensor}/dq`;
  };
  const addActivationParams = (tensor: string): ActivationQuantization => {
    const q = quantizationOf(tensor);
    initializers.push(
      buildFloatTensor({ name: `${tensor}/scale`, dims: [], data: new Float32Array([q.scale]) }),
      buildIntegerTensor({ name: `${tensor}/zero_point`, dims: [], data: new Uint8Array([q.zeroPoint]) }),
    );
    return q;
  };

  nodes.push({
    name: 'input_to_nchw',
    opType: 'Transpose',
    inputs: [VGG16_INPUT_NAME],
    outputs: [INPUT_ACTIVATION],
    attributes: [{ name: 'perm', kind: 'ints', value: [0, 3, 1, 2] }],
  });
  let input = {
    scale: addActivationParams(INPUT_ACTIVATION).scale,
    params: INPUT_ACTIVATION,
    tensor: quantize(INPUT_ACTIVATION, INPUT_ACTIVATION),
  };
  const convsPerBlock = new Map<number, number>();
  for (const layer of layout.layers)
    if (layer.kind === 'conv') convsPerBlock.set(layer.block, (convsPerBlock.get(layer.block) ?? 0) + 1);

  for (const layer of layout.layers) {
    const { kernel, bias } = layout.weights[layer.name] as { kernel: Float32Array; bias: Float32Array };
    const isConv = layer.kind === 'conv';
    const channels = isConv ? layer.outChannels : layer.outUnits;
    const weights = quantizeWeightsPerChannel({ data: kernel, channels, channelAxis: isConv ? 'outer' : 'inner' });
    const biasQ = quantizeBias({ bias, inputScale: input.scale, weightScales: weights.scales });
    const kernelDims = isConv ? [layer.outChannels, layer.inChannels, 3, 3] : [layer.inUnits, layer.outUnits];
    const axis = isConv ? 0 : 1;
    initializers.push(
      buildIntegerTensor({ name: `${layer.name}/kernel/q`, dims: kernelDims, data: weights.values }),
      buildFloatTensor({ name: `${layer.name}/kernel/scale`, dims: [channels], data: weights.scales }),
      buildIntegerTensor({ name: `${layer.name}/kernel/zero_point`, dims: [channels], data: new Int8Array(channels) }),
      buildIntegerTensor({ name: `${layer.name}/bias/q`, dims: [channels], data: biasQ.values }),
      buildFloatTensor({ name: `${layer.name}/bias/scale`, dims: [channels], data: biasQ.scales }),
      buildIntegerTensor({ name: `${layer.name}/bias/zero_point`, dims: [channels], data: new Int32Array(channels) }),
    );
    for (const part of ['kernel', 'bias'] as const) {
      const base = `${layer.name}/${part}`;
      nodes.push({
        name: `${base}/dequantize`,
        opType: 'DequantizeLinear',
        inputs: [`${base}/q`, `${base}/scale`, `${base}/zero_point`],
        outputs: [`${base}/dq`],
        attributes: [{ name: 'axis', kind: 'int', value: part === 'kernel' ? axis : 0 }],
      });
    }
    const op = isConv ? `${layer.name}/conv` : `${layer.name}/dense`;
    nodes.push(
      isConv
        ? {
            name: op,
            opType: 'Conv',
            inputs: [input.tensor, `${layer.name}/kernel/dq`, `${layer.name}/bias/dq`],
            outputs: [op],
            attributes: [
              { name: 'kernel_shape', kind: 'ints', value: [3, 3] },
              { name: 'pads', kind: 'ints', value: [1, 1, 1, 1] },
              { name: 'strides', kind: 'ints', value: [1, 1] },
            ],
          }
        : {
            name: op,
            opType: 'Gemm',
            inputs: [input.tensor, `${layer.name}/kernel/dq`, `${layer.name}/bias/dq`],
            outputs: [op],
            attributes: [
              { name: 'transA', kind: 'int', value: 0 },
              { name: 'transB', kind: 'int', value: 0 },
            ],
          },
    );
    if (layer.name === VGG16_OUTPUT_NAME) {
      nodes.push({ name: `${layer.name}/relu`, opType: 'Relu', inputs: [op], outputs: [VGG16_OUTPUT_NAME] });
      continue;
    }
    // The ReLU folds into this QuantizeLinear: the range starts at 0, so the zero point is 0.
    const q = addActivationParams(layer.name);
    if (q.zeroPoint !== 0)
      throw new RangeError(`${layer.name}: a ReLU output calibrated with zero point ${q.zeroPoint}`);
    nodes.push({
      name: `${layer.name}/quantize`,
      opType: 'QuantizeLinear',
      inputs: [op, `${layer.name}/scale`, `${layer.name}/zero_point`],
      outputs: [`${layer.name}/q`],
    });
    nodes.push({
      name: `${layer.name}/dequantize`,
      opType: 'DequantizeLinear',
      inputs: [`${layer.name}/q`, `${layer.name}/scale`, `${layer.name}/zero_point`],
      outputs: [`${layer.name}/dq`],
    });
    input = { scale: q.scale, params: layer.name, tensor: `${layer.name}/dq` };

    const isLastInBlock = isConv && layer.name === `block${layer.block}_conv${convsPerBlock.get(layer.block)}`;
    if (isLastInBlock) {
      const pool = `block${layer.block}_pool`;
      nodes.push({
        name: pool,
        opType: 'MaxPool',
        inputs: [input.tensor],
        outputs: [pool],
        attributes: [
          { name: 'kernel_shape', kind: 'ints', value: [2, 2] },
          { name: 'strides', kind: 'ints', value: [2, 2] },
        ],
      });
      input = { ...input, tensor: quantize(pool, input.params) };
      if (layer.block === 5) {
        nodes.push({
          name: 'block5_pool_to_nhwc',
          opType: 'Transpose',
          inputs: [input.tensor],
          outputs: ['block5_pool_nhwc'],
          attributes: [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }],
        });
        const nhwc = quantize('block5_pool_nhwc', input.params);
        nodes.push({
          name: 'flatten',
          opType: 'Flatten',
          inputs: [nhwc],
          outputs: ['flatten'],
          attributes: [{ name: 'axis', kind: 'int', value: 1 }],
        });
        input = { ...input, tensor: quantize('flatten', input.params) };
      }
    }
  }

  const batch = options.batchDim ?? 'N';
  return {
    name: 'vgg16_fc2_int8_qdq',
    nodes,
    initializers,
    inputs: [
      { name: VGG16_INPUT_NAME, elemType: OnnxDataType.float, shape: [batch, VGG16_INPUT_SIZE, VGG16_INPUT_SIZE, 3] },
    ],
    outputs: [{ name: VGG16_OUTPUT_NAME, elemType: OnnxDataType.float, shape: [batch, layout.widths.dense] }],
  };
}
