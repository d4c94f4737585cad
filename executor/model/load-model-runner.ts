/**
 * Chooses the engine by the model's format: onnxruntime for `.onnx`, TensorFlow.js for
 * model.json (layers or graph) and SavedModel directories. Each runner is imported only
 * when chosen, so a process loads one engine, not both.
 */
import type { Logger } from '../log/logger.js';
import { locateModel } from './locate-model.js';
import type { ModelInfo, ModelRunner } from './model-runner.js';

export interface LoadModelRunnerOptions {
  /** An .onnx file, a model.json (or a directory holding one), or a SavedModel directory. */
  readonly modelPath: string;
  readonly info: Omit<ModelInfo, 'sha256'> & { readonly sha256?: string };
  readonly threads: number;
  readonly logger?: Logger;
}

export async function loadModelRunner(options: LoadModelRunnerOptions): Promise<ModelRunner> {
  const { modelPath, info, threads, logger } = options;
  if (locateModel(modelPath).format === 'onnx') {
    const { OnnxModelRunner } = await import('./onnx-model-runner.js');
    return OnnxModelRunner.load({ modelPath, info, threads });
  }
  const { TfjsModelRunner } = await import('./tfjs-model-runner.js');
  return TfjsModelRunner.load({ modelPath, info, threads, ...(logger === undefined ? {} : { logger }) });
}
