/**
 * Encodes an ONNX model (onnx.proto: ModelProto, GraphProto, NodeProto, TensorProto,
 * ValueInfoProto, AttributeProto) from plain objects. Only what our graphs need is
 * supported; field numbers follow onnx/onnx.proto and are named here so the encoders read
 * like the schema.
 */
import { endianness } from 'node:os';
import { ProtobufWriter } from './protobuf-writer.js';

/** TensorProto.DataType values. */
export const OnnxDataType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, double: 11 } as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values. */
const AttributeType = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

const ModelField = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
} as const;
const OpsetField = { domain: 1, version: 2 } as const;
const GraphField = { node: 1, name: 2, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const NodeField = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const AttributeField = { name: 1, f: 2, i: 3, s: 4, floats: 7, ints: 8, type: 20 } as const;
const TensorField = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const ValueInfoField = { name: 1, type: 2 } as const;
const TypeField = { tensorType: 1 } as const;
const TensorTypeField = { elemType: 1, shape: 2 } as const;
const ShapeField = { dim: 1 } as const;
const DimensionField = { dimValue: 1, dimParam: 2 } as const;

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_PRODUCER = 'featurejob';

export type OnnxAttribute =
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'string'; readonly value: string };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

/** An initializer; `rawData` holds the values little-endian, as TensorProto.raw_data wants. */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly rawData: Uint8Array;
}

/** A graph input or output; a string dimension is symbolic (e.g. the batch size 'N'). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly shape: ReadonlyArray<number | string>;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModelOptions {
  readonly graph: OnnxGraph;
  readonly producerVersion?: string;
  readonly docString?: string;
}

/** A float32 initializer. Zero-copy on little-endian hosts; `data` must not change afterwards. */
export function buildFloatTensor(options: { name: string; dims: readonly number[]; data: Float32Array }): OnnxTensor {
  const { name, dims, data } = options;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new RangeError(`tensor ${name}: ${data.length} values for dims [${dims.join(',')}]`);
  }
  let rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (endianness() === 'BE') {
    rawData = new Uint8Array(data.byteLength);
    const view = new DataView(rawData.buffer);
    for (let i = 0; i < data.length; i += 1) view.setFloat32(i * 4, data[i] as number, true);
  }
  return { name, dataType: OnnxDataType.float, dims, rawData };
}

/** An int8, uint8 or int32 initializer (quantized weights, zero points, biases); little-endian like float tensors. */
export function buildIntegerTensor(options: {
  name: string;
  dims: readonly number[];
  data: Int8Array | Uint8Array | Int32Array;
}): OnnxTensor {
  const { name, dims, data } = options;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new RangeError(`tensor ${name}: ${data.length} values for dims [${dims.join(',')}]`);
  }
  const dataType =
    data instanceof Int8Array
      ? OnnxDataType.int8
      : data instanceof Uint8Array
        ? OnnxDataType.uint8
        : OnnxDataType.int32;
  let rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (endianness() === 'BE' && data instanceof Int32Array) {
    rawData = new Uint8Array(data.byteLength);
    const view = new DataView(rawData.buffer);
    for (let i = 0; i < data.length; i += 1) view.setInt32(i * 4, data[i] as number, true);
  }
  return { name, dataType, dims, rawData };
}

/** Chunks of a serialized ModelProto (ir_version 8, opset 17), ready to write without a copy. */
export function encodeOnnxModel(options: OnnxModelOptions): ProtobufWriter {
  const model = new ProtobufWriter();
  model.varint(ModelField.irVersion, ONNX_IR_VERSION);
  model.string(ModelField.producerName, ONNX_PRODUCER);
  if (options.producerVersion !== undefined) {
    model.string(ModelField.producerVersion, options.producerVersion);
  }
  if (options.docString !== undefined) model.string(ModelField.docString, options.docString);
  model.message(ModelField.graph, encodeGraph(options.graph));
  model.nested(ModelField.opsetImport, (opset) => {
    opset.string(OpsetField.domain, '');
    opset.varint(OpsetField.version, ONNX_OPSET);
  });
  return model;
}

/** A serialized ModelProto in one buffer. */
export function buildOnnxModel(options: OnnxModelOptions): Uint8Array {
  return encodeOnnxModel(options).finish();
}

function encodeGraph(graph: OnnxGraph): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const node of graph.nodes) w.message(GraphField.node, encodeNode(node));
  w.string(GraphField.name, graph.name);
  for (const tensor of graph.initializers) w.message(GraphField.initializer, encodeTensor(tensor));
  for (const input of graph.inputs) w.message(GraphField.input, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(GraphField.output, encodeValueInfo(output));
  return w;
}

function encodeNode(node: OnnxNode): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const input of node.inputs) w.string(NodeField.input, input);
  for (const output of node.outputs) w.string(NodeField.output, output);
  w.string(NodeField.name, node.name);
  w.string(NodeField.opType, node.opType);
  for (const attribute of node.attributes ?? []) {
    w.message(NodeField.attribute, encodeAttribute(attribute));
  }
  w.string(NodeField.domain, '');
  return w;
}

function encodeAttribute(attribute: OnnxAttribute): ProtobufWriter {
  const w = new ProtobufWriter();
  w.string(AttributeField.name, attribute.name);
  switch (attribute.kind) {
    case 'int':
      w.varint(AttributeField.i, attribute.value);
      w.varint(AttributeField.type, AttributeType.int);
      break;
    case 'ints':
      w.packedVarints(AttributeField.ints, attribute.value);
      w.varint(AttributeField.type, AttributeType.ints);
      break;
    case 'float':
      w.float(AttributeField.f, attribute.value);
      w.varint(AttributeField.type, AttributeType.float);
      break;
    case 'floats':
      w.packedFloats(AttributeField.floats, attribute.value);
      w.varint(AttributeField.type, AttributeType.floats);
      break;
    case 'string':
      w.string(AttributeField.s, attribute.value);
      w.varint(AttributeField.type, AttributeType.string);
      break;
  }
  return w;
}

function encodeTensor(tensor: OnnxTensor): ProtobufWriter {
  const w = new ProtobufWriter();
  if (tensor.dims.length > 0) w.packedVarints(TensorField.dims, tensor.dims);
  w.varint(TensorField.dataType, tensor.dataType);
  w.string(TensorField.name, tensor.name);
  w.bytes(TensorField.rawData, tensor.rawData);
  return w;
}

function encodeValueInfo(info: OnnxValueInfo): ProtobufWriter {
  const w = new ProtobufWriter();
  w.string(ValueInfoField.name, info.name);
  w.nested(ValueInfoField.type, (type) =>
    type.nested(TypeField.tensorType, (tensorType) => {
      tensorType.varint(TensorTypeField.elemType, info.elemType);
      tensorType.nested(TensorTypeField.shape, (shape) => {
        for (const dim of info.shape) {
          shape.nested(ShapeField.dim, (d) =>
            typeof dim === 'string' ? d.string(DimensionField.dimParam, dim) : d.varint(DimensionField.dimValue, dim),
          );
        }
      });
    }),
  );
  return w;
}
