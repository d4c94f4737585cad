import { ExecutorExitCodes, computeExitCode } from '../cluster/executor-exit-codes.js';
import { EXECUTOR_MODES, runExecutor, type ExecutorMode } from '../cluster/run-executor.js';
import { writeTerminationMessage } from '../cluster/termination-message.js';
import { FeatureJobError, isFeatureJobError } from '../errors.js';
import { createLogger } from '../log/logger.js';

export const EXECUTOR_HELP = `Usage: featurejob executor plan|extract|pca-statistics|pca-fit|pca-project

The container entry point of the executor pods the operator starts (not meant to be run by
hand). Settings come from the environment:

  FEATUREJOB_EXECUTOR_CONFIG  JSON: input, output, format, weights, threads, batchSize, ...
  JOB_COMPLETION_INDEX        the task of an Indexed Job: the partition to extract or
                              project, or the PCA statistics group
  FEATUREJOB_CACHE            where models are built or cached (an emptyDir in the pod)
  AWS_*                       the standard S3 credential chain and endpoint

  plan     list the input and write the plan under the output (once per job)
  extract  extract and commit one partition (a committed partition is never redone); with
           'pca' in the settings, a large partition's PCA statistics are computed too

PCA over a merged output (needs 'pca': {components, whiten} in the settings; every task is
idempotent, a repeated one finds its work done and exits 0):
  pca-statistics  make sure one statistics group's file exists (Indexed, one per group)
  pca-fit         merge the statistics, fit K components, write pca/model.json (one pod)
  pca-project     project one manifest partition into pca/part-NNNNN.parquet (Indexed)

Exit codes: 0 done, 1 crashed (retried), 75 transient failure (retried),
78 bad configuration (never retried), 143 interrupted by SIGTERM before committing
(a disruption: retried, not counted). The failure's code is written as one JSON line to
the termination log (/dev/termination-log) and stderr.
`;

/** Runs one executor task; returns the process exit code (never throws). */
export async function executorCommand(args: string[]): Promise<number> {
  const [mode] = args;
  if (mode === '--help' || mode === '-h') {
    process.stdout.write(EXECUTOR_HELP);
    return 0;
  }
  const logger = createLogger({ level: process.env.FEATUREJOB_LOG_LEVEL ?? 'info', name: 'featurejob-executor' });
  try {
    if (!EXECUTOR_MODES.includes(mode as ExecutorMode)) {
      throw new FeatureJobError(
        'FJ_INVALID_ARGUMENT',
        `expected one of ${EXECUTOR_MODES.join(', ')}, got '${mode ?? ''}'`,
      );
    }
    // SIGTERM (pod deletion, drain, preemption): stop fetching and exit before committing, so
    // the attempt leaves nothing behind and exits with the code the pod failure policy ignores.
    const interrupt = new AbortController();
    process.once('SIGTERM', () => {
      logger.warn({ mode }, 'SIGTERM: stopping before commit');
      interrupt.abort();
    });
    const result = await runExecutor({
      mode: mode as ExecutorMode,
      env: process.env,
      logger,
      signal: interrupt.signal,
    });
    const printed =
      result.mode === 'plan'
        ? {
            mode: 'plan',
            images: result.plan.images,
            partitions: result.plan.partitions.length,
            created: result.created,
          }
        : result;
    process.stdout.write(`${JSON.stringify(printed)}\n`);
    return ExecutorExitCodes.ok;
  } catch (error) {
    if (isFeatureJobError(error)) {
      writeTerminationMessage({ code: error.code, reason: error.reason, message: error.message });
      return error.code === 'FJ_INVALID_ARGUMENT' ? ExecutorExitCodes.badConfiguration : computeExitCode(error);
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    writeTerminationMessage({ code: 'FJ_EXECUTOR_CRASHED', reason: 'ExecutorCrashed', message });
    return ExecutorExitCodes.crashed;
  }
}
