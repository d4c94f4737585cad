import type { ModelInfo } from '../model/model-runner.js';
import type { ShardPrecision } from '../output/shard-precision.js';
import type { PartitionOutcome } from '../pipeline/run-partition.js';
import type { ExtractPartitionConfig } from '../tasks/extract-partition.js';
import type { ReduceMode, ReduceTaskConfig, ReduceTaskResult } from '../tasks/run-reduce-task.js';

/** Where a worker process opens its stores (its own S3 client: one per process). */
export interface WorkerStoreSettings {
  readonly output: string;
  readonly s3Endpoint?: string;
  readonly region?: string;
}

/**
 * What a local task worker needs to run tasks of one mode; plain data, sent once at start. An
 * extraction worker is given the model the driver resolved (and planned with), so it loads
 * the file without resolving the weights again, and the precision that file computes in
 * (the driver's choice), which every shard it commits records.
 */
export type TaskWorkerSettings =
  | {
      readonly mode: 'extract';
      readonly stores: WorkerStoreSettings & { readonly input: string };
      readonly config: ExtractPartitionConfig;
      readonly model: { readonly path: string; readonly info: ModelInfo; readonly precision: ShardPrecision };
      /** The table version whose plan the partitions belong to (absent: 0). */
      readonly version?: number;
    }
  | { readonly mode: ReduceMode; readonly stores: WorkerStoreSettings; readonly config: ReduceTaskConfig };

/** What one task yields, by mode: extraction's commit outcome, or the PCA task's result. */
export type TaskWorkerResult = PartitionOutcome | ReduceTaskResult;
