/**
 * PCA over a finished output, locally (`featurejob reduce`, `featurejob run --pca`): the
 * operator's sequence, with worker processes for pods. Check the request against the manifest
 * before writing anything, then run the tasks of executor/tasks/run-reduce-task.ts: every
 * statistics group, the fit, every partition's projection, and last finishReduce, which adds
 * the `pca` block to manifest.json. The tasks are idempotent, so a rerun that changes nothing
 * keeps the model and its projection markers and writes nothing.
 */
import type { Logger } from '../log/logger.js';
import type { Manifest } from '../output/manifest-schema.js';
import { finishReduce } from '../reduce/finish-reduce.js';
import { computeReduceTaskCounts } from '../reduce/observe-reduce.js';
import type { PcaModel } from '../reduce/pca-model.js';
import { assertReducible, readManifestForReduce } from '../reduce/reduce-manifest.js';
import { readStoredPcaModel } from '../reduce/stored-pca-model.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { PcaStatisticsResult } from '../tasks/ensure-pca-statistics.js';
import type { ReduceMode, ReduceTaskResult } from '../tasks/run-reduce-task.js';
import type { TaskWorkerSettings } from './task-worker-settings.js';
import { runWorkerPool, type WorkerPoolResult } from './worker-pool.js';

export interface LocalReduceOptions {
  readonly output: ObjectStore;
  readonly s3Endpoint?: string;
  readonly region?: string;
  readonly components: number;
  readonly whiten: boolean;
  readonly workers: number;
  readonly threads: number;
  readonly maxAttempts: number;
  readonly logger: Logger;
  /** Told when each phase starts, for progress lines. */
  readonly onPhase?: (phase: 'statistics' | 'fit' | 'project', detail: string) => void;
}

export interface LocalReduceResult {
  readonly manifest: Manifest;
  readonly model: PcaModel;
  /** Statistics files computed from shards by this run (the others were written during extraction or an earlier run). */
  readonly statisticsComputed: number;
  readonly statisticsFiles: number;
  readonly timings: { readonly statisticsMs: number; readonly fitMs: number; readonly projectMs: number };
  readonly peakRssBytes: { readonly statistics: number; readonly fit: number; readonly project: number };
}

export async function runLocalReduce(options: LocalReduceOptions): Promise<LocalReduceResult> {
  const { output, logger } = options;
  const manifest = await readManifestForReduce(output);
  assertReducible(manifest, options.components);
  const pca = { components: options.components, whiten: options.whiten };
  const counts = computeReduceTaskCounts(manifest);
  const run = async (
    mode: ReduceMode,
    tasks: number,
  ): Promise<{ pool: WorkerPoolResult<ReduceTaskResult>; results: ReduceTaskResult[]; ms: number }> => {
    const started = performance.now();
    const indexes = Array.from({ length: tasks }, (_, index) => index);
    const pool = await runWorkerPool<TaskWorkerSettings, ReduceTaskResult>({
      workers: options.workers,
      maxAttempts: options.maxAttempts,
      partitions: indexes,
      settings: {
        mode,
        stores: {
          output: output.uri,
          ...(options.s3Endpoint === undefined ? {} : { s3Endpoint: options.s3Endpoint }),
          ...(options.region === undefined ? {} : { region: options.region }),
        },
        config: { pca, threads: options.threads },
      },
      onRetry: ({ index, attempt, error }) =>
        logger.warn(
          { mode, task: index, attempt, code: error.code, error: error.message, log: error.logUri },
          'PCA task attempt failed, retrying',
        ),
    });
    return { pool, results: indexes.map((index) => pool.outcomes.get(index)!), ms: performance.now() - started };
  };

  options.onPhase?.(
    'statistics',
    `${counts.statisticsGroups} statistics files over ${manifest.partitions.length} partitions`,
  );
  const statistics = await run('pca-statistics', counts.statisticsGroups);
  const summaries = statistics.results as PcaStatisticsResult[];

  options.onPhase?.(
    'fit',
    `${manifest.images.succeeded} rows × ${manifest.model.dimensions} dimensions, K = ${options.components}`,
  );
  const fit = await run('pca-fit', 1);

  options.onPhase?.('project', `${counts.partitions} partitions`);
  const project = await run('pca-project', counts.partitions);

  const updated = await finishReduce({ output, ...pca });
  // finishReduce has checked that the stored model is this fit.
  const model = (await readStoredPcaModel(output))!.model;
  const peak = (pool: WorkerPoolResult<unknown>): number => Math.max(0, ...pool.peakRssBytes);
  return {
    manifest: updated,
    model,
    statisticsComputed: summaries.filter((summary) => summary.computed).length,
    statisticsFiles: summaries.length,
    timings: { statisticsMs: statistics.ms, fitMs: fit.ms, projectMs: project.ms },
    peakRssBytes: { statistics: peak(statistics.pool), fit: peak(fit.pool), project: peak(project.pool) },
  };
}
