/**
 * The PCA tasks over a merged output: `pca-statistics` (one index per statistics group),
 * `pca-fit` (one task), `pca-project` (one index per manifest partition); finishReduce
 * (reduce/finish-reduce.ts) then writes the manifest's `pca` block. The operator runs them as
 * Jobs of `featurejob executor` pods, `featurejob reduce` and `run --pca` in local worker
 * processes: the same function behind both. Every task is idempotent, so a retried or repeated
 * one is harmless.
 */
import type { ExecutorConfig, PcaSettings } from '../config/executor-config.js';
import { EXECUTOR_CONFIG_ENV } from '../config/executor-config.js';
import { FeatureJobError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Manifest } from '../output/manifest-schema.js';
import { assertReducible, readManifestForReduce } from '../reduce/reduce-manifest.js';
import type { StoredPcaModel } from '../reduce/stored-pca-model.js';
import type { ObjectStore } from '../storage/object-store.js';
import { ensurePcaModel, type PcaFitResult } from './ensure-pca-model.js';
import { ensurePcaProjection, readProjectionModel, type PcaProjectResult } from './ensure-pca-projection.js';
import { ensurePcaStatistics, type PcaStatisticsResult } from './ensure-pca-statistics.js';

export const REDUCE_MODES = ['pca-statistics', 'pca-fit', 'pca-project'] as const;
export type ReduceMode = (typeof REDUCE_MODES)[number];

export type ReduceTaskResult = PcaStatisticsResult | PcaFitResult | PcaProjectResult;

/** What the PCA tasks read of the settings. */
export type ReduceTaskConfig = Pick<ExecutorConfig, 'pca' | 'threads'>;

/** What every task of one mode reads before its work: a process running many reads it once. */
export interface PreparedReduceTask {
  readonly pca: PcaSettings;
  readonly manifest: Manifest;
  /** For pca-project: the fitted model. */
  readonly model?: StoredPcaModel;
}

export function isReduceMode(mode: string): mode is ReduceMode {
  return (REDUCE_MODES as readonly string[]).includes(mode);
}

/** Whether the mode takes a task index (an Indexed Job's completion index). */
export function isIndexedReduceMode(mode: ReduceMode): boolean {
  return mode !== 'pca-fit';
}

/** The pca-* tasks cannot guess K: settings without `pca` are a bad configuration. */
export function requirePcaSettings(config: ReduceTaskConfig, mode: ReduceMode): PcaSettings {
  if (config.pca === undefined)
    throw new FeatureJobError(
      'FJ_INVALID_CONFIG',
      `${EXECUTOR_CONFIG_ENV} has no 'pca' settings, which '${mode}' needs`,
    );
  return config.pca;
}

/** Reads the manifest (and for pca-project the model) and refuses, before any work, a K the output cannot give. */
export async function prepareReduceTask(options: {
  readonly mode: ReduceMode;
  readonly config: ReduceTaskConfig;
  readonly output: ObjectStore;
}): Promise<PreparedReduceTask> {
  const { mode, output } = options;
  const pca = requirePcaSettings(options.config, mode);
  const manifest = await readManifestForReduce(output);
  // A K the output cannot give is terminal in every task.
  assertReducible(manifest, pca.components);
  if (mode !== 'pca-project') return { pca, manifest };
  return { pca, manifest, model: await readProjectionModel(output, manifest, pca) };
}

export async function runReduceTask(options: {
  readonly mode: ReduceMode;
  readonly config: ReduceTaskConfig;
  readonly output: ObjectStore;
  /** The task index, for the indexed modes. */
  readonly index?: number;
  /** From prepareReduceTask, when the caller runs several tasks of this mode; read here otherwise. */
  readonly prepared?: PreparedReduceTask;
  readonly logger: Logger;
  readonly now?: () => Date;
}): Promise<ReduceTaskResult> {
  const { mode, config, output, logger } = options;
  const { pca, manifest, model } = options.prepared ?? (await prepareReduceTask({ mode, config, output }));
  const index = (): number => {
    if (options.index === undefined)
      throw new FeatureJobError(
        'FJ_INVALID_CONFIG',
        `'${mode}' runs as an Indexed Job task and needs a completion index`,
      );
    return options.index;
  };
  if (mode === 'pca-statistics') {
    const result = await ensurePcaStatistics({ output, manifest, index: index(), threads: config.threads });
    logger.info(
      { group: result.index, partitions: result.partitions.length, rows: result.rows, computed: result.computed },
      'PCA statistics ready',
    );
    return result;
  }
  if (mode === 'pca-fit') return ensurePcaModel({ output, manifest, pca, threads: config.threads, logger });
  const result = await ensurePcaProjection({
    output,
    manifest,
    pca,
    index: index(),
    ...(model === undefined ? {} : { model }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  logger.info({ partition: result.partition, rows: result.rows, outcome: result.outcome }, 'PCA projection ready');
  return result;
}
