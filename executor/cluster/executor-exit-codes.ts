import type { FeatureJobError } from '../errors.js';

/**
 * Exit codes of `featurejob executor`, read by the Job's podFailurePolicy: a bad
 * configuration fails the index at once (retrying cannot help); anything else is retried
 * within the partition's budget. The values follow sysexits.h.
 */
export const ExecutorExitCodes = {
  ok: 0,
  /** An unexpected crash: retried. */
  crashed: 1,
  /** EX_TEMPFAIL: storage unreachable, inference failed... retried. */
  transient: 75,
  /** EX_CONFIG: invalid settings, model mismatch, no input, access denied. Never retried. */
  badConfiguration: 78,
  /** 128 + SIGTERM: stopped before committing; a disruption, not counted against the retries. */
  interrupted: 143,
} as const;

export function computeExitCode(error: FeatureJobError): number {
  if (error.code === 'FJ_ATTEMPT_INTERRUPTED') return ExecutorExitCodes.interrupted;
  return error.isTransient ? ExecutorExitCodes.transient : ExecutorExitCodes.badConfiguration;
}
