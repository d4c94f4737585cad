/**
 * Runs the fp32 calibration graph (calibration-graph.ts) on onnxruntime: per batch, the fp32
 * fc2 features and each calibrated tensor's min and max, which MinMax calibration folds
 * over the whole sample (computeActivationRanges).
 */
import * as ort from 'onnxruntime-node';
import { FeatureJobError, toFeatureJobError } from '../errors.js';
import { buildCalibrationGraph, computeRangeOutputNames } from './calibration-graph.js';
import { buildOnnxModel, type OnnxGraph } from './onnx-model-builder.js';
import type { ActivationRanges } from './vgg16-qdq-graph.js';
import { VGG16_INPUT_NAME, VGG16_INPUT_SIZE, VGG16_OUTPUT_NAME } from './vgg16-graph.js';

const PER_IMAGE = VGG16_INPUT_SIZE * VGG16_INPUT_SIZE * 3;

export interface CalibrationBatchResult {
  readonly features: Float32Array;
  readonly ranges: ActivationRanges;
}

export interface CalibrationSession {
  /** `count` preprocessed images back to back (NHWC float32). */
  run(batch: Float32Array, count: number): Promise<CalibrationBatchResult>;
  close(): Promise<void>;
}

export async function openCalibrationSession(options: {
  readonly graph: OnnxGraph;
  readonly tensors: readonly string[];
  readonly threads: number;
}): Promise<CalibrationSession> {
  const { tensors } = options;
  const bytes = buildOnnxModel({ graph: buildCalibrationGraph(options.graph, tensors) });
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new FeatureJobError('FJ_MODEL_INVALID', `onnxruntime cannot load the calibration graph: ${String(error)}`, {
      cause: error,
    });
  }
  const outputNames = [
    VGG16_OUTPUT_NAME,
    ...tensors.flatMap((tensor) => Object.values(computeRangeOutputNames(tensor))),
  ];
  return {
    async run(batch, count) {
      try {
        const input = new ort.Tensor('float32', batch.subarray(0, count * PER_IMAGE), [
          count,
          VGG16_INPUT_SIZE,
          VGG16_INPUT_SIZE,
          3,
        ]);
        const results = await session.run({ [VGG16_INPUT_NAME]: input }, outputNames);
        const scalar = (name: string): number => {
          const data = results[name]?.data;
          if (!(data instanceof Float32Array) || data.length !== 1)
            throw new Error(`calibration output ${name} is not one float32`);
          return data[0] as number;
        };
        const ranges: Record<string, { min: number; max: number }> = {};
        for (const tensor of tensors) {
          const names = computeRangeOutputNames(tensor);
          ranges[tensor] = { min: scalar(names.min), max: scalar(names.max) };
        }
        return { features: results[VGG16_OUTPUT_NAME]?.data as Float32Array, ranges };
      } catch (error) {
        throw toFeatureJobError(error, 'FJ_INFERENCE_FAILED');
      }
    },
    async close() {
      await session.release();
    },
  };
}

/** MinMax over batches: the smallest min and largest max of each tensor. */
export function mergeActivationRanges(parts: readonly ActivationRanges[]): ActivationRanges {
  const merged: Record<string, { min: number; max: number }> = {};
  for (const part of parts) {
    for (const [tensor, range] of Object.entries(part)) {
      const seen = merged[tensor];
      merged[tensor] =
        seen === undefined ? { ...range } : { min: Math.min(seen.min, range.min), max: Math.max(seen.max, range.max) };
    }
  }
  return merged;
}
