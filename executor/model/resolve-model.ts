/**
 * Turns the user's `--weights` choice into a model file and its ModelInfo, in the parent
 * process, before any worker starts. Random weights are built once per seed and cached, so
 * later runs and worker processes only read the file. No onnxruntime here: this must stay
 * cheap to import.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FeatureJobError } from '../errors.js';
import type { ModelInfo } from './model-runner.js';
import { buildRandomVgg16Weights, DEFAULT_MODEL_SEED, describeRandomWeights } from './random-vgg16-weights.js';
import { encodeVgg16Onnx, VGG16_OUTPUT_NAME, VGG16_WIDTHS } from './vgg16-graph.js';

export interface ResolveModelOptions {
  /** 'random' for seeded He-normal weights, or a path to an .onnx file. */
  readonly weights: 'random' | string;
  /** Seed for 'random' (default 0). */
  readonly seed?: number;
  /** Where built models are cached (default $FEATUREJOB_CACHE or ~/.cache/featurejob). */
  readonly cacheDir?: string;
}

export interface ResolvedModel {
  /** Absolute path of the .onnx file. */
  readonly path: string;
  readonly info: ModelInfo;
}

export function defaultCacheDir(): string {
  const fromEnv = process.env.FEATUREJOB_CACHE;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'featurejob');
}

/** Where the random model for `seed` lives under `cacheDir`. */
/** Bump when the graph, the weight generator or the encoding changes, so stale cache files are never reused. */
export const RANDOM_MODEL_FORMAT = 1;

export function computeRandomModelPath(cacheDir: string, seed: number): string {
  return resolve(cacheDir, 'models', `vgg16-fc2-random-v${RANDOM_MODEL_FORMAT}-seed${seed}.onnx`);
}

export async function resolveModel(options: ResolveModelOptions): Promise<ResolvedModel> {
  const base = { name: 'vgg16', layer: VGG16_OUTPUT_NAME, dimensions: VGG16_WIDTHS.dense } as const;
  if (options.weights === 'random') {
    const seed = options.seed ?? DEFAULT_MODEL_SEED;
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `seed must be a non-negative integer, got ${seed}`);
    }
    const path = computeRandomModelPath(options.cacheDir ?? defaultCacheDir(), seed);
    const sha256 = await ensureRandomModel(path, seed);
    return { path, info: { ...base, weights: describeRandomWeights(seed), sha256 } };
  }
  const path = resolve(options.weights);
  const found = await stat(path).catch(() => undefined);
  if (found === undefined || !found.isFile()) {
    throw new FeatureJobError(
      'FJ_MODEL_NOT_FOUND',
      `model file ${path} not found: pass 'random' or the path of a VGG16 fc2 .onnx file`,
    );
  }
  return { path, info: { ...base, weights: path, sha256: await computeFileSha256(path) } };
}

/** Builds the random model at `path` unless it is already there; returns its sha256. */
async function ensureRandomModel(path: string, seed: number): Promise<string> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isFile() === true) return computeFileSha256(path);

  const weights = buildRandomVgg16Weights({ seed });
  const chunks = encodeVgg16Onnx(weights).toChunks();
  await mkdir(dirname(path), { recursive: true });
  // Temp file + rename: a reader (or a concurrent builder) never sees a partial model, and
  // two processes building the same seed write identical bytes, so either rename may win.
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const hash = createHash('sha256');
  try {
    const file = await open(temp, 'wx');
    try {
      for (const chunk of chunks) {
        hash.update(chunk);
        for (let offset = 0; offset < chunk.byteLength; ) {
          offset += (await file.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
        }
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new FeatureJobError('FJ_MODEL_INVALID', `cannot write the random model to ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  return hash.digest('hex');
}

export async function computeFileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
