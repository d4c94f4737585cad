/**
 * Whether an ONNX graph is exactly the VGG16-fc2 graph vgg16-graph.ts builds (any widths):
 * the same nodes in the same order with the same attributes, and initializers with the
 * names and shapes of computeVgg16Layers. The int8 quantizer rewrites that graph node by
 * node, so it accepts nothing else: another VGG16 export, a fine-tuned head or a
 * TensorFlow.js model fails here with FJ_PRECISION_UNSUPPORTED, before any image is read.
 */
import { FeatureJobError } from '../errors.js';
import { OnnxDataType, type OnnxGraph, type OnnxTensor } from './onnx-model-builder.js';
import {
  buildVgg16Graph,
  computeVgg16Layers,
  type LayerWeights,
  type Vgg16Layer,
  type Vgg16Widths,
} from './vgg16-graph.js';

/** Our graph, checked: its widths, layers and each layer's fp32 kernel (ONNX layout) and bias. */
export interface Vgg16Layout {
  readonly widths: Vgg16Widths;
  readonly layers: readonly Vgg16Layer[];
  /** Conv kernels [out,in,3,3] and dense kernels [in,out], as stored in the graph. */
  readonly weights: Readonly<Record<string, LayerWeights>>;
}

/** The node list does not depend on the widths, so a width-1 graph is the reference. */
function computeReferenceNodes(): string[] {
  const tiny: Vgg16Widths = { conv: [1, 1, 1, 1, 1], dense: 1 };
  const layers: Record<string, LayerWeights> = {};
  for (const layer of computeVgg16Layers(tiny)) {
    const size = layer.kernelShape.reduce((a, b) => a * b, 1);
    layers[layer.name] = { kernel: new Float32Array(size), bias: new Float32Array(1) };
  }
  return buildVgg16Graph({ widths: tiny, layers }).nodes.map((node) => JSON.stringify(node));
}

let referenceNodes: string[] | undefined;

/** Our VGG16-fc2 layout read from `graph`, or FJ_PRECISION_UNSUPPORTED saying where it differs. */
export function readVgg16Layout(graph: OnnxGraph, source: string): Vgg16Layout {
  const unsupported = (why: string): FeatureJobError =>
    new FeatureJobError(
      'FJ_PRECISION_UNSUPPORTED',
      `--precision int8 needs the VGG16-fc2 graph featurejob builds; ${source} ${why}`,
    );
  referenceNodes ??= computeReferenceNodes();
  if (graph.nodes.length !== referenceNodes.length) {
    throw unsupported(`has ${graph.nodes.length} nodes, ours has ${referenceNodes.length}`);
  }
  graph.nodes.forEach((node, i) => {
    const actual = JSON.stringify({
      name: node.name,
      opType: node.opType,
      inputs: node.inputs,
      outputs: node.outputs,
      ...(node.attributes === undefined ? {} : { attributes: node.attributes }),
    });
    if (actual !== referenceNodes?.[i]) throw unsupported(`differs at node ${i} (${node.opType} '${node.name}')`);
  });
  const byName = new Map(graph.initializers.map((tensor) => [tensor.name, tensor]));
  const dimsOf = (name: string): readonly number[] => byName.get(name)?.dims ?? [];
  const widths: Vgg16Widths = {
    conv: [1, 2, 3, 4, 5].map(
      (block) => dimsOf(`block${block}_conv1/kernel`)[0] ?? 0,
    ) as unknown as Vgg16Widths['conv'],
    dense: dimsOf('fc2/kernel')[1] ?? 0,
  };
  let layers: Vgg16Layer[];
  try {
    layers = computeVgg16Layers(widths);
  } catch {
    throw unsupported('has no readable layer widths');
  }
  if (graph.initializers.length !== layers.length * 2)
    throw unsupported(`has ${graph.initializers.length} initializers, ours ${layers.length * 2}`);
  const weights: Record<string, LayerWeights> = {};
  for (const layer of layers) {
    const out = layer.kind === 'conv' ? layer.outChannels : layer.outUnits;
    const kernelDims =
      layer.kind === 'conv' ? [layer.outChannels, layer.inChannels, 3, 3] : [layer.inUnits, layer.outUnits];
    weights[layer.name] = {
      kernel: floatValues(byName.get(`${layer.name}/kernel`), kernelDims, unsupported),
      bias: floatValues(byName.get(`${layer.name}/bias`), [out], unsupported),
    };
  }
  const [input] = graph.inputs;
  const [output] = graph.outputs;
  if (
    graph.inputs.length !== 1 ||
    input?.elemType !== OnnxDataType.float ||
    graph.outputs.length !== 1 ||
    output?.name !== 'fc2'
  ) {
    throw unsupported('does not have one float32 input and the one output fc2');
  }
  return { widths, layers, weights };
}

function floatValues(
  tensor: OnnxTensor | undefined,
  dims: readonly number[],
  unsupported: (why: string) => FeatureJobError,
): Float32Array {
  const name = tensor?.name ?? 'a weight';
  if (tensor === undefined || tensor.dataType !== OnnxDataType.float || tensor.dims.join(',') !== dims.join(',')) {
    throw unsupported(`has ${name} not as float32 [${dims.join(',')}]`);
  }
  const { rawData } = tensor;
  if (rawData.byteLength !== dims.reduce((a, b) => a * b, 1) * 4)
    throw unsupported(`has ${name} with ${rawData.byteLength} bytes`);
  // A view when aligned (the common case), else one copy; ONNX stores floats little-endian.
  return rawData.byteOffset % 4 === 0
    ? new Float32Array(rawData.buffer, rawData.byteOffset, rawData.byteLength / 4)
    : new Float32Array(Uint8Array.from(rawData).buffer);
}
