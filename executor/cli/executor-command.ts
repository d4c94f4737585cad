import { ExecutorExitCodes, computeExitCode } from '../cluster/executor-exit-codes.js';
import { EXECUTOR_MODES, runExecutor, type ExecutorMode } from '../cluster/run-executor.js';
import { MAX_TERMINATION_LOG_LINES, writeTerminationMessage } from '../cluster/termination-message.js';
import { writeExecutorFailureLog } from '../cluster/write-executor-failure-log.js';
import { createAttemptId } from '../commit/attempt-id.js';
import { FeatureJobError, isFeatureJobError } from '../errors.js';
import { LogTail } from '../log/log-tail.js';
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
(a disruption: retried, not counted). A failed task first writes the end of its log to
<output>/_featurejob/logs/ (part-NNNNN-<attempt>.log for extract); the failure's code and
that log's URI are written as one JSON line to the termination log (/dev/termination-log)
and stderr.
`;

/** Runs one executor task; returns the process exit code (never throws). */
export async function executorCommand(args: string[]): Promise<number> {
  const [mode] = args;
  if (mode === '--help' || mode === '-h') {
    process.stdout.write(EXECUTOR_HELP);
    return 0;
  }
  const tail = new LogTail();
  const logger = createLogger({
    level: process.env.FEATUREJOB_LOG_LEVEL ?? 'info',
    name: 'featurejob-executor',
    tail,
  });
  const attempt = createAttemptId();
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
      attempt,
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
    const failure = isFeatureJobError(error)
      ? { code: error.code, reason: error.reason, message: error.message }
      : {
          code: 'FJ_EXECUTOR_CRASHED',
          reason: 'ExecutorCrashed',
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        };
    // The failure goes into the log first, so the tail left in the output says it too.
    logger.error({ mode, attempt, code: failure.code, error: failure.message }, 'executor task failed');
    const logUri = await writeExecutorFailureLog({ mode, env: process.env, attempt, tail, logger });
    writeTerminationMessage({
      ...failure,
      ...(logUri === undefined ? {} : { logUri }),
      logTail: tail.lastLines(MAX_TERMINATION_LOG_LINES).join('\n'),
    });
    if (!isFeatureJobError(error)) return ExecutorExitCodes.crashed;
    return error.code === 'FJ_INVALID_ARGUMENT' ? ExecutorExitCodes.badConfiguration : computeExitCode(error);
  }
}
