/**
 * The `plan` task, the first step of every job: `featurejob run` calls it in the driver, the
 * operator's plan pod through `featurejob executor plan`. One function, so both modes refuse an
 * output equal to the input and both keep the job from listing its own output when the output
 * lies inside the input (`run ./photos --out ./photos/features`).
 */
import type { ExecutorConfig } from '../config/executor-config.js';
import { FeatureJobError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ModelInfo } from '../model/model-runner.js';
import { ensurePlan } from '../plan/ensure-plan.js';
import { computeExcludedPrefix } from '../plan/excluded-prefix.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import { parseLocation } from '../storage/location.js';
import type { ObjectStore } from '../storage/object-store.js';

/** What planning reads of the settings: the pods' executor config, or the local runner's. */
export type PlanJobConfig = Pick<ExecutorConfig, 'input' | 'output' | 'format' | 'imagesPerPartition' | 'partitions'>;

export interface PlanJobOptions {
  readonly stores: { readonly input: ObjectStore; readonly output: ObjectStore };
  readonly config: PlanJobConfig;
  /** The model the job runs with: its sha256 is recorded in the plan and checked on resume. */
  readonly model: ModelInfo;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * The key prefix under the input that planning must not list, or undefined; throws
 * FJ_INVALID_ARGUMENT (never retried) when the output is the input itself, where every
 * output file would be taken for input and the next run would plan its own shards.
 */
export function computePlanExclusion(config: Pick<PlanJobConfig, 'input' | 'output'>): string | undefined {
  const excluded = computeExcludedPrefix(parseLocation(config.input), parseLocation(config.output));
  if (excluded === '') throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--out must differ from <input> (both are ${config.input})`);
  return excluded;
}

/** Returns the job's plan, writing it on the first run (see plan/ensure-plan.ts). */
export async function planJob(options: PlanJobOptions): Promise<{ readonly plan: PlanIndex; readonly created: boolean }> {
  const { stores, config, logger } = options;
  const excludePrefix = computePlanExclusion(config);
  const { plan, created } = await ensurePlan({
    input: stores.input,
    output: stores.output,
    format: config.format,
    model: options.model,
    imagesPerPartition: config.imagesPerPartition,
    ...(config.partitions === undefined ? {} : { partitions: config.partitions }),
    ...(excludePrefix === undefined ? {} : { excludePrefix }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  logger.info({ output: stores.output.uri, partitions: plan.partitions.length, images: plan.images, created }, 'plan ready');
  return { plan, created };
}
