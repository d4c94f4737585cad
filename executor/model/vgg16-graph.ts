/**
 * The Keras VGG16 graph (include_top=True) cut at `fc2`, as an ONNX model. The input is
 * exactly Keras' input: float32 [N,224,224,3], channels-last, BGR, mean-subtracted. Weights
 * arrive in Keras layouts (conv HWIO, dense [in,out]) so real Keras weights can be fed in
 * unchanged; the conversion to ONNX's layouts happens here, in one place.
 */
import { buildFloatTensor, buildOnnxModel, encodeOnnxModel, OnnxDataType } from './onnx-model-builder.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx-model-builder.js';
import type { ProtobufWriter } from './protobuf-writer.js';

export const VGG16_INPUT_SIZE = 224;
export const VGG16_INPUT_NAME = 'input';
export const VGG16_OUTPUT_NAME = 'fc2';

/** Layer widths; the architecture (depths, kernels, pooling) is always VGG16's. */
export interface Vgg16Widths {
  /** Filters per block, 5 blocks. */
  readonly conv: readonly [number, number, number, number, number];
  /** Units of fc1 and fc2. */
  readonly dense: number;
}

export const VGG16_WIDTHS: Vgg16Widths = { conv: [64, 128, 256, 512, 512], dense: 4096 };

const CONVS_PER_BLOCK = [2, 2, 3, 3, 3] as const;
// 224 halved by five 2x2 poolings.
const FINAL_GRID = VGG16_INPUT_SIZE / 32;

export interface Vgg16ConvLayer {
  readonly kind: 'conv';
  readonly name: string; // e.g. 'block3_conv2'
  readonly block: number; // 1-based
  readonly inChannels: number;
  readonly outChannels: number;
  /** Keras HWIO kernel shape [3,3,in,out]. */
  readonly kernelShape: readonly [3, 3, number, number];
  readonly fanIn: number;
}

export interface Vgg16DenseLayer {
  readonly kind: 'dense';
  readonly name: 'fc1' | 'fc2';
  readonly inUnits: number;
  readonly outUnits: number;
  /** Keras [in,out] kernel shape. */
  readonly kernelShape: readonly [number, number];
  readonly fanIn: number;
}

export type Vgg16Layer = Vgg16ConvLayer | Vgg16DenseLayer;

/** Kernel (Keras layout, flat) and bias of one layer. */
export interface LayerWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/** Every weighted layer by its Keras name (block1_conv1 ... block5_conv3, fc1, fc2). */
export interface Vgg16Weights {
  readonly widths: Vgg16Widths;
  readonly layers: Readonly<Record<string, LayerWeights>>;
}

export interface BuildVgg16OnnxOptions {
  /** Symbolic name of the batch dimension. */
  readonly batchDim?: string;
  readonly docString?: string;
}

/** The weighted layers in Keras order, with their shapes for the given widths. */
export function computeVgg16Layers(widths: Vgg16Widths = VGG16_WIDTHS): Vgg16Layer[] {
  assertWidths(widths);
  const layers: Vgg16Layer[] = [];
  let channels = 3;
  CONVS_PER_BLOCK.forEach((count, blockIndex) => {
    const out = widths.conv[blockIndex] as number;
    for (let i = 1; i <= count; i += 1) {
      layers.push({
        kind: 'conv',
        name: `block${blockIndex + 1}_conv${i}`,
        block: blockIndex + 1,
        inChannels: channels,
        outChannels: out,
        kernelShape: [3, 3, channels, out],
        fanIn: 9 * channels,
      });
      channels = out;
    }
  });
  const flat = FINAL_GRID * FINAL_GRID * channels;
  for (const [name, inUnits] of [
    ['fc1', flat],
    ['fc2', widths.dense],
  ] as const) {
    layers.push({
      kind: 'dense',
      name,
      inUnits,
      outUnits: widths.dense,
      kernelShape: [inUnits, widths.dense],
      fanIn: inUnits,
    });
  }
  return layers;
}

/** The VGG16-to-fc2 ONNX model in one buffer. */
export function buildVgg16Onnx(weights: Vgg16Weights, options: BuildVgg16OnnxOptions = {}): Uint8Array {
  return buildOnnxModel({ graph: buildVgg16Graph(weights, options), docString: docStringOf(options) });
}

/** The same model as protobuf chunks, so a caller can hash and write it without a final copy. */
export function encodeVgg16Onnx(weights: Vgg16Weights, options: BuildVgg16OnnxOptions = {}): ProtobufWriter {
  return encodeOnnxModel({ graph: buildVgg16Graph(weights, options), docString: docStringOf(options) });
}

function docStringOf(options: BuildVgg16OnnxOptions): string {
  return options.docString ?? 'Keras VGG16 cut at fc2; input NHWC BGR mean-subtracted';
}

export function buildVgg16Graph(weights: Vgg16Weights, options: BuildVgg16OnnxOptions = {}): OnnxGraph {
  const batch = options.batchDim ?? 'N';
  const layers = computeVgg16Layers(weights.widths);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];

  nodes.push(transpose('input_to_nchw', VGG16_INPUT_NAME, 'input_nchw', [0, 3, 1, 2]));
  let current = 'input_nchw';
  for (const layer of layers) {
    const { kernel, bias } = weightsOf(weights, layer);
    if (layer.kind === 'conv') {
      const [, , cin, cout] = layer.kernelShape;
      initializers.push(
        buildFloatTensor({
          name: `${layer.name}/kernel`,
          dims: [cout, cin, 3, 3],
          data: hwioToOihw(kernel, cin, cout),
        }),
        buildFloatTensor({ name: `${layer.name}/bias`, dims: [cout], data: bias }),
      );
      nodes.push({
        name: `${layer.name}/conv`,
        opType: 'Conv',
        inputs: [current, `${layer.name}/kernel`, `${layer.name}/bias`],
        outputs: [`${layer.name}/conv`],
        attributes: [
          { name: 'kernel_shape', kind: 'ints', value: [3, 3] },
          // Keras padding='same' with a 3x3 kernel and stride 1 pads one pixel on every side.
          { name: 'pads', kind: 'ints', value: [1, 1, 1, 1] },
          { name: 'strides', kind: 'ints', value: [1, 1] },
        ],
      });
      nodes.push(relu(layer.name, `${layer.name}/conv`, layer.name));
      current = layer.name;
      const isLastInBlock = layer.name === `block${layer.block}_conv${CONVS_PER_BLOCK[layer.block - 1]}`;
      if (isLastInBlock) {
        const pool = `block${layer.block}_pool`;
        nodes.push({
          name: pool,
          opType: 'MaxPool',
          inputs: [current],
          outputs: [pool],
          attributes: [
            { name: 'kernel_shape', kind: 'ints', value: [2, 2] },
            { name: 'strides', kind: 'ints', value: [2, 2] },
          ],
        });
        current = pool;
      }
      continue;
    }
    if (layer.name === 'fc1') {
      // Keras flattens channels-last: fc1's kernel rows are indexed by (h, w, c).
      nodes.push(transpose('block5_pool_to_nhwc', current, 'block5_pool_nhwc', [0, 2, 3, 1]));
      nodes.push({
        name: 'flatten',
        opType: 'Flatten',
        inputs: ['block5_pool_nhwc'],
        outputs: ['flatten'],
        attributes: [{ name: 'axis', kind: 'int', value: 1 }],
      });
      current = 'flatten';
    }
    initializers.push(
      buildFloatTensor({ name: `${layer.name}/kernel`, dims: [layer.inUnits, layer.outUnits], data: kernel }),
      buildFloatTensor({ name: `${layer.name}/bias`, dims: [layer.outUnits], data: bias }),
    );
    nodes.push({
      name: `${layer.name}/dense`,
      opType: 'Gemm',
      inputs: [current, `${layer.name}/kernel`, `${layer.name}/bias`],
      outputs: [`${layer.name}/dense`],
      attributes: [
        { name: 'transA', kind: 'int', value: 0 },
        { name: 'transB', kind: 'int', value: 0 },
      ],
    });
    nodes.push(relu(layer.name, `${layer.name}/dense`, layer.name));
    current = layer.name;
  }

  return {
    name: 'vgg16_fc2',
    nodes,
    initializers,
    inputs: [
      { name: VGG16_INPUT_NAME, elemType: OnnxDataType.float, shape: [batch, VGG16_INPUT_SIZE, VGG16_INPUT_SIZE, 3] },
    ],
    outputs: [{ name: VGG16_OUTPUT_NAME, elemType: OnnxDataType.float, shape: [batch, weights.widths.dense] }],
  };
}

/** Keras conv kernel [kh,kw,in,out] -> ONNX [out,in,kh,kw]. */
export function hwioToOihw(kernel: Float32Array, inChannels: number, outChannels: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let kh = 0; kh < 3; kh += 1) {
    for (let kw = 0; kw < 3; kw += 1) {
      const spatial = kh * 3 + kw;
      for (let i = 0; i < inChannels; i += 1) {
        const src = (spatial * inChannels + i) * outChannels;
        for (let o = 0; o < outChannels; o += 1) {
          out[(o * inChannels + i) * 9 + spatial] = kernel[src + o] as number;
        }
      }
    }
  }
  return out;
}

function weightsOf(weights: Vgg16Weights, layer: Vgg16Layer): LayerWeights {
  const found = weights.layers[layer.name];
  if (found === undefined) throw new RangeError(`missing weights for layer ${layer.name}`);
  const kernelSize = layer.kernelShape.reduce((a, b) => a * b, 1);
  const biasSize = layer.kind === 'conv' ? layer.outChannels : layer.outUnits;
  if (found.kernel.length !== kernelSize || found.bias.length !== biasSize) {
    throw new RangeError(
      `layer ${layer.name}: expected kernel [${layer.kernelShape.join(',')}] and bias [${biasSize}], ` +
        `got ${found.kernel.length} and ${found.bias.length} values`,
    );
  }
  return found;
}

function transpose(name: string, input: string, output: string, perm: number[]): OnnxNode {
  const attributes = [{ name: 'perm', kind: 'ints', value: perm }] as const;
  return { name, opType: 'Transpose', inputs: [input], outputs: [output], attributes };
}

function relu(name: string, input: string, output: string): OnnxNode {
  return { name: `${name}/relu`, opType: 'Relu', inputs: [input], outputs: [output] };
}

function assertWidths(widths: Vgg16Widths): void {
  const all = [...widths.conv, widths.dense];
  if (widths.conv.length !== 5 || all.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(`VGG16 widths must be 5 conv widths and a dense width, positive integers`);
  }
}
