/**
 * Static int8 quantization of our VGG16-fc2 model, in JavaScript (no Python at run time):
 *   1. read the fp32 .onnx and check it is our layout (vgg16-layout.ts)
 *   2. MinMax calibration: run the fp32 graph with range outputs on the calibration images
 *      (preprocessed exactly as the pipeline does) and keep each activation's min and max
 *   3. rewrite it as a QDQ graph (vgg16-qdq-graph.ts): per-channel symmetric int8 weights,
 *      uint8 activations from the calibrated ranges
 * Same fp32 model and same calibration images give the same bytes: the calibration is a
 * min/max fold (order-free) and the encoder writes fields in one fixed order.
 */
import { openCalibrationSession, mergeActivationRanges, type CalibrationSession } from './calibration-session.js';
import { encodeOnnxModel, type OnnxGraph } from './onnx-model-builder.js';
import { readOnnxGraph } from './onnx-model-reader.js';
import type { ProtobufWriter } from './protobuf-writer.js';
import { VGG16_INPUT_SIZE } from './vgg16-graph.js';
import { readVgg16Layout, type Vgg16Layout } from './vgg16-layout.js';
import { buildVgg16QdqGraph, computeCalibrationTensors, type ActivationRanges } from './vgg16-qdq-graph.js';

export const CALIBRATION_METHODS = ['minmax'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

const PER_IMAGE = VGG16_INPUT_SIZE * VGG16_INPUT_SIZE * 3;
const DEFAULT_BATCH = 8;

/** Preprocessed images back to back (NHWC float32, BGR mean-subtracted), `count` of them. */
export interface ImageSample {
  readonly images: Float32Array;
  readonly count: number;
}

/** The fp32 model read and checked once, for calibration, quantization and the gate's fp32 side. */
export interface Fp32Vgg16 {
  readonly graph: OnnxGraph;
  readonly layout: Vgg16Layout;
}

/** Throws FJ_PRECISION_UNSUPPORTED when `bytes` is not our VGG16-fc2 graph. */
export function readFp32Vgg16(bytes: Uint8Array, source: string): Fp32Vgg16 {
  const graph = readOnnxGraph(bytes);
  return { graph, layout: readVgg16Layout(graph, source) };
}

/** An fp32 session that yields fc2 features and activation ranges; close it when done. */
export function openFp32Probe(model: Fp32Vgg16, threads: number): Promise<CalibrationSession> {
  return openCalibrationSession({ graph: model.graph, tensors: computeCalibrationTensors(model.layout), threads });
}

/** Runs `sample` through `probe` in batches: the fp32 features and MinMax ranges over all of it. */
export async function runFp32Probe(
  probe: CalibrationSession,
  sample: ImageSample,
  batchSize = DEFAULT_BATCH,
): Promise<{ features: Float32Array[]; ranges: ActivationRanges }> {
  const features: Float32Array[] = [];
  const parts: ActivationRanges[] = [];
  for (let start = 0; start < sample.count; start += batchSize) {
    const count = Math.min(batchSize, sample.count - start);
    const result = await probe.run(sample.images.subarray(start * PER_IMAGE, (start + count) * PER_IMAGE), count);
    features.push(result.features);
    parts.push(result.ranges);
  }
  return { features, ranges: mergeActivationRanges(parts) };
}

/** The int8 QDQ model as protobuf chunks (hash and write without a final copy). */
export function encodeInt8Vgg16(model: Fp32Vgg16, ranges: ActivationRanges): ProtobufWriter {
  return encodeOnnxModel({
    graph: buildVgg16QdqGraph({ layout: model.layout, ranges }),
    docString:
      'Keras VGG16 cut at fc2, static int8 QDQ (per-channel symmetric int8 weights, uint8 ' +
      'activations, MinMax calibration); input NHWC BGR mean-subtracted',
  });
}
