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
import { isAbsolute, relative } from 'node:path';
import { isInputInsideOutput } from '../../crds/is-input-inside-output.js';
import { parseLocation, type Location } from '../storage/location.js';
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
  const input = parseLocation(config.input);
  const output = parseLocation(config.output);
  const excluded = computeExcludedPrefix(input, output);
  if (excluded === '')
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--out must differ from <input> (both are ${config.input})`);
  if (isLocationInside(input, output)) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `<input> ${config.input} lies inside --out ${config.output}: the job would read what it writes`,
    );
  }
  return excluded;
}

/** Whether `inner` is inside `outer` (not equal): folders by path, S3 by bucket and prefix. */
function isLocationInside(inner: Location, outer: Location): boolean {
  if (inner.kind === 'file' && outer.kind === 'file') {
    const path = relative(outer.dir, inner.dir);
    return path !== '' && !path.startsWith('..') && !isAbsolute(path);
  }
  if (inner.kind === 's3' && outer.kind === 's3')
    return inner.prefix !== outer.prefix && isInputInsideOutput(inner, outer);
  return false;
}

/** Returns the job's plan, writing it on the first run (see plan/ensure-plan.ts). */
export async function planJob(
  options: PlanJobOptions,
): Promise<{ readonly plan: PlanIndex; readonly created: boolean }> {
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
  logger.info(
    { output: stores.output.uri, partitions: plan.partitions.length, images: plan.images, created },
    'plan ready',
  );
  return { plan, created };
}
