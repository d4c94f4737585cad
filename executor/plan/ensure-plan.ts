import { FeatureJobError } from '../errors.js';
import type { OutputFormat } from '../config/run-config.js';
import type { ModelInfo } from '../model/model-runner.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJson, readJsonIfExists } from '../storage/read-json.js';
import { computePartitionCount, computePartitions } from './compute-partitions.js';
import { listInput } from './list-input.js';
import { planIndexKey, planShardKey } from './partition-naming.js';
import { createPlanId } from './plan-id.js';
import {
  PlanIndexSchema,
  PlanShardSchema,
  type PlanIndex,
  type PlannedImage,
  type VersionChanges,
} from './plan-schema.js';
import type { StoredObject } from '../storage/object-store.js';

/** What a plan holds: the images to process and what the listing found. */
export interface PlanSelection {
  readonly images: readonly StoredObject[];
  readonly listed: number;
  readonly skipped: number;
  /** Version N >= 1: the diff against version N - 1. */
  readonly changes?: VersionChanges;
}

export interface EnsurePlanOptions {
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  readonly format: OutputFormat;
  readonly model: ModelInfo;
  readonly partitions?: number;
  readonly imagesPerPartition: number;
  readonly excludePrefix?: string;
  /** The table version to plan (default 0, the first run). */
  readonly version?: number;
  /**
   * Computes what to plan when no plan exists yet; by default the whole input's images. A later
   * version passes the diff against the version before it (tasks/plan-job.ts).
   */
  readonly select?: () => Promise<PlanSelection>;
  readonly now?: () => Date;
}

/**
 * Returns the job's plan, creating it on the first run. The plan stored under the output is
 * the truth for every later run: a rerun resumes it instead of relisting, so partition
 * boundaries never move under committed work.
 */
export async function ensurePlan(options: EnsurePlanOptions): Promise<{ plan: PlanIndex; created: boolean }> {
  const version = options.version ?? 0;
  const indexKey = planIndexKey(version);
  const existing = await readJsonIfExists(options.output, indexKey, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
  if (existing !== undefined) {
    assertPlanMatches(existing, options);
    return { plan: existing, created: false };
  }
  const selection = options.select === undefined ? await selectAllImages(options) : await options.select();
  const count = computePartitionCount({
    images: selection.images.length,
    imagesPerPartition: options.imagesPerPartition,
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
  });
  // A later version that only removes images plans no partition.
  const groups = selection.images.length === 0 ? [] : computePartitions(selection.images, count);
  // Shards first, under this plan's id; the index last, create-only: an interrupted plan write
  // leaves no index and is redone, and of two planners racing on one output exactly one wins.
  const planId = createPlanId();
  for (const [index, images] of groups.entries()) {
    const shard = {
      version: 1,
      planId,
      index,
      keys: images.map((image) => image.key),
      sizes: images.map((image) => image.size),
      tags: images.map((image) => image.tag),
    };
    await options.output.put(planShardKey(index, planId, version), encodeJson(shard));
  }
  const plan: PlanIndex = {
    version: 1,
    planId,
    inputUri: options.input.uri,
    outputUri: options.output.uri,
    format: options.format,
    model: { ...options.model },
    ...(version === 0 ? {} : { tableVersion: version }),
    ...(selection.changes === undefined ? {} : { changes: selection.changes }),
    listed: selection.listed,
    images: selection.images.length,
    skipped: selection.skipped,
    partitions: groups.map((images, index) => ({ index, images: images.length })),
    createdAt: (options.now?.() ?? new Date()).toISOString(),
  };
  if (await options.output.putIfAbsent(indexKey, encodeJson(plan))) return { plan, created: true };
  // Another planner created the index first: use its plan when it plans the same job (or fail
  // with FJ_PLAN_MISMATCH), and remove the shards of ours that no index names.
  const winner = await readJson(options.output, indexKey, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
  await Promise.all(groups.map((_, index) => options.output.delete(planShardKey(index, planId, version))));
  assertPlanMatches(winner, options);
  return { plan: winner, created: false };
}

/** The first version's selection: every image of the input; none is an error (FJ_NO_INPUT_IMAGES). */
async function selectAllImages(options: EnsurePlanOptions): Promise<PlanSelection> {
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
  return listing;
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
  plan: Pick<PlanIndex, 'planId' | 'tableVersion'>,
  index: number,
): Promise<string[]> {
  return (await readPlannedImages(output, plan, index)).map((image) => image.key);
}

/** Partition `index` of `plan` with each image's listed size and content tag where the plan has them. */
export async function readPlannedImages(
  output: ObjectStore,
  plan: Pick<PlanIndex, 'planId' | 'tableVersion'>,
  index: number,
): Promise<PlannedImage[]> {
  const key = planShardKey(index, plan.planId, plan.tableVersion ?? 0);
  const shard = await readJson(output, key, PlanShardSchema, { code: 'FJ_PLAN_MISMATCH' });
  if (shard.index !== index || shard.planId !== plan.planId) {
    throw new FeatureJobError(
      'FJ_PLAN_MISMATCH',
      `${output.uriOf(key)} holds partition ${shard.index} of plan ${shard.planId ?? '(none)'}`,
    );
  }
  return shard.keys.map((imageKey, position) => ({
    key: imageKey,
    ...(shard.sizes === undefined ? {} : { size: shard.sizes[position] as number }),
    ...(shard.tags === undefined ? {} : { tag: shard.tags[position] as string }),
  }));
}

/** The plan index of table version `version` (default 0), or undefined before the planner has written it. */
export function readPlanIndex(output: ObjectStore, version = 0): Promise<PlanIndex | undefined> {
  return readJsonIfExists(output, planIndexKey(version), PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
}
