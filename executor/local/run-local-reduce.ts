/**
 * PCA over a finished output, locally (`featurejob reduce`, `featurejob run --pca`): check
 * the request against the manifest before writing anything, make sure every partition's
 * statistics exist (first pass, in worker processes), merge them one file at a time, fit
 * exactly, write pca/model.json, project every partition (second pass, in worker processes),
 * and last add the `pca` block to manifest.json.
 */
import type { Logger } from '../log/logger.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import { fitPca } from '../reduce/fit-pca.js';
import { mergeStatistics } from '../reduce/merge-statistics.js';
import { encodePcaModel, type PcaModel } from '../reduce/pca-model.js';
import type { ReducedShard } from '../reduce/project-partition.js';
import type { GroupStatisticsSummary } from '../reduce/partition-statistics.js';
import { assertReducible, ensureManifestPca, readManifestForReduce } from '../reduce/reduce-manifest.js';
import { groupPartitionsForStatistics } from '../reduce/statistics-groups.js';
import { deleteStaleStatistics } from '../reduce/statistics-keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ReduceTaskResult, ReduceWorkerSettings } from './reduce-worker-messages.js';
import { runWorkerPool } from './worker-pool.js';
import { fileURLToPath } from 'node:url';

// Kept here for the callers that import them from the local runner.
export { assertReducible, readManifestForReduce };

const reduceWorkerPath = fileURLToPath(new URL('./reduce-worker-main.js', import.meta.url));

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
  const dimensions = manifest.model.dimensions;
  const groups = groupPartitionsForStatistics(manifest.partitions, dimensions);
  const pool = <T extends ReduceTaskResult>(task: ReduceWorkerSettings['task'], partitions: number[]) =>
    runWorkerPool<ReduceWorkerSettings, ReduceTaskResult>({
      workers: options.workers,
      maxAttempts: options.maxAttempts,
      partitions,
      settings: {
        output: output.uri,
        task,
        threads: options.threads,
        dimensions,
        groups: task === 'statistics' ? groups.map((group) => group.partitions) : [],
        ...(options.s3Endpoint === undefined ? {} : { s3Endpoint: options.s3Endpoint }),
        ...(options.region === undefined ? {} : { region: options.region }),
      },
      workerPath: reduceWorkerPath,
      onRetry: ({ index, attempt, error }) => logger.warn({ partition: index, attempt, code: error.code, error: error.message }, `PCA ${task} attempt failed, retrying`),
    }).then((result) => ({ ...result, outcomes: result.outcomes as ReadonlyMap<number, T> }));

  options.onPhase?.('statistics', `${groups.length} statistics files over ${manifest.partitions.length} partitions`);
  let started = performance.now();
  const groupIndexes = groups.map((_, index) => index);
  const statisticsPool = await pool<Extract<ReduceTaskResult, { task: 'statistics' }>>('statistics', groupIndexes);
  const summaries: GroupStatisticsSummary[] = groupIndexes.map((index) => statisticsPool.outcomes.get(index)!.summary);
  const statisticsMs = performance.now() - started;
  await deleteStaleStatistics(output, summaries.map((summary) => summary.key));

  options.onPhase?.('fit', `${manifest.images.succeeded} rows × ${manifest.model.dimensions} dimensions, K = ${options.components}`);
  started = performance.now();
  const statistics = await mergeStatistics(output, summaries.map((summary) => summary.key));
  const model = fitPca(statistics, { components: options.components, whiten: options.whiten });
  const fitMs = performance.now() - started;
  const fitRss = process.resourceUsage().maxRSS * 1024;
  await output.put(PCA_MODEL_KEY, encodePcaModel(model));

  const all = manifest.partitions.map((partition) => partition.index);
  options.onPhase?.('project', `${all.length} partitions`);
  started = performance.now();
  const projectPool = await pool<Extract<ReduceTaskResult, { task: 'project' }>>('project', all);
  const shards: ReducedShard[] = all.map((index) => projectPool.outcomes.get(index)!.shard);
  const projectMs = performance.now() - started;

  const updated = await ensureManifestPca({ output, manifest, model, shards });
  return {
    manifest: updated,
    model,
    statisticsComputed: summaries.filter((summary) => summary.computed).length,
    statisticsFiles: summaries.length,
    timings: { statisticsMs, fitMs, projectMs },
    peakRssBytes: { statistics: Math.max(0, ...statisticsPool.peakRssBytes), fit: fitRss, project: Math.max(0, ...projectPool.peakRssBytes) },
  };
}
