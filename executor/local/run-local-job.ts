import type { RunConfig } from '../config/run-config.js';
import { readCommitMarker } from '../commit/commit-partition.js';
import { computeCommittedPrecision } from '../commit/committed-precision.js';
import { mergeManifest } from '../commit/merge-manifest.js';
import type { PrecisionModel } from '../model/ensure-int8-model.js';
import { defaultCacheDir, resolveModel, type ResolvedModel, type ResolveModelOptions } from '../model/resolve-model.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import type { PartitionOutcome } from '../pipeline/run-partition.js';
import type { RunSummaryInput } from '../progress/format-summary.js';
import { ProgressReporter } from '../progress/progress-reporter.js';
import { assertComponentsFit } from '../reduce/fit-pca.js';
import { isReduceComplete } from '../reduce/observe-reduce.js';
import { assertReducible } from '../reduce/reduce-manifest.js';
import { openStore } from '../storage/open-store.js';
import { openStores } from '../storage/open-stores.js';
import { planJob } from '../tasks/plan-job.js';
import { mapOrdered } from '../util/map-ordered.js';
import type { Logger } from '../log/logger.js';
import { chooseRunPrecision } from './choose-run-precision.js';
import { tablePrecision } from '../commit/commit-table-version.js';
import { runLocalReduce, type LocalReduceResult } from './run-local-reduce.js';
import type { TaskWorkerSettings } from './task-worker-settings.js';
import { runWorkerPool } from './worker-pool.js';

export interface LocalJobResult extends RunSummaryInput {
  readonly workerPeakRssBytes: number[];
  readonly workerLoadMs: number[];
  /** Set when `--pca` fitted (or refitted) PCA in this run. */
  readonly reduce?: LocalReduceResult;
}

export interface LocalJobOptions {
  readonly config: RunConfig;
  readonly logger: Logger;
  readonly progressStream?: NodeJS.WriteStream;
  readonly cacheDir?: string;
  readonly workerPath?: string;
  /** Told which model (and weights) the job uses, before any work starts. */
  readonly onModelResolved?: (model: ResolvedModel) => void;
  /** Told which precision runs (`--precision int8|auto`) and, for auto, why fp32 when it fell back. */
  readonly onPrecisionChosen?: (precision: PrecisionModel) => void;
  readonly onDownloadProgress?: ResolveModelOptions['onDownloadProgress'];
  readonly onStatus?: ResolveModelOptions['onStatus'];
}

/**
 * `featurejob run`: the embedded mode, the operator's sequence on one machine. Runs the plan
 * task, the extract task of every partition that has not committed (in worker processes, the
 * local counterpart of executor pods, retried by the pool), merges the manifest, and with
 * `--pca` the PCA tasks. The tasks are those of executor/tasks/; this driver only schedules.
 */
export async function runLocalJob(options: LocalJobOptions): Promise<LocalJobResult> {
  const { config, logger } = options;
  const started = performance.now();
  // One lazily created S3 client for the input, the output and s3:// weights alike.
  const { input, output, s3Client } = openStores(config);
  const model = await resolveModel({
    weights: config.weights,
    seed: config.seed,
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    openStore: (location) => openStore(location, { s3Client }),
    ...(options.onDownloadProgress === undefined ? {} : { onDownloadProgress: options.onDownloadProgress }),
    ...(options.onStatus === undefined ? {} : { onStatus: options.onStatus }),
  });
  options.onModelResolved?.(model);
  const pca = config.pca === undefined ? undefined : { components: config.pca, whiten: config.whiten };
  if (pca !== undefined) assertComponentsFit(pca.components, Number.MAX_SAFE_INTEGER, model.info.dimensions);
  const { plan, upToDate, table } = await planJob({
    stores: { input, output },
    config,
    model: model.info,
    logger,
    full: config.full,
    pca: pca !== undefined,
  });
  if (upToDate !== undefined && (pca === undefined || isReduceComplete(upToDate, pca))) {
    return {
      manifest: upToDate,
      manifestUri: output.uriOf('manifest.json'),
      partitionsRun: 0,
      imagesRun: 0,
      wallMs: performance.now() - started,
      firstImageMs: undefined,
      workerPeakRssBytes: [],
      workerLoadMs: [],
      retries: 0,
      upToDate: true,
    };
  }
  const version = plan.tableVersion ?? 0;
  if (pca !== undefined) assertComponentsFit(pca.components, plan.images, model.info.dimensions);
  // The committed markers, read before anything runs: what is left to do, and the precision
  // the committed partitions were made with, which this run must not mix with another.
  const pending: number[] = [];
  const committedMarkers: CommitMarker[] = [];
  for await (const [position, marker] of mapOrdered(
    plan.partitions,
    16,
    async (p, i) => [i, await readCommitMarker(output, p.index, version)] as const,
  )) {
    if (marker === undefined) pending.push(plan.partitions[position]?.index ?? position);
    else committedMarkers.push(marker);
  }
  const chosen = await chooseRunPrecision({
    config,
    model,
    plan,
    input,
    output,
    // A later version's partitions must match the table's precision as its earlier files do.
    committed:
      computeCommittedPrecision(committedMarkers, output.uri) ??
      (table === undefined ? undefined : { precision: tablePrecision(table), partitions: table.files }),
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    onStatus: options.onStatus,
  });
  if (chosen.record !== undefined) options.onPrecisionChosen?.(chosen);

  const imagesRun = pending.reduce((sum, index) => sum + (plan.partitions[index]?.images ?? 0), 0);
  const progress = new ProgressReporter({
    mode: config.progress,
    total: imagesRun,
    stream: options.progressStream ?? process.stderr,
  });
  let retries = 0;
  const pool = await runWorkerPool<TaskWorkerSettings, PartitionOutcome>({
    workers: config.workers,
    maxAttempts: config.maxAttempts,
    partitions: pending,
    settings: {
      mode: 'extract',
      stores: {
        input: input.uri,
        output: output.uri,
        ...(config.s3Endpoint === undefined ? {} : { s3Endpoint: config.s3Endpoint }),
        ...(config.region === undefined ? {} : { region: config.region }),
      },
      config: {
        format: config.format,
        threads: config.threads,
        batchSize: config.batchSize,
        fetchConcurrency: config.fetchConcurrency,
        maxPixels: config.maxPixels,
        maxObjectBytes: config.maxObjectBytes,
        decodeBudgetBytes: config.decodeBudgetBytes,
        memoryLimitBytes: config.workerMemoryBytes,
        ...(pca === undefined ? {} : { pca }),
      },
      model: { path: chosen.path, info: chosen.info, precision: chosen.precision },
      ...(version === 0 ? {} : { version }),
    },
    onProgress: ({ index, done, failed }) => progress.update(index, done, failed),
    onOutcome: (index, outcome) =>
      progress.update(index, outcome.marker.rows + outcome.marker.failed, outcome.marker.failed),
    onRetry: ({ index, attempt, error }) => {
      retries += 1;
      progress.update(index, 0, 0);
      logger.warn(
        { partition: index, attempt, code: error.code, error: error.message, log: error.logUri },
        'partition attempt failed, retrying',
      );
    },
    ...(options.workerPath === undefined ? {} : { workerPath: options.workerPath }),
  });
  if (pending.length > 0) progress.finish();
  const merged = await mergeManifest({
    output,
    plan,
    ...(chosen.record === undefined ? {} : { precision: chosen.record }),
  });
  const extractionMs = performance.now() - started;
  let manifest = merged.manifest;
  let reduce: LocalReduceResult | undefined;
  if (pca !== undefined && !isReduceComplete(manifest, pca)) {
    assertReducible(manifest, pca.components);
    reduce = await runLocalReduce({
      output,
      ...pca,
      workers: config.workers,
      threads: config.threads,
      maxAttempts: config.maxAttempts,
      logger,
      ...(config.s3Endpoint === undefined ? {} : { s3Endpoint: config.s3Endpoint }),
      ...(config.region === undefined ? {} : { region: config.region }),
      onPhase: (phase, detail) => logger.info({ phase, detail }, `PCA ${phase}`),
    });
    manifest = reduce.manifest;
  }
  return {
    ...(reduce === undefined ? {} : { reduce }),
    manifest,
    manifestUri: output.uriOf('manifest.json'),
    partitionsRun: pending.length,
    imagesRun,
    wallMs: extractionMs,
    firstImageMs: progress.firstImageAt,
    workerPeakRssBytes: pool.peakRssBytes,
    workerLoadMs: pool.loadMs,
    retries,
  };
}
