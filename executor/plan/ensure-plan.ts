import { FeatureJobError } from '../errors.js';
import type { OutputFormat } from '../config/run-config.js';
import type { ModelInfo } from '../model/model-runner.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJson, readJsonIfExists } from '../storage/read-json.js';
import { computePartitionCount, computePartitions } from './compute-partitions.js';
import { listInput } from './list-input.js';
import { PLAN_INDEX_KEY, planShardKey } from './partition-naming.js';
import { createPlanId } from './plan-id.js';
import { PlanIndexSchema, PlanShardSchema, type PlanIndex } from './plan-schema.js';

export interface EnsurePlanOptions {
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  readonly format: OutputFormat;
  readonly model: ModelInfo;
  readonly partitions?: number;
  readonly imagesPerPartition: number;
  readonly excludePrefix?: string;
  readonly now?: () => Date;
}

/**
 * Returns the job's plan, creating it on the first run. The plan stored under the output is
 * the truth for every later run: a rerun resumes it instead of relisting, so partition
 * boundaries never move under committed work.
 */
export async function ensurePlan(options: EnsurePlanOptions): Promise<{ plan: PlanIndex; created: boolean }> {
  const existing = await readJsonIfExists(options.output, PLAN_INDEX_KEY, PlanIndexSchema, {
    code: 'FJ_PLAN_MISMATCH',
  });
  if (existing !== undefined) {
    assertPlanMatches(existing, options);
    return { plan: existing, created: false };
  }
  const listing = await listInput(
    options.input,
    options.excludePrefix === undefined ? {} : { excludePrefix: options.excludePrefix },
  );
  if (listing.images.length === 0) {
    throw new FeatureJobError(
      'FJ_NO_INPUT_IMAGES',
      `no images under ${options.input.uri} (${listing.listed} objects listed, ${listing.skipped} not images by extension)`,
    );
  }
  const count = computePartitionCount({
    images: listing.images.length,
    imagesPerPartition: options.imagesPerPartition,
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
  });
  const groups = computePartitions(listing.images, count);
  // Shards first, under this plan's id; the index last, create-only: an interrupted plan write
  // leaves no index and is redone, and of two planners racing on one output exactly one wins.
  const planId = createPlanId();
  for (const [index, keys] of groups.entries()) {
    await options.output.put(planShardKey(index, planId), encodeJson({ version: 1, planId, index, keys }));
  }
  const plan: PlanIndex = {
    version: 1,
    planId,
    inputUri: options.input.uri,
    outputUri: options.output.uri,
    format: options.format,
    model: { ...options.model },
    listed: listing.listed,
    images: listing.images.length,
    skipped: listing.skipped,
    partitions: groups.map((keys, index) => ({ index, images: keys.length })),
    createdAt: (options.now?.() ?? new Date()).toISOString(),
  };
  if (await options.output.putIfAbsent(PLAN_INDEX_KEY, encodeJson(plan))) return { plan, created: true };
  // Another planner created the index first: use its plan when it plans the same job (or fail
  // with FJ_PLAN_MISMATCH), and remove the shards of ours that no index names.
  const winner = await readJson(options.output, PLAN_INDEX_KEY, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
  await Promise.all(groups.map((_, index) => options.output.delete(planShardKey(index, planId))));
  assertPlanMatches(winner, options);
  return { plan: winner, created: false };
}

function assertPlanMatches(plan: PlanIndex, options: EnsurePlanOptions): void {
  const mismatches: string[] = [];
  if (plan.inputUri !== options.input.uri) mismatches.push(`input ${plan.inputUri} (now ${options.input.uri})`);
  if (options.partitions !== undefined && Math.min(options.partitions, plan.images) !== plan.partitions.length) {
    mismatches.push(`${plan.partitions.length} partitions (now --partitions ${options.partitions})`);
  }
  if (plan.format !== options.format) mismatches.push(`format ${plan.format} (now ${options.format})`);
  if (plan.model.sha256 !== options.model.sha256) {
    mismatches.push(
      `model weights ${plan.model.weights} sha256 ${plan.model.sha256.slice(0, 12)} ` +
        `(now ${options.model.weights} sha256 ${options.model.sha256.slice(0, 12)})`,
    );
  }
  if (mismatches.length > 0) {
    throw new FeatureJobError(
      'FJ_PLAN_MISMATCH',
      `${options.output.uri} already holds a job planned with ${mismatches.join(', ')}; use a new --out or the original settings`,
    );
  }
}

/** The image keys of partition `index` of `plan`, from the shard its plan id names. */
export async function readPlanShard(
  output: ObjectStore,
  plan: Pick<PlanIndex, 'planId'>,
  index: number,
): Promise<string[]> {
  const key = planShardKey(index, plan.planId);
  const shard = await readJson(output, key, PlanShardSchema, { code: 'FJ_PLAN_MISMATCH' });
  if (shard.index !== index || shard.planId !== plan.planId) {
    throw new FeatureJobError(
      'FJ_PLAN_MISMATCH',
      `${output.uriOf(key)} holds partition ${shard.index} of plan ${shard.planId ?? '(none)'}`,
    );
  }
  return shard.keys;
}

/** The job's plan index, or undefined before the planner has written it. */
export function readPlanIndex(output: ObjectStore): Promise<PlanIndex | undefined> {
  return readJsonIfExists(output, PLAN_INDEX_KEY, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
}
