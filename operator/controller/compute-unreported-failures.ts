/**
 * The pod failures still to be reported as Events. The stored status counts failed pods by
 * reason (status.retries), so a reason whose count did not grow was reported by an earlier
 * reconcile, and a steady world posts nothing (not even a create that would answer 409 for
 * an Event that exists, or recreate one the API server's event TTL expired). When a count
 * grows, the failures of that reason are posted again under their deterministic names, and
 * the API server keeps the ones it already has.
 */
import type { PodFailure } from './compute-feature-job-state.js';

export function computeUnreportedFailures(
  reported: Readonly<Record<string, number>> | undefined,
  failures: readonly PodFailure[],
): PodFailure[] {
  const counts = new Map<string, number>();
  for (const failure of failures) counts.set(failure.reason, (counts.get(failure.reason) ?? 0) + 1);
  return failures.filter((failure) => (counts.get(failure.reason) ?? 0) > (reported?.[failure.reason] ?? 0));
}
