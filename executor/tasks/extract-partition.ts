/**
 * The `extract` task: one planned partition, from its plan shard to its commit marker. A local
 * worker process calls it for every partition it is sent, an executor pod once for its
 * completion index; both with a model runner they loaded once.
 */
import { readCommitMarker } from '../commit/commit-partition.js';
import type { ExecutorConfig } from '../config/executor-config.js';
import { FeatureJobError } from '../errors.js';
import type { ModelRunner } from '../model/model-runner.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import type { ShardPrecision } from '../output/shard-precision.js';
import type { ExtractOptions } from '../pipeline/extract-features.js';
import { runPartition, type PartitionOutcome } from '../pipeline/run-partition.js';
import { planIndexKey } from '../plan/partition-naming.js';
import { PlanIndexSchema, type PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readJsonIfExists } from '../storage/read-json.js';

/** What extraction reads of the settings; `pca` only says whether statistics are computed on the way. */
export type ExtractPartitionConfig = Pick<
  ExecutorConfig,
  | 'format'
  | 'threads'
  | 'batchSize'
  | 'fetchConcurrency'
  | 'maxPixels'
  | 'maxObjectBytes'
  | 'decodeBudgetBytes'
  | 'memoryLimitBytes'
  | 'pca'
>;

export interface ExtractPartitionOptions {
  readonly stores: { readonly input: ObjectStore; readonly output: ObjectStore };
  readonly config: ExtractPartitionConfig;
  readonly model: ModelRunner;
  /** What `model` computes in (fp32, or the int8 model the driver chose): recorded with the shard. */
  readonly precision: ShardPrecision;
  readonly index: number;
  /** The table version whose plan holds the partition (default 0; docs/versions.md). */
  readonly version?: number;
  /** This attempt's id (commit/attempt-id.ts): names its files until one attempt commits. */
  readonly attempt: string;
  readonly onProgress?: ExtractOptions['onProgress'];
  /** Aborted on SIGTERM (executor/cli/executor-command.ts). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export async function extractPartition(options: ExtractPartitionOptions): Promise<PartitionOutcome> {
  const { stores, config } = options;
  return runPartition({
    index: options.index,
    ...(options.version === undefined ? {} : { version: options.version }),
    attempt: options.attempt,
    input: stores.input,
    output: stores.output,
    model: options.model,
    precision: options.precision,
    format: config.format,
    batchSize: config.batchSize,
    fetchConcurrency: config.fetchConcurrency,
    decodeConcurrency: Math.max(2, config.threads),
    maxPixels: config.maxPixels,
    maxObjectBytes: config.maxObjectBytes,
    decodeBudgetBytes: config.decodeBudgetBytes,
    ...(config.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: config.memoryLimitBytes }),
    // With PCA ahead, a large partition's statistics are computed while its features are in memory.
    ...(config.pca === undefined ? {} : { statisticsThreads: config.threads }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

/**
 * Before a process loads the model for partition `index`: the plan (whose model sha256 the
 * runner must have) and the commit marker of an earlier attempt, if one committed. Throws
 * FJ_INVALID_CONFIG when there is no plan or no such partition.
 */
export async function readExtractState(
  output: ObjectStore,
  index: number,
  version = 0,
): Promise<{ readonly plan: PlanIndex; readonly committed: CommitMarker | undefined }> {
  const key = planIndexKey(version);
  const plan = await readJsonIfExists(output, key, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
  if (plan === undefined)
    throw new FeatureJobError('FJ_INVALID_CONFIG', `no plan at ${output.uriOf(key)}: the planner has not run`);
  if (index >= plan.partitions.length) {
    throw new FeatureJobError(
      'FJ_INVALID_CONFIG',
      `partition ${index} does not exist (the plan has ${plan.partitions.length})`,
    );
  }
  return { plan, committed: await readCommitMarker(output, index, version) };
}
