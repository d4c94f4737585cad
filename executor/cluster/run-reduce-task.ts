/**
 * The PCA tasks of `featurejob executor`, run by the operator as Jobs once manifest.json is
 * merged: `pca-statistics` (Indexed, one index per statistics group), `pca-fit` (one pod),
 * `pca-project` (Indexed, one index per manifest partition); finishReduce then writes the
 * manifest's `pca` block. Every task is idempotent, so a retried or repeated pod is harmless.
 */
import type { ExecutorConfig, PcaSettings } from '../config/executor-config.js';
import { EXECUTOR_CONFIG_ENV } from '../config/executor-config.js';
import { FeatureJobError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { assertReducible, readManifestForReduce } from '../reduce/reduce-manifest.js';
import type { ObjectStore } from '../storage/object-store.js';
import { runPcaFit, type PcaFitResult } from './run-pca-fit.js';
import { runPcaProject, type PcaProjectResult } from './run-pca-project.js';
import { runPcaStatistics, type PcaStatisticsResult } from './run-pca-statistics.js';

export const REDUCE_MODES = ['pca-statistics', 'pca-fit', 'pca-project'] as const;
export type ReduceMode = (typeof REDUCE_MODES)[number];

export type ReduceExecutorResult = PcaStatisticsResult | PcaFitResult | PcaProjectResult;

export function isReduceMode(mode: string): mode is ReduceMode {
  return (REDUCE_MODES as readonly string[]).includes(mode);
}

/** Whether the mode takes JOB_COMPLETION_INDEX (an Indexed Job's task). */
export function isIndexedReduceMode(mode: ReduceMode): boolean {
  return mode !== 'pca-fit';
}

/** The pca-* tasks cannot guess K: settings without `pca` are a bad configuration. */
export function requirePcaSettings(config: ExecutorConfig, mode: ReduceMode): PcaSettings {
  if (config.pca === undefined) throw new FeatureJobError('FJ_INVALID_CONFIG', `${EXECUTOR_CONFIG_ENV} has no 'pca' settings, which '${mode}' needs`);
  return config.pca;
}

export async function runReduceTask(options: {
  readonly mode: ReduceMode;
  readonly config: ExecutorConfig;
  readonly output: ObjectStore;
  /** The completion index, for the Indexed tasks. */
  readonly index?: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}): Promise<ReduceExecutorResult> {
  const { mode, config, output, logger } = options;
  const pca = requirePcaSettings(config, mode);
  const manifest = await readManifestForReduce(output);
  // A K the output cannot give is terminal in every task, before any work.
  assertReducible(manifest, pca.components);
  const index = (): number => {
    if (options.index === undefined) throw new FeatureJobError('FJ_INVALID_CONFIG', `'${mode}' runs as an Indexed Job task and needs a completion index`);
    return options.index;
  };
  if (mode === 'pca-statistics') {
    const result = await runPcaStatistics({ output, manifest, pca, index: index(), threads: config.threads });
    logger.info({ group: result.index, partitions: result.partitions.length, rows: result.rows, computed: result.computed }, 'PCA statistics ready');
    return result;
  }
  if (mode === 'pca-fit') return runPcaFit({ output, manifest, pca, threads: config.threads, logger });
  const result = await runPcaProject({ output, manifest, pca, index: index(), ...(options.now === undefined ? {} : { now: options.now }) });
  logger.info({ partition: result.partition, rows: result.rows, outcome: result.outcome }, 'PCA projection ready');
  return result;
}
