/**
 * Where a model is on disk and which format it has, without loading an engine: the engines
 * (onnxruntime, TensorFlow.js) and the model readers all start here.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FeatureJobError } from '../errors.js';

export type ModelFormat = 'onnx' | 'tfjs-layers' | 'tfjs-graph' | 'savedmodel';

export interface ModelLocation {
  readonly format: ModelFormat;
  /** The .onnx file, the model.json file, or the SavedModel directory. */
  readonly path: string;
}

export function detectModelFormat(path: string): ModelFormat {
  return locateModel(path).format;
}

/**
 * Where the model is and what it is: by name for .onnx and saved_model.pb, by content for
 * model.json (layers and graph models share the file name).
 */
export function locateModel(path: string): ModelLocation {
  const found = statOrUndefined(path);
  if (found === undefined) {
    throw new FeatureJobError('FJ_MODEL_NOT_FOUND', `model ${path} not found`);
  }
  if (found.isDirectory()) {
    const modelJson = join(path, 'model.json');
    if (isFile(modelJson)) return { format: readModelJsonFormat(modelJson), path: modelJson };
    if (isFile(join(path, 'saved_model.pb'))) return { format: 'savedmodel', path };
    throw new FeatureJobError(
      'FJ_MODEL_INVALID',
      `model directory ${path} holds neither model.json nor saved_model.pb`,
    );
  }
  const name = basename(path).toLowerCase();
  if (name.endsWith('.onnx')) return { format: 'onnx', path };
  if (name === 'saved_model.pb') return { format: 'savedmodel', path: dirname(path) };
  if (name.endsWith('.json')) return { format: readModelJsonFormat(path), path };
  throw new FeatureJobError(
    'FJ_MODEL_INVALID',
    `model ${path} is not a known format: expected an .onnx file, a TensorFlow.js model.json or a SavedModel directory`,
  );
}

/** layers vs graph from a parsed model.json: its `format` field, else its topology's shape. */
export function computeModelJsonFormat(json: unknown): 'tfjs-layers' | 'tfjs-graph' | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { format, modelTopology } = json as { format?: unknown; modelTopology?: unknown };
  if (format === 'layers-model') return 'tfjs-layers';
  if (format === 'graph-model') return 'tfjs-graph';
  if (typeof modelTopology !== 'object' || modelTopology === null) return undefined;
  // Graph models carry a GraphDef (`node`); layers models a Keras config, older converters
  // wrapping it in `model_config`.
  if (Array.isArray((modelTopology as { node?: unknown }).node)) return 'tfjs-graph';
  if ('class_name' in modelTopology || 'model_config' in modelTopology) return 'tfjs-layers';
  return undefined;
}

function readModelJsonFormat(path: string): 'tfjs-layers' | 'tfjs-graph' {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FeatureJobError('FJ_MODEL_INVALID', `model file ${path} is not readable JSON: ${String(error)}`, {
      cause: error,
    });
  }
  const format = computeModelJsonFormat(json);
  if (format === undefined) {
    throw new FeatureJobError(
      'FJ_MODEL_INVALID',
      `model file ${path} is neither a TensorFlow.js layers model nor a graph model`,
    );
  }
  return format;
}

function isFile(path: string): boolean {
  return statOrUndefined(path)?.isFile() === true;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
