/**
 * ModelRunner on TensorFlow.js: layers and graph models (model.json + weight shards) on
 * whichever engine tfjs-engine.ts picked, and SavedModels when that engine is tfjs-node.
 * Files are read from disk by our own IOHandler (never over http), hashed on the way, and
 * the model's interface is checked at load time, as the ONNX runner does.
 *
 * ModelInfo.sha256 of a model.json model is the sha256 of model.json's bytes followed by
 * every weight file's bytes in manifest order (groups, then paths within a group); of a
 * SavedModel, of saved_model.pb followed by every other file under the directory in sorted
 * relative-path order. Either names exactly the bytes that were loaded.
 */
import type { io, Tensor } from '@tensorflow/tfjs';
import { FeatureJobError, toFeatureJobError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { locateModel } from './locate-model.js';
import type { ModelInfo, ModelRunner } from './model-runner.js';
import { sliceBatch } from './slice-batch.js';
import { hashSavedModel, readModelJsonFiles, type ModelJsonFiles } from './read-tfjs-model-files.js';
import { loadTfjsEngine, type Tfjs, type TfjsBackend } from './tfjs-engine.js';

const INPUT_SIZE = 224;
const CHANNELS = 3;
const INPUT_SHAPE = `[N,${INPUT_SIZE},${INPUT_SIZE},${CHANNELS}]`;

export type TfjsModelFormat = 'tfjs-layers' | 'tfjs-graph' | 'savedmodel';

export interface TfjsModelRunnerLoadOptions {
  /** A model.json file, a directory holding one, or a SavedModel directory. */
  readonly modelPath: string;
  /** What the model is; when `sha256` is given, the loaded bytes must match it. */
  readonly info: Omit<ModelInfo, 'sha256'> & { readonly sha256?: string };
  /** Intra-op threads for tfjs-node; the wasm backend runs one thread in Node. */
  readonly threads: number;
  /** Where to say which engine runs (a warning when it is the slower wasm fallback). */
  readonly logger?: Logger;
}

/** Which engine runs the model, for logs and the CLI's summary. */
export interface TfjsEngineInfo {
  readonly name: 'tfjs';
  readonly backend: TfjsBackend;
  readonly format: TfjsModelFormat;
  readonly note: string;
}

interface RunnerParts {
  readonly tf: Tfjs;
  readonly model: LoadedModel;
  readonly outputIndex: number;
  readonly info: ModelInfo;
  readonly engine: TfjsEngineInfo;
}

interface TensorMeta {
  readonly name: string;
  readonly shape: readonly (number | null)[] | undefined;
  readonly dtype: string | undefined;
}

/** The three model kinds behind one shape: metadata, a synchronous predict, dispose. */
interface LoadedModel {
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  predict(input: Tensor, outputIndex: number): Tensor;
  dispose(): void;
}

export class TfjsModelRunner implements ModelRunner {
  readonly info: ModelInfo;
  readonly inputSize = INPUT_SIZE;
  readonly engine: TfjsEngineInfo;
  private readonly tf: Tfjs;
  private readonly model: LoadedModel;
  private readonly outputIndex: number;
  private closed = false;

  private constructor(options: RunnerParts) {
    this.tf = options.tf;
    this.model = options.model;
    this.outputIndex = options.outputIndex;
    this.info = options.info;
    this.engine = options.engine;
  }

  static async load(options: TfjsModelRunnerLoadOptions): Promise<TfjsModelRunner> {
    const { threads, modelPath: source } = options;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `threads must be a positive integer, got ${threads}`);
    }
    const located = locateModel(source);
    if (located.format === 'onnx') {
      throw new FeatureJobError('FJ_MODEL_INVALID', `model ${source} is ONNX, not TensorFlow.js or a SavedModel`);
    }
    const format = located.format;
    const files = format === 'savedmodel' ? undefined : await readModelJsonFiles(located.path);
    const sha256 = files?.sha256 ?? (await hashSavedModel(located.path));
    if (options.info.sha256 !== undefined && options.info.sha256 !== sha256) {
      throw new FeatureJobError(
        'FJ_MODEL_INVALID',
        `model ${source} has sha256 ${sha256}, expected ${options.info.sha256}: ` +
          'the files changed since they were resolved',
      );
    }
    const { tf, backend, note } = await loadTfjsEngine({ threads });
    const engine: TfjsEngineInfo = { name: 'tfjs', backend, format, note };
    const level = backend === 'wasm' ? 'warn' : 'info';
    options.logger?.[level]({ engine: 'tfjs', backend, format, note }, 'tfjs engine selected');

    let model: LoadedModel;
    try {
      if (files !== undefined) model = await loadModelJson({ tf, format, files });
      else model = await loadSavedModel({ tf, backend, dir: located.path, note });
    } catch (error) {
      if (error instanceof FeatureJobError) throw error;
      throw new FeatureJobError('FJ_MODEL_INVALID', `tfjs cannot load model ${source}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    try {
      const outputIndex = checkInterface({ tf, model, info: options.info, source });
      return new TfjsModelRunner({ tf, model, outputIndex, info: { ...options.info, sha256 }, engine });
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  async run(batch: Float32Array, count: number): Promise<Float32Array> {
    if (this.closed) throw new FeatureJobError('FJ_INFERENCE_FAILED', 'model runner is closed');
    const data = sliceBatch(batch, count, INPUT_SIZE);
    let output: Tensor | undefined;
    try {
      // tidy frees the input and every intermediate; only the returned output survives it.
      output = this.tf.tidy(() => {
        const input = this.tf.tensor4d(data, [count, INPUT_SIZE, INPUT_SIZE, CHANNELS], 'float32');
        return this.model.predict(input, this.outputIndex);
      });
      const values = await output.data();
      const expected = count * this.info.dimensions;
      if (!(values instanceof Float32Array) || values.length !== expected) {
        throw new Error(`model output is ${output.dtype} [${output.shape.join(',')}], not ${expected} float32 values`);
      }
      return values;
    } catch (error) {
      throw toFeatureJobError(error, 'FJ_INFERENCE_FAILED');
    } finally {
      output?.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.model.dispose();
  }
}

async function loadModelJson(options: {
  tf: Tfjs;
  format: TfjsModelFormat;
  files: ModelJsonFiles;
}): Promise<LoadedModel> {
  const { tf, format, files } = options;
  const artifacts = await tf.io.getModelArtifactsForJSON(files.json, async (manifest) => [
    manifest.flatMap((group) => group.weights),
    files.shards,
  ]);
  const handler: io.IOHandler = { load: async () => artifacts };
  if (format === 'tfjs-layers') {
    const model = await tf.loadLayersModel(handler);
    return {
      // Layer names (fc2), not symbolic tensor names (fc2/Relu:0).
      inputs: model.inputs.map((t, i) => ({ name: model.inputNames[i] ?? t.name, shape: t.shape, dtype: t.dtype })),
      outputs: model.outputs.map((t, i) => ({ name: model.outputNames[i] ?? t.name, shape: t.shape, dtype: t.dtype })),
      predict: (input, index) => pickOutput(model.predict(input), index),
      dispose: () => void model.dispose(),
    };
  }
  const model = await tf.loadGraphModel(handler);
  const outputNodes = model.outputNodes;
  return {
    inputs: model.inputs.map(toMeta),
    outputs: model.outputs.map(toMeta),
    predict: (input, index) => pickOutput(model.execute(input, outputNodes[index]), 0),
    dispose: () => model.dispose(),
  };
}

/** The part of tfjs-node's `tf.node` namespace used here (its types are optional too). */
interface TfjsNodeApi {
  getMetaGraphsFromSavedModel(path: string): Promise<{ tags: string[]; signatureDefs: Record<string, Signature> }[]>;
  loadSavedModel(path: string): Promise<{
    predict(inputs: Record<string, Tensor>): Tensor | Tensor[] | Record<string, Tensor>;
    dispose(): void;
  }>;
}
type Signature = Record<'inputs' | 'outputs', Record<string, { shape?: unknown[]; dtype?: string }>>;

/** The 'serve' MetaGraph's 'serving_default' signature (tfjs-node's defaults), by its keys. */
async function loadSavedModel(options: { tf: Tfjs; backend: TfjsBackend; dir: string; note: string }) {
  const { tf, backend, dir, note } = options;
  const api = (tf as unknown as { node?: TfjsNodeApi }).node;
  if (backend !== 'tensorflow' || api === undefined) {
    throw new FeatureJobError(
      'FJ_MODEL_INVALID',
      `SavedModel ${dir} needs @tensorflow/tfjs-node (${note}); ` +
        'convert it to a graph model with tensorflowjs_converter instead',
    );
  }
  const serve = (await api.getMetaGraphsFromSavedModel(dir)).find((g) => g.tags.join() === 'serve');
  const signature = serve?.signatureDefs.serving_default;
  if (signature === undefined) {
    const why = `SavedModel ${dir} has no 'serve' graph with a 'serving_default' signature`;
    throw new FeatureJobError('FJ_MODEL_INVALID', why);
  }
  // TensorShapeProto dims arrive as protobuf messages (getSize()), -1 when unknown.
  const dimOf = (d: unknown): number =>
    typeof d === 'number' ? d : ((d as { getSize?: () => number }).getSize?.() ?? -1);
  const metas = (entries: Signature['inputs']): TensorMeta[] =>
    Object.entries(entries).map(([key, t]) => toMeta({ name: key, shape: t.shape?.map(dimOf), dtype: t.dtype }));
  const inputs = metas(signature.inputs);
  const outputs = metas(signature.outputs);
  const model = await api.loadSavedModel(dir);
  const loaded: LoadedModel = {
    inputs,
    outputs,
    predict: (input, index) => {
      // A map in gives a map out, keyed by the signature's output keys.
      const result = model.predict({ [inputs[0]?.name ?? '']: input }) as Record<string, Tensor>;
      const tensor = result[outputs[index]?.name ?? ''];
      if (tensor === undefined) throw new Error(`the SavedModel gave no output '${outputs[index]?.name}'`);
      return tensor;
    },
    dispose: () => model.dispose(),
  };
  return loaded;
}

/**
 * The pipeline feeds [N,224,224,3] float32 and reads `dimensions` floats per image. Shapes a
 * graph model does not declare are found by running one zero image, still before any data.
 */
function checkInterface(options: {
  tf: Tfjs;
  model: LoadedModel;
  info: Pick<ModelInfo, 'layer' | 'dimensions'>;
  source: string;
}): number {
  const { tf, model, source } = options;
  const { layer, dimensions } = options.info;
  const invalid = (why: string): FeatureJobError => new FeatureJobError('FJ_MODEL_INVALID', `model ${source} ${why}`);
  if (model.inputs.length !== 1) {
    throw invalid(`has ${model.inputs.length} inputs; expected one float32 ${INPUT_SHAPE} input`);
  }
  const input = model.inputs[0] as TensorMeta;
  const expectedInput = [INPUT_SIZE, INPUT_SIZE, CHANNELS];
  const shape = input.shape;
  if (
    (input.dtype !== undefined && input.dtype !== 'float32') ||
    (shape !== undefined &&
      (shape.length !== 4 || expectedInput.some((size, i) => shape[i + 1] !== size) || typeof shape[0] === 'number'))
  ) {
    throw invalid(
      `input '${input.name}' is ${describe(input)}; expected float32 ${INPUT_SHAPE} (channels-last, any batch size)`,
    );
  }
  // Prefer the output named after the layer (fc2, or a graph node under it); else a single output.
  const named = model.outputs.findIndex(
    ({ name }) => name === layer || name.startsWith(`${layer}/`) || name.startsWith(`${layer}:`),
  );
  const index = named >= 0 ? named : model.outputs.length === 1 ? 0 : -1;
  const output = model.outputs[index];
  if (output === undefined) {
    const names = model.outputs.map((o) => o.name).join(', ');
    throw invalid(`has outputs [${names}]; expected one named '${layer}' or a single output`);
  }
  let found: TensorMeta = output;
  const last = output.shape?.[output.shape.length - 1];
  if (shape === undefined || output.dtype === undefined || last === undefined || last === null || last < 0) {
    found = probeOutput({ tf, model, index, name: output.name, invalid });
  }
  if (found.dtype !== 'float32' || found.shape?.[found.shape.length - 1] !== dimensions) {
    throw invalid(`output '${output.name}' is ${describe(found)}; expected float32 [N,${dimensions}]`);
  }
  return index;
}

function probeOutput(options: {
  tf: Tfjs;
  model: LoadedModel;
  index: number;
  name: string;
  invalid: (why: string) => FeatureJobError;
}): TensorMeta {
  const { tf, model, index, name, invalid } = options;
  try {
    const y = tf.tidy(() => model.predict(tf.zeros([1, INPUT_SIZE, INPUT_SIZE, CHANNELS], 'float32'), index));
    y.dispose();
    return { name, shape: [null, ...y.shape.slice(1)], dtype: y.dtype };
  } catch (error) {
    throw invalid(`cannot run one float32 ${INPUT_SHAPE} input: ${messageOf(error)}`);
  }
}

function pickOutput(result: Tensor | Tensor[], index: number): Tensor {
  const tensor = Array.isArray(result) ? result[index] : index === 0 ? result : undefined;
  if (tensor === undefined) throw new Error(`the model gave no output #${index}`);
  return tensor;
}

function toMeta(info: { name: string; shape?: readonly number[] | undefined; dtype?: string | undefined }): TensorMeta {
  // Graph and SavedModel metadata say -1 for an unknown dimension; layers models say null.
  return { name: info.name, shape: info.shape?.map((d) => (d < 0 ? null : d)), dtype: info.dtype };
}

function describe(meta: TensorMeta): string {
  const dims = meta.shape?.map((d, i) => (d === null ? (i === 0 ? 'N' : '?') : d));
  return `${meta.dtype ?? '?'} [${dims === undefined ? '?' : dims.join(',')}]`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
