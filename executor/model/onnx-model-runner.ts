/**
 * ModelRunner on onnxruntime-node (CPU). The model file is read once, hashed, and the same
 * bytes are handed to onnxruntime, so ModelInfo.sha256 names exactly what runs. The model's
 * interface is checked at load time, so a wrong model fails before any image is processed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { FeatureJobError, toFeatureJobError } from '../errors.js';
import type { ModelInfo, ModelRunner } from './model-runner.js';
import { sliceBatch } from './slice-batch.js';

const INPUT_SIZE = 224;
const CHANNELS = 3;

export interface OnnxModelRunnerLoadOptions {
  /** The .onnx file to load; or pass its bytes in `modelBytes`. */
  readonly modelPath?: string;
  readonly modelBytes?: Uint8Array;
  /** What the model is; when `sha256` is given, the loaded bytes must match it. */
  readonly info: Omit<ModelInfo, 'sha256'> & { readonly sha256?: string };
  /** onnxruntime intra-op threads (one worker process per `threads` cores). */
  readonly threads: number;
}

export class OnnxModelRunner implements ModelRunner {
  readonly info: ModelInfo;
  readonly inputSize = INPUT_SIZE;
  private readonly session: ort.InferenceSession;
  private readonly inputName: string;
  private readonly outputName: string;
  private closed = false;

  private constructor(options: {
    session: ort.InferenceSession;
    info: ModelInfo;
    inputName: string;
    outputName: string;
  }) {
    this.session = options.session;
    this.info = options.info;
    this.inputName = options.inputName;
    this.outputName = options.outputName;
  }

  static async load(options: OnnxModelRunnerLoadOptions): Promise<OnnxModelRunner> {
    const { threads } = options;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `threads must be a positive integer, got ${threads}`);
    }
    const bytes = await readModelBytes(options);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const source = options.modelPath ?? '<model bytes>';
    if (options.info.sha256 !== undefined && options.info.sha256 !== sha256) {
      throw new FeatureJobError(
        'FJ_MODEL_INVALID',
        `model ${source} has sha256 ${sha256}, expected ${options.info.sha256}: the file changed since it was resolved`,
      );
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        // One graph, run layer by layer: parallelism comes from intra-op threads and processes.
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      throw new FeatureJobError('FJ_MODEL_INVALID', `onnxruntime cannot load model ${source}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    try {
      const { inputName, outputName } = checkInterface({ session, info: options.info, source });
      return new OnnxModelRunner({ session, info: { ...options.info, sha256 }, inputName, outputName });
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  async run(batch: Float32Array, count: number): Promise<Float32Array> {
    if (this.closed) throw new FeatureJobError('FJ_INFERENCE_FAILED', 'model runner is closed');
    const data = sliceBatch(batch, count, INPUT_SIZE);
    try {
      const input = new ort.Tensor('float32', data, [count, INPUT_SIZE, INPUT_SIZE, CHANNELS]);
      const results = await this.session.run({ [this.inputName]: input }, [this.outputName]);
      const output = results[this.outputName];
      const expected = count * this.info.dimensions;
      if (output === undefined || !(output.data instanceof Float32Array) || output.data.length !== expected) {
        throw new Error(`model output ${this.outputName} is not ${expected} float32 values`);
      }
      return output.data;
    } catch (error) {
      throw toFeatureJobError(error, 'FJ_INFERENCE_FAILED');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

async function readModelBytes(options: OnnxModelRunnerLoadOptions): Promise<Uint8Array> {
  if (options.modelBytes !== undefined) return options.modelBytes;
  if (options.modelPath === undefined) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'OnnxModelRunner.load needs modelPath or modelBytes');
  }
  try {
    return await readFile(options.modelPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new FeatureJobError('FJ_MODEL_NOT_FOUND', `model file ${options.modelPath} not found`, { cause: error });
    }
    throw new FeatureJobError('FJ_MODEL_INVALID', `cannot read model ${options.modelPath}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * The pipeline feeds [N,224,224,3] float32 and reads `dimensions` floats per image, so the
 * model must take exactly one such input and give an output whose last dimension matches.
 */
function checkInterface(options: {
  session: ort.InferenceSession;
  info: Pick<ModelInfo, 'layer' | 'dimensions'>;
  source: string;
}): { inputName: string; outputName: string } {
  const { session, source } = options;
  const { layer, dimensions } = options.info;
  const invalid = (why: string): FeatureJobError => new FeatureJobError('FJ_MODEL_INVALID', `model ${source} ${why}`);
  const inputs = session.inputMetadata;
  if (inputs.length !== 1) {
    throw invalid(
      `has ${inputs.length} inputs; expected one float32 [N,${INPUT_SIZE},${INPUT_SIZE},${CHANNELS}] input`,
    );
  }
  const input = inputs[0] as ort.InferenceSession.ValueMetadata;
  const expectedInput = [INPUT_SIZE, INPUT_SIZE, CHANNELS];
  if (
    !input.isTensor ||
    input.type !== 'float32' ||
    input.shape.length !== 4 ||
    expectedInput.some((size, i) => input.shape[i + 1] !== size) ||
    (typeof input.shape[0] === 'number' && input.shape[0] !== -1)
  ) {
    throw invalid(
      `input '${input.name}' is ${describe(input)}; expected float32 [N,${INPUT_SIZE},${INPUT_SIZE},${CHANNELS}] ` +
        '(channels-last, any batch size)',
    );
  }
  const outputs = session.outputMetadata;
  // Prefer the output named after the layer (fc2); otherwise a single-output model's output.
  const output = outputs.find((o) => o.name === layer) ?? (outputs.length === 1 ? outputs[0] : undefined);
  if (output === undefined) {
    throw invalid(
      `has outputs [${outputs.map((o) => o.name).join(', ')}]; expected one named '${layer}' or a single output`,
    );
  }
  const last = output.isTensor ? output.shape[output.shape.length - 1] : undefined;
  if (!output.isTensor || output.type !== 'float32' || last !== dimensions) {
    throw invalid(`output '${output.name}' is ${describe(output)}; expected float32 [N,${dimensions}]`);
  }
  return { inputName: input.name, outputName: output.name };
}

function describe(value: ort.InferenceSession.ValueMetadata): string {
  if (!value.isTensor) return 'not a tensor';
  return `${value.type} [${value.shape.map((d) => (typeof d === 'string' && d !== '' ? d : String(d))).join(',')}]`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
