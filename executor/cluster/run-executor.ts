/**
 * `featurejob executor plan|extract|pca-statistics|pca-fit|pca-project`: the container entry
 * point of the pods the operator starts. It runs the same code as `featurejob run` (planning,
 * one partition, the commit protocol, the PCA passes), configured from the environment, and
 * tells the operator how it ended through its exit code and a one-line JSON termination message.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FeatureJobError } from '../errors.js';
import { readCommitMarker } from '../commit/commit-partition.js';
import { createAttemptId } from '../commit/attempt-id.js';
import { ExecutorConfigSchema, type ExecutorConfig, COMPLETION_INDEX_ENV, EXECUTOR_CONFIG_ENV } from '../config/executor-config.js';
import { computeExcludedPrefix } from '../plan/excluded-prefix.js';
import { openStores } from '../storage/open-stores.js';
import type { Logger } from '../log/logger.js';
import { loadModelRunner } from '../model/load-model-runner.js';
import { resolveModel, type ResolvedModel } from '../model/resolve-model.js';
import { ensurePlan } from '../plan/ensure-plan.js';
import { PLAN_INDEX_KEY } from '../plan/partition-naming.js';
import { PlanIndexSchema, type PlanIndex } from '../plan/plan-schema.js';
import { runPartition, type PartitionOutcome } from '../pipeline/run-partition.js';
import { openStore } from '../storage/open-store.js';
import { parseLocation } from '../storage/location.js';
import { readJsonIfExists } from '../storage/read-json.js';
import { isIndexedReduceMode, isReduceMode, REDUCE_MODES, runReduceTask, type ReduceExecutorResult } from './run-reduce-task.js';

export const EXECUTOR_MODES = ['plan', 'extract', ...REDUCE_MODES] as const;
export type ExecutorMode = (typeof EXECUTOR_MODES)[number];

export type ExecutorResult =
  | { readonly mode: 'plan'; readonly plan: PlanIndex; readonly created: boolean }
  | { readonly mode: 'extract'; readonly index: number; readonly outcome: PartitionOutcome['outcome']; readonly rows: number; readonly failed: number }
  | ReduceExecutorResult;

/** Parses the executor's settings; anything wrong is a bad configuration (never retried). */
export function parseExecutorConfig(env: NodeJS.ProcessEnv): ExecutorConfig {
  const raw = env[EXECUTOR_CONFIG_ENV];
  if (raw === undefined || raw === '') throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} is not set`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ExecutorConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} is invalid: ${problems}`);
  }
  return Object.freeze(parsed.data);
}

export function parseCompletionIndex(env: NodeJS.ProcessEnv): number {
  const raw = env[COMPLETION_INDEX_ENV];
  const index = Number(raw);
  if (raw === undefined || raw === '' || !Number.isSafeInteger(index) || index < 0) {
    throw new FeatureJobError('FJ_INVALID_CONFIG', `${COMPLETION_INDEX_ENV} must be a task index (a whole number ≥ 0), got '${raw ?? ''}'`);
  }
  return index;
}

async function resolveCheckedModel(config: ExecutorConfig, expectedSha256: string | undefined, s3Client: () => S3Client): Promise<ResolvedModel> {
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

export async function runExecutor(options: { mode: ExecutorMode; env: NodeJS.ProcessEnv; logger: Logger }): Promise<ExecutorResult> {
  const { mode, env, logger } = options;
  const config = parseExecutorConfig(env);
  const indexed = mode === 'extract' || (isReduceMode(mode) && isIndexedReduceMode(mode));
  const index = indexed ? parseCompletionIndex(env) : undefined;
  const { input, output, s3Client } = openStores(config);

  if (isReduceMode(mode)) return runReduceTask({ mode, config, output, ...(index === undefined ? {} : { index }), logger });

  if (mode === 'plan') {
    const model = await resolveCheckedModel(config, config.sha256, s3Client);
    const excludePrefix = computeExcludedPrefix(parseLocation(config.input), parseLocation(config.output));
    const { plan, created } = await ensurePlan({
      input,
      output,
      format: config.format,
      model: model.info,
      imagesPerPartition: config.imagesPerPartition,
      ...(config.partitions === undefined ? {} : { partitions: config.partitions }),
      ...(excludePrefix === undefined || excludePrefix === '' ? {} : { excludePrefix }),
    });
    logger.info({ images: plan.images, partitions: plan.partitions.length, created }, 'plan ready');
    return { mode, plan, created };
  }

  const partition = index as number;
  const plan = await readJsonIfExists(output, PLAN_INDEX_KEY, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
  if (plan === undefined) throw new FeatureJobError('FJ_INVALID_CONFIG', `no plan at ${output.uriOf(PLAN_INDEX_KEY)}: the planner has not run`);
  if (partition >= plan.partitions.length) {
    throw new FeatureJobError('FJ_INVALID_CONFIG', `partition ${partition} does not exist (the plan has ${plan.partitions.length})`);
  }
  // A partition committed by an earlier attempt is done: exit before loading the model.
  const existing = await readCommitMarker(output, partition);
  if (existing !== undefined) return { mode, index: partition, outcome: 'already-committed', rows: existing.rows, failed: existing.failed };
  const model = await resolveCheckedModel(config, plan.model.sha256, s3Client);
  const runner = await loadModelRunner({ modelPath: model.path, info: model.info, threads: config.threads, logger });
  try {
    const result = await runPartition({
      index: partition,
      attempt: createAttemptId(),
      input,
      output,
      model: runner,
      format: config.format,
      batchSize: config.batchSize,
      fetchConcurrency: config.fetchConcurrency,
      decodeConcurrency: Math.max(2, config.threads),
      maxPixels: config.maxPixels,
      // With PCA ahead, a large partition's statistics are computed while its features are in memory.
      ...(config.pca === undefined ? {} : { statisticsThreads: config.threads }),
    });
    return { mode, index: partition, outcome: result.outcome, rows: result.marker.rows, failed: result.marker.failed };
  } finally {
    await runner.close();
  }
}
