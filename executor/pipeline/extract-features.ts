import { FeatureJobError, isFeatureJobError, type ErrorCode } from '../errors.js';
import type { ModelRunner } from '../model/model-runner.js';
import type { ErrorRecord } from '../output/error-record.js';
import type { ObjectStore } from '../storage/object-store.js';
import { mapOrdered } from '../util/map-ordered.js';
import type { ByteBudget } from '../util/byte-budget.js';
import { Semaphore } from '../util/semaphore.js';
import { defaultFetchOptions, fetchObject, type FetchOptions } from './fetch-object.js';
import { prepareImage } from './prepare-image.js';

/** Per-image failures that become an error line; anything else fails the partition attempt. */
const IMAGE_ERROR_CODES: ReadonlySet<ErrorCode> = new Set([
  'FJ_IMAGE_EMPTY',
  'FJ_IMAGE_UNRECOGNIZED',
  'FJ_IMAGE_CORRUPT',
  'FJ_IMAGE_TOO_LARGE',
  'FJ_OBJECT_FORBIDDEN',
  'FJ_OBJECT_MISSING',
]);

export interface ExtractOptions {
  readonly input: ObjectStore;
  readonly keys: readonly string[];
  readonly model: ModelRunner;
  readonly batchSize: number;
  readonly fetchConcurrency: number;
  /** Full-resolution decodes held in memory at once (a 6000x4000 photo is 72 MB raw). */
  readonly decodeConcurrency: number;
  /**
   * The worker's budget of decoded bytes (config/limits.ts, DEFAULT_DECODE_BUDGET_BYTES): a
   * decode waits until its image fits beside the others, so a few huge images within
   * `maxPixels` decode one after another instead of together.
   */
  readonly decodeBudget: ByteBudget;
  readonly maxPixels: number;
  readonly fetch?: FetchOptions;
  readonly onProgress?: (progress: { done: number; failed: number }) => void;
  /** Aborted on SIGTERM: no new fetch starts, and extraction throws FJ_ATTEMPT_INTERRUPTED. */
  readonly signal?: AbortSignal;
}

export interface ExtractedFeatures {
  /** Keys that produced features, in input order. */
  readonly paths: string[];
  /** paths.length * dimensions values, row-major. */
  readonly features: Float32Array;
  readonly errors: ErrorRecord[];
}

type Prepared = { key: string; tensor: Float32Array } | { key: string; error: ErrorRecord };

/**
 * The data plane of one partition: fetch with bounded concurrency through the one store
 * (one S3 client), decode + Keras preprocessing, batched inference. Every key ends as exactly
 * one feature row or one error record; a transient failure throws so the attempt is retried.
 */
export async function extractFeatures(options: ExtractOptions): Promise<ExtractedFeatures> {
  const { model, batchSize } = options;
  const pixels = model.inputSize * model.inputSize * 3;
  const decodeSlots = new Semaphore(options.decodeConcurrency);
  const fetchOptions = options.fetch ?? defaultFetchOptions;

  const prepare = async (key: string): Promise<Prepared> => {
    throwIfInterrupted(options.signal);
    try {
      const bytes = await fetchObject(options.input, key, fetchOptions);
      const tensor = await decodeSlots.run(() =>
        prepareImage(bytes, { maxPixels: options.maxPixels, size: model.inputSize, budget: options.decodeBudget }),
      );
      return { key, tensor };
    } catch (error) {
      if (isFeatureJobError(error) && IMAGE_ERROR_CODES.has(error.code)) {
        return { key, error: { path: key, code: error.code, message: error.message } };
      }
      throw error;
    }
  };

  const paths: string[] = [];
  const errors: ErrorRecord[] = [];
  const features = new Float32Array(options.keys.length * model.info.dimensions);
  const batch = new Float32Array(batchSize * pixels);
  let pending: string[] = [];

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    throwIfInterrupted(options.signal);
    const output = await model.run(batch.subarray(0, pending.length * pixels), pending.length);
    features.set(output, paths.length * model.info.dimensions);
    paths.push(...pending);
    pending = [];
    options.onProgress?.({ done: paths.length + errors.length, failed: errors.length });
  };

  for await (const item of mapOrdered(options.keys, options.fetchConcurrency + batchSize, prepare)) {
    if ('error' in item) {
      errors.push(item.error);
      options.onProgress?.({ done: paths.length + errors.length, failed: errors.length });
      continue;
    }
    batch.set(item.tensor, pending.length * pixels);
    pending.push(item.key);
    if (pending.length === batchSize) await flush();
  }
  await flush();
  return { paths, features: features.subarray(0, paths.length * model.info.dimensions), errors };
}

/** Throws FJ_ATTEMPT_INTERRUPTED once `signal` is aborted (the attempt stops where it is). */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new FeatureJobError('FJ_ATTEMPT_INTERRUPTED', 'the attempt was interrupted (SIGTERM) before it committed');
  }
}
