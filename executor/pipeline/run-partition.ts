import type { OutputFormat } from '../config/run-config.js';
import { describeMemoryShortfall, estimateWorkerMemory } from '../config/worker-memory.js';
import { commitPartition, readCommitMarker, type CommitOutcome } from '../commit/commit-partition.js';
import type { ModelRunner } from '../model/model-runner.js';
import { encodeCsvShard } from '../output/csv-shard.js';
import { encodeErrorLines } from '../output/error-record.js';
import { labelOf, type FeatureRows } from '../output/feature-rows.js';
import { encodeParquetShard } from '../output/parquet-shard.js';
import type { ShardPrecision } from '../output/shard-precision.js';
import { FeatureJobError } from '../errors.js';
import { readPlanIndex, readPlannedImages } from '../plan/ensure-plan.js';
import { splitOversizedImages } from './split-oversized-images.js';
import { attemptErrorsKey, shardKey, statisticsKey } from '../plan/partition-naming.js';
import { computeRowStatistics, wantsOwnStatistics } from '../reduce/partition-statistics.js';
import { encodeStatisticsFile } from '../reduce/statistics-file.js';
import type { ObjectStore } from '../storage/object-store.js';
import { ByteBudget } from '../util/byte-budget.js';
import { extractFeatures, throwIfInterrupted, type ExtractOptions } from './extract-features.js';

export interface RunPartitionOptions {
  readonly index: number;
  /** The table version whose plan holds the partition (default 0). */
  readonly version?: number;
  readonly attempt: string;
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  readonly model: ModelRunner;
  /** What `model` computes in: recorded in the commit marker and the Parquet shard's metadata. */
  readonly precision: ShardPrecision;
  readonly format: OutputFormat;
  readonly batchSize: number;
  readonly fetchConcurrency: number;
  readonly decodeConcurrency: number;
  /** Bytes of full-resolution decodes held at once (a ByteBudget for the partition's run). */
  readonly decodeBudgetBytes: number;
  readonly maxPixels: number;
  /** Planned images larger than this (by listed size) are error lines, never fetched. */
  readonly maxObjectBytes?: number;
  /**
   * What this process may hold (the pod's memory limit, `--worker-memory`): a partition whose
   * rows, with the other settings, need more is refused with FJ_MEMORY_INSUFFICIENT before any
   * image is read. Unchecked when absent.
   */
  readonly memoryLimitBytes?: number;
  /**
   * When set, a partition large enough to deserve its own PCA statistics file (see
   * reduce/statistics-groups.ts) computes it with these threads and commits it with the shard.
   */
  readonly statisticsThreads?: number;
  readonly fetch?: ExtractOptions['fetch'];
  readonly onProgress?: ExtractOptions['onProgress'];
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export type PartitionOutcome =
  | CommitOutcome
  | {
      readonly outcome: 'already-committed';
      readonly marker: NonNullable<Awaited<ReturnType<typeof readCommitMarker>>>;
    };

/**
 * One partition, start to commit: the unit of work of a local worker and of an executor pod.
 * A partition that is already committed is never redone.
 */
export async function runPartition(options: RunPartitionOptions): Promise<PartitionOutcome> {
  const version = options.version ?? 0;
  const existing = await readCommitMarker(options.output, options.index, version);
  if (existing !== undefined) return { outcome: 'already-committed', marker: existing };

  const plan = await readPlanIndex(options.output, version);
  if (plan === undefined)
    throw new FeatureJobError('FJ_INVALID_CONFIG', `no plan under ${options.output.uri}: the planner has not run`);
  const images = await readPlannedImages(options.output, plan, options.index);
  assertPartitionFits(options, images.length);
  const { fetchable, oversized } = splitOversizedImages(images, options.maxObjectBytes);
  const fetched = await extractFeatures({
    input: options.input,
    keys: fetchable,
    model: options.model,
    batchSize: options.batchSize,
    fetchConcurrency: options.fetchConcurrency,
    decodeConcurrency: options.decodeConcurrency,
    decodeBudget: new ByteBudget(options.decodeBudgetBytes),
    maxPixels: options.maxPixels,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const extracted = { ...fetched, errors: [...oversized, ...fetched.errors] };
  const rows: FeatureRows = {
    paths: extracted.paths,
    labels: extracted.paths.map(labelOf),
    features: extracted.features,
    dimensions: options.model.info.dimensions,
  };
  const shard =
    options.format === 'csv'
      ? encodeCsvShard(rows, { header: true })
      : encodeParquetShard(rows, { precision: options.precision });
  const sideFiles =
    options.statisticsThreads === undefined || !wantsOwnStatistics(rows.paths.length, rows.dimensions)
      ? []
      : [
          {
            key: statisticsKey(options.index, options.attempt),
            body: encodeStatisticsFile(await computeRowStatistics(rows, options.statisticsThreads)),
          },
        ];
  // Interrupted before the first write of the commit: the attempt leaves no file behind. Once
  // the commit has begun it runs to its end (a few writes, well within the pod's grace period).
  throwIfInterrupted(options.signal);
  const failuresByCode: Record<string, number> = {};
  for (const record of extracted.errors) failuresByCode[record.code] = (failuresByCode[record.code] ?? 0) + 1;
  return commitPartition(options.output, {
    index: options.index,
    attempt: options.attempt,
    ...(plan.planId === undefined ? {} : { planId: plan.planId }),
    ...(version === 0 ? {} : { version }),
    shardKey: shardKey(options.index, options.attempt, options.format, version),
    shard,
    errorsKey: attemptErrorsKey(options.index, options.attempt, version),
    errorLines: encodeErrorLines(extracted.errors),
    rows: extracted.paths.length,
    failed: extracted.errors.length,
    failuresByCode,
    precision: options.precision,
    sideFiles,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

/**
 * The partition's real size is known only from its plan shard (with `--partitions` or
 * spec.partitions it is the input's size divided): checked here, before any fetch.
 */
function assertPartitionFits(options: RunPartitionOptions, images: number): void {
  if (options.memoryLimitBytes === undefined) return;
  const shortfall = describeMemoryShortfall(
    estimateWorkerMemory({
      batchSize: options.batchSize,
      imagesPerPartition: images,
      fetchConcurrency: options.fetchConcurrency,
      decodeBudgetBytes: options.decodeBudgetBytes,
      maxPixels: options.maxPixels,
      format: options.format,
      pca: options.statisticsThreads !== undefined,
    }),
    options.memoryLimitBytes,
    'the memory limit',
  );
  if (shortfall !== undefined)
    throw new FeatureJobError(
      'FJ_MEMORY_INSUFFICIENT',
      `partition ${options.index} has ${images} images: ${shortfall}; plan smaller partitions (a fresh output) or raise the memory limit`,
    );
}
