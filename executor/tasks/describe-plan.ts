/**
 * `featurejob plan`: what `featurejob run` would do on this input and output, computed the
 * way the run computes it (the same exclusion, the same diff against the latest version's
 * image index) and writing nothing. The estimate divides the images to process by the
 * throughput of the latest version's run: its images over the time from its plan to its last
 * commit marker.
 */
import { readCommitMarker } from '../commit/commit-partition.js';
import { computePartitionCount } from '../plan/compute-partitions.js';
import { readPlanIndex } from '../plan/ensure-plan.js';
import { listInput } from '../plan/list-input.js';
import { versionManifestKey } from '../plan/partition-naming.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import { ManifestSchema } from '../output/manifest-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readJson } from '../storage/read-json.js';
import { diffListing } from '../table/diff-listing.js';
import { readImageIndex } from '../table/image-index.js';
import { readLatestTableVersion } from '../table/read-delta-log.js';
import { mapOrdered } from '../util/map-ordered.js';
import type { PlanDescriptionView as PlanDescription } from '../progress/format-plan-description.js';
import { computePlanExclusion, type PlanJobConfig } from './plan-job.js';

export type { PlanDescriptionView as PlanDescription } from '../progress/format-plan-description.js';

export async function describePlan(options: {
  readonly stores: { readonly input: ObjectStore; readonly output: ObjectStore };
  readonly config: PlanJobConfig;
  readonly full?: boolean;
}): Promise<PlanDescription> {
  const { stores, config } = options;
  const excludePrefix = computePlanExclusion(config);
  const latest = config.format === 'parquet' ? await readLatestTableVersion(stores.output) : undefined;
  const version = latest === undefined ? 0 : latest + 1;
  const interrupted = await readPlanIndex(stores.output, version);
  const rate = latest === undefined ? undefined : await measureThroughput(stores.output, latest);
  const withEstimate = (description: PlanDescription): PlanDescription =>
    rate === undefined || description.images === 0
      ? description
      : { ...description, imagesPerSecond: rate, estimateSeconds: description.images / rate };
  if (interrupted !== undefined) {
    const remaining = await countUncommitted(stores.output, interrupted, version);
    return withEstimate({ action: 'resume', version, ...remaining });
  }
  const listing = await listInput(stores.input, excludePrefix === undefined ? {} : { excludePrefix });
  const partitionsOf = (images: number): number =>
    images === 0
      ? 0
      : computePartitionCount({
          images,
          imagesPerPartition: config.imagesPerPartition,
          ...(config.partitions === undefined ? {} : { partitions: config.partitions }),
        });
  if (latest === undefined) {
    const images = listing.images.length;
    return { action: 'first-version', version, images, partitions: partitionsOf(images), listed: listing.listed };
  }
  const current = await readJson(stores.output, versionManifestKey(latest), ManifestSchema, {
    code: 'FJ_TABLE_INVALID',
  });
  const previous = await readImageIndex(stores.output, latest, current.table?.indexShards ?? 1);
  const diff = diffListing(previous, listing.images, { full: options.full === true });
  const images = diff.planned.length;
  if (images === 0 && diff.removed.length === 0) {
    return {
      action: 'up-to-date',
      version: latest,
      images: 0,
      partitions: 0,
      listed: listing.listed,
      changes: diff.changes,
    };
  }
  return withEstimate({
    action: 'new-version',
    version,
    images,
    partitions: partitionsOf(images),
    listed: listing.listed,
    changes: diff.changes,
  });
}

async function countUncommitted(
  output: ObjectStore,
  plan: PlanIndex,
  version: number,
): Promise<{ images: number; partitions: number }> {
  let images = 0;
  let partitions = 0;
  for await (const [partition, marker] of mapOrdered(
    plan.partitions,
    16,
    async (p) => [p, await readCommitMarker(output, p.index, version)] as const,
  )) {
    if (marker !== undefined) continue;
    images += partition.images;
    partitions += 1;
  }
  return { images, partitions };
}

/** Images per second of version `version`'s run, from its plan's time to its last commit; undefined if unknown. */
async function measureThroughput(output: ObjectStore, version: number): Promise<number | undefined> {
  const plan = await readPlanIndex(output, version);
  if (plan === undefined || plan.images === 0) return undefined;
  let last = 0;
  for await (const marker of mapOrdered(plan.partitions, 16, (p) => readCommitMarker(output, p.index, version))) {
    if (marker !== undefined) last = Math.max(last, Date.parse(marker.committedAt));
  }
  const seconds = (last - Date.parse(plan.createdAt)) / 1000;
  return seconds > 0 ? plan.images / seconds : undefined;
}
