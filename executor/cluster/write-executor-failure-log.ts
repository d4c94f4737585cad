/**
 * A failed executor task leaves the tail of its log in the output before it exits
 * (docs/reliability.md, "Logs outlive pods"): `_featurejob/logs/part-NNNNN-<attempt>.log`
 * for an extract attempt, `<task>[-part-NNNNN]-<attempt>.log` for the plan and PCA tasks.
 * Settings too broken to name an output leave no log (the termination message still says why).
 */
import type { LogTail } from '../log/log-tail.js';
import type { Logger } from '../log/logger.js';
import { writeLogTail } from '../log/write-log-tail.js';
import { partitionLogKey, taskLogKey } from '../plan/partition-naming.js';
import { openOneStore } from '../storage/open-stores.js';
import { EXECUTOR_MODES, parseCompletionIndex, parseExecutorConfig, type ExecutorMode } from './run-executor.js';

const UNINDEXED_MODES: ReadonlySet<string> = new Set(['plan', 'pca-fit']);

/** The key of a failed task's log, or undefined when the mode or the settings are not usable. */
export function computeExecutorLogKey(
  mode: string | undefined,
  env: NodeJS.ProcessEnv,
  attempt: string,
): string | undefined {
  if (!EXECUTOR_MODES.includes(mode as ExecutorMode)) return undefined;
  if (UNINDEXED_MODES.has(mode as string)) return taskLogKey(mode as string, attempt);
  let index: number;
  try {
    index = parseCompletionIndex(env);
  } catch {
    return taskLogKey(mode as string, attempt);
  }
  return mode === 'extract' ? partitionLogKey(index, attempt) : taskLogKey(mode as string, attempt, index);
}

/** Writes the tail; its URI, or undefined when there was nowhere (or no way) to write it. */
export async function writeExecutorFailureLog(options: {
  readonly mode: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly attempt: string;
  readonly tail: LogTail;
  readonly logger: Logger;
}): Promise<string | undefined> {
  const key = computeExecutorLogKey(options.mode, options.env, options.attempt);
  if (key === undefined) return undefined;
  let output: ReturnType<typeof openOneStore>;
  try {
    const config = parseExecutorConfig(options.env);
    output = openOneStore(config.output, config);
  } catch {
    return undefined;
  }
  return writeLogTail({ output, key, tail: options.tail, logger: options.logger });
}
