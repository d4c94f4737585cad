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
import { ensurePlan, readPlanIndex } from '../plan/ensure-plan.js';
import { listInput } from '../plan/list-input.js';
import { publishTableVersion } from '../commit/publish-table-version.js';
import { ManifestSchema, type Manifest, type ManifestTable } from '../output/manifest-schema.js';
import { MANIFEST_KEY, versionManifestKey } from '../plan/partition-naming.js';
import { readJson, readJsonIfExists } from '../storage/read-json.js';
import { diffListing } from '../table/diff-listing.js';
import { readImageIndex } from '../table/image-index.js';
import { readLatestTableVersion } from '../table/read-delta-log.js';
import { writeRemovedKeys } from '../table/removed-keys.js';
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
  /**
   * Whether a complete Parquet output gets a new table version with what changed
   * (docs/versions.md); false plans only version 0 (the operator's plan pods, until the
   * operator follows versions).
   */
  readonly versions?: boolean;
  /** `--full`: the new version processes every image again and replaces every earlier file. */
  readonly full?: boolean;
  /** `--pca`: PCA runs on version 0 only, so a later version is refused before anything is written. */
  readonly pca?: boolean;
  readonly now?: () => Date;
}

export interface PlanJobResult {
  /** The plan of the version this run brings the output to (the latest one when up to date). */
  readonly plan: PlanIndex;
  readonly created: boolean;
  /** Set when the table already holds every image as listed: nothing to do, nothing written. */
  readonly upToDate?: Manifest;
  /** The table as of the version before this plan's (a later version must match its precision). */
  readonly table?: ManifestTable;
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

/**
 * Returns the plan this run works on (see plan/ensure-plan.ts): version 0's on a new output;
 * an interrupted version's, to resume it; on a complete table, a new version's, planned from
 * the diff of a fresh listing against the latest version's image index (docs/versions.md,
 * "Diff rules"), or `upToDate` when nothing changed.
 */
export async function planJob(options: PlanJobOptions): Promise<PlanJobResult> {
  const { stores, config, logger } = options;
  const excludePrefix = computePlanExclusion(config);
  const base = {
    input: stores.input,
    output: stores.output,
    format: config.format,
    model: options.model,
    imagesPerPartition: config.imagesPerPartition,
    ...(config.partitions === undefined ? {} : { partitions: config.partitions }),
    ...(excludePrefix === undefined ? {} : { excludePrefix }),
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  const latest =
    options.versions === false || config.format !== 'parquet' ? undefined : await readLatestTableVersion(stores.output);
  if (latest === undefined) {
    if (options.versions !== false && config.format === 'parquet') await assertVersioned(stores.output);
    const { plan, created } = await ensurePlan(base);
    logger.info(
      { output: stores.output.uri, partitions: plan.partitions.length, images: plan.images, created },
      'plan ready',
    );
    return { plan, created };
  }
  const current = await readJson(stores.output, versionManifestKey(latest), ManifestSchema, {
    code: 'FJ_TABLE_INVALID',
  });
  await publishTableVersion(stores.output, current);
  assertSameTable(current, options, stores.output.uri);
  const version = latest + 1;
  const resumed = await readPlanIndex(stores.output, version);
  const refusePca = (): void => {
    if (options.pca === true) {
      throw new FeatureJobError(
        'FJ_PCA_ON_LATER_VERSION',
        `${stores.output.uri} is at version ${latest} and this run would make version ${version}: ` +
          'PCA runs on version 0 only; run without --pca to add the version',
      );
    }
  };
  if (resumed !== undefined) refusePca();
  const { plan, created } = await ensurePlan({
    ...base,
    version,
    select: async () => {
      const listing = await listInput(stores.input, excludePrefix === undefined ? {} : { excludePrefix });
      const previous = await readImageIndex(stores.output, latest, current.table?.indexShards ?? 1);
      const diff = diffListing(previous, listing.images, { full: options.full === true });
      if (diff.planned.length === 0 && diff.removed.length === 0) throw new UpToDate();
      refusePca();
      await writeRemovedKeys(stores.output, version, diff.removed);
      return { images: diff.planned, listed: listing.listed, skipped: listing.skipped, changes: diff.changes };
    },
  }).catch((error: unknown) => {
    if (error instanceof UpToDate) return { plan: undefined, created: false };
    throw error;
  });
  if (plan === undefined) {
    logger.info({ output: stores.output.uri, version: latest }, 'table up to date');
    const latestPlan = await readPlanIndex(stores.output, latest);
    if (latestPlan === undefined)
      throw new FeatureJobError('FJ_TABLE_INVALID', `the plan of version ${latest} of ${stores.output.uri} is missing`);
    // manifest.json carries what later steps added to this version (the pca block).
    const published = await readJsonIfExists(stores.output, MANIFEST_KEY, ManifestSchema, {
      code: 'FJ_MANIFEST_INVALID',
    });
    const upToDate = published?.table?.version === latest ? published : current;
    return { plan: latestPlan, created: false, upToDate, ...tableOf(current) };
  }
  logger.info(
    {
      output: stores.output.uri,
      version,
      partitions: plan.partitions.length,
      images: plan.images,
      created,
      resumed: resumed !== undefined,
    },
    'plan ready',
  );
  return { plan, created, ...tableOf(current) };
}

function tableOf(manifest: Manifest): { table?: ManifestTable } {
  return manifest.table === undefined ? {} : { table: manifest.table };
}

/** Thrown inside the selection when the listing matches the table: nothing is planned or written. */
class UpToDate extends Error {}

/**
 * A complete Parquet output without a Delta log was written before versions: a run cannot
 * tell what changed since, so it refuses instead of reporting nothing to do.
 */
async function assertVersioned(output: ObjectStore): Promise<void> {
  const manifest = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
  if (manifest !== undefined && manifest.table === undefined) {
    throw new FeatureJobError(
      'FJ_OUTPUT_NOT_VERSIONED',
      `${output.uri} is complete but holds no Delta table (written before table versions); use a new --out to process new images`,
    );
  }
}

/** A table never mixes features: the model (sha256), feature width and format must be the table's. */
function assertSameTable(current: Manifest, options: PlanJobOptions, uri: string): void {
  const mismatches: string[] = [];
  if (current.input.uri !== options.stores.input.uri)
    mismatches.push(`input ${current.input.uri} (this run: ${options.stores.input.uri})`);
  if (current.model.sha256 !== options.model.sha256) {
    mismatches.push(
      `model ${current.model.weights} sha256 ${current.model.sha256.slice(0, 12)} ` +
        `(this run: ${options.model.weights} sha256 ${options.model.sha256.slice(0, 12)})`,
    );
  }
  if (current.model.dimensions !== options.model.dimensions)
    mismatches.push(`${current.model.dimensions} dimensions (this run: ${options.model.dimensions})`);
  if (current.output.format !== options.config.format)
    mismatches.push(`format ${current.output.format} (this run: ${options.config.format})`);
  if (mismatches.length > 0) {
    throw new FeatureJobError(
      'FJ_TABLE_MISMATCH',
      `${uri} holds a table made with ${mismatches.join(', ')}; use the original settings or a new --out`,
    );
  }
}
