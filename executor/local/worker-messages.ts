import type { OutputFormat } from '../config/run-config.js';
import type { ModelInfo } from '../model/model-runner.js';
import type { PartitionOutcome } from '../pipeline/run-partition.js';

/** What a worker process needs to run partitions; plain data, sent once at start. */
export interface WorkerSettings {
  readonly input: string;
  readonly output: string;
  readonly s3Endpoint?: string;
  readonly region?: string;
  readonly modelPath: string;
  readonly modelInfo: ModelInfo;
  readonly threads: number;
  readonly batchSize: number;
  readonly fetchConcurrency: number;
  readonly maxPixels: number;
  readonly format: OutputFormat;
  /** Compute each partition's PCA statistics while its features are in memory (`run --pca`). */
  readonly pcaStatistics: boolean;
}

/** What the pool sends a worker; `Settings` is the worker kind's start-up data. */
export type ToWorker<Settings = WorkerSettings> =
  | { readonly type: 'init'; readonly settings: Settings }
  | { readonly type: 'partition'; readonly index: number; readonly attempt: string }
  | { readonly type: 'shutdown' };

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly transient: boolean;
}

/** What a worker answers; `Result` is what one partition's task yields. */
export type FromWorker<Result = PartitionOutcome> =
  | { readonly type: 'ready'; readonly loadMs: number; readonly rssBytes: number }
  | { readonly type: 'progress'; readonly index: number; readonly done: number; readonly failed: number }
  | { readonly type: 'done'; readonly index: number; readonly result: Result; readonly peakRssBytes: number }
  | { readonly type: 'failed'; readonly index: number | undefined; readonly error: SerializedError };
