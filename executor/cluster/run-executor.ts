/**
 * `featurejob executor plan|extract|pca-statistics|pca-fit|pca-project`: the container entry
 * point of the pods the operator starts. It prepares what one process needs (settings from the
 * environment, the stores, the model) and runs one task of executor/tasks/, the same functions
 * `featurejob run` runs in its worker processes; it tells the operator how the task ended
 * through its exit code and a one-line JSON termination message.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FeatureJobError } from '../errors.js';
import { createAttemptId } from '../commit/attempt-id.js';
import {
  ExecutorConfigSchema,
  type ExecutorConfig,
  COMPLETION_INDEX_ENV,
  EXECUTOR_CONFIG_ENV,
} from '../config/executor-config.js';
import type { Logger } from '../log/logger.js';
import { loadModelRunner } from '../model/load-model-runner.js';
import { FP32_PRECISION } from '../output/shard-precision.js';
import { resolveModel, type ResolvedModel } from '../model/resolve-model.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { PartitionOutcome } from '../pipeline/run-partition.js';
import { openStore } from '../storage/open-store.js';
import { openStores } from '../storage/open-stores.js';
import { extractPartition, readExtractState } from '../tasks/extract-partition.js';
import { computePlanExclusion, planJob } from '../tasks/plan-job.js';
import {
  isIndexedReduceMode,
  isReduceMode,
  REDUCE_MODES,
  runReduceTask,
  type ReduceTaskResult,
} from '../tasks/run-reduce-task.js';

export const EXECUTOR_MODES = ['plan', 'extract', ...REDUCE_MODES] as const;
export type ExecutorMode = (typeof EXECUTOR_MODES)[number];

export type ExecutorResult =
  | { readonly mode: 'plan'; readonly plan: PlanIndex; readonly created: boolean }
  | {
      readonly mode: 'extract';
      readonly index: number;
      readonly outcome: PartitionOutcome['outcome'];
      readonly rows: number;
      readonly failed: number;
    }
  | ReduceTaskResult;

/** Parses the executor's settings; anything wrong is a bad configuration (never retried). */
export function parseExecutorConfig(env: NodeJS.ProcessEnv): ExecutorConfig {
  const raw = env[EXECUTOR_CONFIG_ENV];
  if (raw === undefined || raw === '')
    throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} is not set`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ExecutorConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} is invalid: ${problems}`);
  }
  return Object.freeze(parsed.data);
}

export function parseCompletionIndex(env: NodeJS.ProcessEnv): number {
  const raw = env[COMPLETION_INDEX_ENV];
  const index = Number(raw);
  if (raw === undefined || raw === '' || !Number.isSafeInteger(index) || index < 0) {
    throw new FeatureJobError(
      'FJ_INVALID_CONFIG',
      `${COMPLETION_INDEX_ENV} must be a task index (a whole number ≥ 0), got '${raw ?? ''}'`,
    );
  }
  return index;
}

async function resolveCheckedModel(
  config: ExecutorConfig,
  expectedSha256: string | undefined,
  s3Client: () => S3Client,
): Promise<ResolvedModel> {
  const model = await resolveModel({
    weights: config.weights,
    ...(config.seed === undefined ? {} : { seed: config.seed }),
    openStore: (location) => openStore(location, { s3Client }),
  });
  if (expectedSha256 !== undefined && model.info.sha256 !== expectedSha256) {
    throw new FeatureJobError(
      'FJ_WEIGHTS_CHECKSUM_MISMATCH',
      `model ${model.info.weights} has sha256 ${model.info.sha256}, but the job requires ${expectedSha256}`,
    );
  }
  return model;
}

/**
 * `spec.model.precision` in executor pods: int8 is not built for pods yet (the calibration,
 * the gate and the quantized model live in `featurejob run`'s driver), so it fails the task
 * as a bad configuration before anything is read; `auto` runs fp32, as `run --precision auto`
 * does when int8 cannot run, and says so. Every shard a pod commits records fp32.
 */
export function assertPodPrecision(config: ExecutorConfig, logger: Logger): void {
  if (config.precision === 'int8') {
    throw new FeatureJobError(
      'FJ_PRECISION_UNSUPPORTED',
      'spec.model.precision int8 is not built for executor pods yet (only `featurejob run --precision int8` runs int8): ' +
        'use fp32 or auto, which runs fp32',
    );
  }
  if (config.precision === 'auto')
    logger.warn({ precision: 'auto' }, 'spec.model.precision auto runs fp32: int8 is not built for executor pods yet');
}

export async function runExecutor(options: {
  mode: ExecutorMode;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Aborted on SIGTERM: an extract attempt stops before committing (FJ_ATTEMPT_INTERRUPTED). */
  signal?: AbortSignal;
  /** The extract attempt's id (its files' names, and its log's if it fails); a fresh one by default. */
  attempt?: string;
}): Promise<ExecutorResult> {
  const { mode, env, logger } = options;
  const config = parseExecutorConfig(env);
  const indexed = mode === 'extract' || (isReduceMode(mode) && isIndexedReduceMode(mode));
  const index = indexed ? parseCompletionIndex(env) : undefined;
  const { input, output, s3Client } = openStores(config);

  if (isReduceMode(mode))
    return runReduceTask({ mode, config, output, ...(index === undefined ? {} : { index }), logger });

  assertPodPrecision(config, logger);
  if (mode === 'plan') {
    // An output equal to the input is refused before the weights are fetched (planJob checks again).
    computePlanExclusion(config);
    const model = await resolveCheckedModel(config, config.sha256, s3Client);
    // Pods plan version 0 only: the operator does not follow table versions yet (docs/versions.md).
    const { plan, created } = await planJob({
      stores: { input, output },
      config,
      model: model.info,
      logger,
      versions: false,
    });
    return { mode, plan, created };
  }

  const partition = index as number;
  const { plan, committed } = await readExtractState(output, partition);
  // A partition committed by an earlier attempt is done: exit before loading the model.
  if (committed !== undefined)
    return { mode, index: partition, outcome: 'already-committed', rows: committed.rows, failed: committed.failed };
  const model = await resolveCheckedModel(config, plan.model.sha256, s3Client);
  const runner = await loadModelRunner({ modelPath: model.path, info: model.info, threads: config.threads, logger });
  try {
    const result = await extractPartition({
      stores: { input, output },
      config,
      model: runner,
      precision: FP32_PRECISION,
      index: partition,
      attempt: options.attempt ?? createAttemptId(),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { mode, index: partition, outcome: result.outcome, rows: result.marker.rows, failed: result.marker.failed };
  } finally {
    await runner.close();
  }
}
