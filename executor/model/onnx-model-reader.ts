/**
 * Decodes the part of an ONNX ModelProto that our graphs use back into the plain objects of
 * onnx-model-builder.ts: nodes with their attributes, initializers (raw_data, or float_data
 * as some writers store small tensors) and the graph's inputs and outputs. Initializer bytes
 * are views into the model buffer, not copies, so a 537 MB model is read once. Anything
 * outside that subset (external data, sparse initializers, subgraphs) is reported, never
 * silently dropped: the int8 quantizer only rewrites a graph it read completely.
 */
import { FeatureJobError } from '../errors.js';
import {
  OnnxDataType,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-model-builder.js';
import { WireType } from './protobuf-writer.js';

const textDecoder = new TextDecoder();
const KNOWN_TYPES = new Set<number>(Object.values(OnnxDataType));

/** A cursor over one length-delimited message. */
class ProtobufReader {
  private position: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.byteLength,
  ) {
    this.position = start;
  }

  get done(): boolean {
    return this.position >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const tag = this.varint();
    return { field: Math.floor(tag / 8), wire: tag % 8 };
  }

  /** A varint as a number; 10-byte negatives (int64 -1) come back negative. */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.position >= this.end) throw malformed('a varint runs past the end of its message');
      const byte = this.bytes[this.position] as number;
      this.position += 1;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw malformed('a varint is longer than 10 bytes');
    }
    return Number(BigInt.asIntN(64, result));
  }

  /** The payload of a length-delimited field, as a view. */
  bytesField(): Uint8Array {
    const length = this.varint();
    const start = this.position;
    if (length < 0 || start + length > this.end) throw malformed('a field runs past the end of its message');
    this.position += length;
    return this.bytes.subarray(start, start + length);
  }

  float(): number {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.position, 4);
    this.position += 4;
    return view.getFloat32(0, true);
  }

  skip(wire: number): void {
    if (wire === WireType.varint) this.varint();
    else if (wire === WireType.fixed64) this.position += 8;
    else if (wire === WireType.lengthDelimited) this.bytesField();
    else if (wire === WireType.fixed32) this.position += 4;
    else throw malformed(`unknown wire type ${wire}`);
  }
}

/** The graph of a serialized ModelProto. Throws FJ_MODEL_INVALID when it is not one we can read whole. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const model = new ProtobufReader(bytes);
  let graph: OnnxGraph | undefined;
  while (!model.done) {
    const { field, wire } = model.tag();
    if (field === 7 && wire === WireType.lengthDelimited) graph = readGraph(model.bytesField());
    else model.skip(wire);
  }
  if (graph === undefined) throw malformed('the file holds no graph');
  return graph;
}

function readGraph(bytes: Uint8Array): OnnxGraph {
  const r = new ProtobufReader(bytes);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  let name = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== WireType.lengthDelimited) {
      r.skip(wire);
      continue;
    }
    const payload = r.bytesField();
    if (field === 1) nodes.push(readNode(payload));
    else if (field === 2) name = textDecoder.decode(payload);
    else if (field === 5) initializers.push(readTensor(payload));
    else if (field === 11) inputs.push(readValueInfo(payload));
    else if (field === 12) outputs.push(readValueInfo(payload));
    else if (field === 15) throw malformed('sparse initializers are not supported');
  }
  return { name, nodes, initializers, inputs, outputs };
}

function readNode(bytes: Uint8Array): OnnxNode {
  const r = new ProtobufReader(bytes);
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: OnnxAttribute[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== WireType.lengthDelimited) {
      r.skip(wire);
      continue;
    }
    const payload = r.bytesField();
    if (field === 1) inputs.push(textDecoder.decode(payload));
    else if (field === 2) outputs.push(textDecoder.decode(payload));
    else if (field === 3) name = textDecoder.decode(payload);
    else if (field === 4) opType = textDecoder.decode(payload);
    else if (field === 5) attributes.push(readAttribute(payload));
    else if (field === 7) domain = textDecoder.decode(payload);
  }
  if (domain !== '' && domain !== 'ai.onnx') throw malformed(`node ${name} is in domain '${domain}'`);
  return { name, opType, inputs, outputs, ...(attributes.length === 0 ? {} : { attributes }) };
}

function readAttribute(bytes: Uint8Array): OnnxAttribute {
  const r = new ProtobufReader(bytes);
  let name = '';
  let type = 0;
  let f = 0;
  let i = 0;
  let s = '';
  const floats: number[] = [];
  const ints: number[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.lengthDelimited) name = textDecoder.decode(r.bytesField());
    else if (field === 2 && wire === WireType.fixed32) f = r.float();
    else if (field === 3 && wire === WireType.varint) i = r.varint();
    else if (field === 4 && wire === WireType.lengthDelimited) s = textDecoder.decode(r.bytesField());
    else if (field === 7 && wire === WireType.fixed32) floats.push(r.float());
    else if (field === 7 && wire === WireType.lengthDelimited) {
      const packed = new ProtobufReader(r.bytesField());
      while (!packed.done) floats.push(packed.float());
    } else if (field === 8 && wire === WireType.varint) ints.push(r.varint());
    else if (field === 8 && wire === WireType.lengthDelimited) {
      const packed = new ProtobufReader(r.bytesField());
      while (!packed.done) ints.push(packed.varint());
    } else if (field === 20 && wire === WireType.varint) type = r.varint();
    else r.skip(wire);
  }
  switch (type) {
    case 1:
      return { name, kind: 'float', value: f };
    case 2:
      return { name, kind: 'int', value: i };
    case 3:
      return { name, kind: 'string', value: s };
    case 6:
      return { name, kind: 'floats', value: floats };
    case 7:
      return { name, kind: 'ints', value: ints };
    default:
      throw malformed(`attribute ${name} has type ${type}, which our graphs never use`);
  }
}

function readTensor(bytes: Uint8Array): OnnxTensor {
  const r = new ProtobufReader(bytes);
  const dims: number[] = [];
  const floatData: number[] = [];
  let dataType = 0;
  let name = '';
  let rawData: Uint8Array | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.varint) dims.push(r.varint());
    else if (field === 1 && wire === WireType.lengthDelimited) {
      const packed = new ProtobufReader(r.bytesField());
      while (!packed.done) dims.push(packed.varint());
    } else if (field === 2 && wire === WireType.varint) dataType = r.varint();
    else if (field === 4 && wire === WireType.lengthDelimited) {
      const packed = new ProtobufReader(r.bytesField());
      while (!packed.done) floatData.push(packed.float());
    } else if (field === 8 && wire === WireType.lengthDelimited) name = textDecoder.decode(r.bytesField());
    else if (field === 9 && wire === WireType.lengthDelimited) rawData = r.bytesField();
    else if (field === 14 && wire === WireType.varint) {
      if (r.varint() === 1) throw malformed('initializers with external data are not supported');
    } else r.skip(wire);
  }
  if (!KNOWN_TYPES.has(dataType)) throw malformed(`initializer ${name} has data type ${dataType}`);
  if (rawData === undefined) {
    if (dataType !== OnnxDataType.float) throw malformed(`initializer ${name} has no raw_data`);
    rawData = new Uint8Array(new Float32Array(floatData).buffer);
  }
  return { name, dataType: dataType as OnnxDataType, dims, rawData };
}

function readValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const r = new ProtobufReader(bytes);
  let name = '';
  let elemType = 0;
  const shape: Array<number | string> = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.lengthDelimited) name = textDecoder.decode(r.bytesField());
    else if (field === 2 && wire === WireType.lengthDelimited) {
      // TypeProto.tensor_type (1) -> elem_type (1), shape (2) -> dim (1) -> dim_value (1) | dim_param (2)
      const type = new ProtobufReader(r.bytesField());
      while (!type.done) {
        const t = type.tag();
        if (t.field !== 1 || t.wire !== WireType.lengthDelimited) {
          type.skip(t.wire);
          continue;
        }
        const tensorType = new ProtobufReader(type.bytesField());
        while (!tensorType.done) {
          const tt = tensorType.tag();
          if (tt.field === 1 && tt.wire === WireType.varint) elemType = tensorType.varint();
          else if (tt.field === 2 && tt.wire === WireType.lengthDelimited)
            shape.push(...readShape(tensorType.bytesField()));
          else tensorType.skip(tt.wire);
        }
      }
    } else r.skip(wire);
  }
  return { name, elemType: elemType as OnnxDataType, shape };
}

function readShape(bytes: Uint8Array): Array<number | string> {
  const r = new ProtobufReader(bytes);
  const dims: Array<number | string> = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WireType.lengthDelimited) {
      r.skip(wire);
      continue;
    }
    const dim = new ProtobufReader(r.bytesField());
    let value: number | string = '';
    while (!dim.done) {
      const d = dim.tag();
      if (d.field === 1 && d.wire === WireType.varint) value = dim.varint();
      else if (d.field === 2 && d.wire === WireType.lengthDelimited) value = textDecoder.decode(dim.bytesField());
      else dim.skip(d.wire);
    }
    dims.push(value);
  }
  return dims;
}

function malformed(why: string): FeatureJobError {
  return new FeatureJobError('FJ_MODEL_INVALID', `cannot read the ONNX model: ${why}`);
}
