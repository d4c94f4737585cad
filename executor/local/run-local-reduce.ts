/**
 * PCA over a finished output, locally (`featurejob reduce`, `featurejob run --pca`): check
 * the request against the manifest before writing anything, make sure every partition's
 * statistics exist (first pass, in worker processes), merge them one file at a time, fit
 * exactly, write pca/model.json, project every partition (second pass, in worker processes),
 * and last add the `pca` block to manifest.json.
 */
import { FeatureJobError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { ManifestSchema, parseManifest, type Manifest } from '../output/manifest-schema.js';
import { MANIFEST_KEY, PCA_MODEL_KEY, PCA_STATISTICS_PREFIX } from '../plan/partition-naming.js';
import { assertComponentsFit, fitPca } from '../reduce/fit-pca.js';
import { mergeStatistics } from '../reduce/merge-statistics.js';
import { encodePcaModel, type PcaModel } from '../reduce/pca-model.js';
import type { ReducedShard } from '../reduce/project-partition.js';
import type { GroupStatisticsSummary } from '../reduce/partition-statistics.js';
import { groupPartitionsForStatistics } from '../reduce/statistics-groups.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';
import type { ReduceTaskResult, ReduceWorkerSettings } from './reduce-worker-messages.js';
import { runWorkerPool } from './worker-pool.js';
import { fileURLToPath } from 'node:url';

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

/** Reads manifest.json; a missing one means extraction has not finished. */
export async function readManifestForReduce(output: ObjectStore): Promise<Manifest> {
  const manifest = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
  if (manifest === undefined) {
    throw new FeatureJobError('FJ_PCA_NO_SHARDS', `${output.uriOf(MANIFEST_KEY)} does not exist: run 'featurejob run <input> --out ${output.uri}' first`);
  }
  return manifest;
}

/** Throws before any work when the output cannot give K components. */
export function assertReducible(manifest: Manifest, components: number): void {
  if (manifest.images.succeeded === 0 || manifest.partitions.length === 0) {
    throw new FeatureJobError('FJ_PCA_NO_SHARDS', `${manifest.output.uri} has no committed feature rows to fit PCA on`);
  }
  assertComponentsFit(components, manifest.images.succeeded, manifest.model.dimensions);
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
  await deleteStaleStatistics(output, new Set(summaries.map((summary) => summary.key)));

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

  const updated = parseManifest({
    ...manifest,
    pca: {
      components: model.components,
      whiten: model.whiten,
      rows: model.rows,
      dimensions: model.dimensions,
      modelUri: output.uriOf(PCA_MODEL_KEY),
      explainedVariance: Math.min(1, model.explainedVarianceRatio.reduce((a, b) => a + b, 0)),
      partitions: shards,
      fittedAt: new Date().toISOString(),
    },
  });
  await output.put(MANIFEST_KEY, encodeJson(updated));
  return {
    manifest: updated,
    model,
    statisticsComputed: summaries.filter((summary) => summary.computed).length,
    statisticsFiles: summaries.length,
    timings: { statisticsMs, fitMs, projectMs },
    peakRssBytes: { statistics: Math.max(0, ...statisticsPool.peakRssBytes), fit: fitRss, project: Math.max(0, ...projectPool.peakRssBytes) },
  };
}

/** Statistics of earlier groupings or of attempts that lost: never read again. */
async function deleteStaleStatistics(output: ObjectStore, keep: ReadonlySet<string>): Promise<void> {
  for await (const object of output.list(PCA_STATISTICS_PREFIX)) {
    if (!keep.has(object.key)) await output.delete(object.key);
  }
}
