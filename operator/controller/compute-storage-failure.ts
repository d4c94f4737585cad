/**
 * What a failure of the operator's own storage work means for the FeatureJob: reading the
 * output (plan, commit markers, manifest), merging the manifest, writing its PCA block.
 * Pure, like kopf's PermanentError / TemporaryError(delay) split:
 *
 * - a terminal code (executor/errors.ts: a corrupt manifest.json, another job's plan,
 *   access denied, no such bucket) ends the job Failed with the code's own reason
 *   (`ManifestInvalid` for FJ_MANIFEST_INVALID): retrying would give the same answer;
 * - a transient one (or anything that is no FeatureJobError) keeps the phase, turns
 *   Progressing Unknown (StorageUnavailable or MergeFailed) and asks to be looked at again
 *   after an exponential backoff, 10 s doubling to 5 min.
 *
 * The backoff needs no memory: a failure streak begins at the lastTransitionTime of the
 * Progressing=Unknown condition already in status (reset as soon as the work succeeds and
 * Progressing leaves Unknown), and the attempt number is the number of scheduled retries since
 * then, so a restarted operator keeps the schedule and a reconcile between two retries (a pod
 * event, our own status write) computes the same attempt and writes nothing.
 */
import type { Condition } from '../../crds/feature-job-status.js';
import { ErrorCatalog, toFeatureJobError, type ErrorCode } from '../../executor/errors.js';
import type { CodeReason } from '../errors.js';

/** The step that failed: reading the output, or writing the manifest (merge, PCA block). */
export type StorageStep = 'observe' | 'merge';

export const RETRY_BASE_MS = 10_000;
export const RETRY_MAX_MS = 5 * 60_000;

export type StorageFailure =
  | { readonly kind: 'terminal'; readonly code: ErrorCode; readonly reason: CodeReason; readonly message: string }
  | {
      readonly kind: 'transient';
      readonly code: ErrorCode;
      readonly reason: 'StorageUnavailable' | 'MergeFailed';
      readonly attempt: number;
      readonly retryAfterMs: number;
      readonly message: string;
    };

const TRANSIENT_REASONS: ReadonlySet<string> = new Set(['StorageUnavailable', 'MergeFailed']);

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The wait after attempt `attempt` (1-based): 10 s, 20 s, 40 s ... capped at 5 min. */
export function computeRetryDelayMs(attempt: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 30), RETRY_MAX_MS);
}

/** Which attempt is due `elapsedMs` after a streak began, and when the next one is (ms after the start). */
export function computeRetryAttempt(elapsedMs: number): { attempt: number; nextAtMs: number } {
  let attempt = 1;
  let nextAtMs = computeRetryDelayMs(1);
  while (nextAtMs <= elapsedMs) {
    attempt += 1;
    nextAtMs += computeRetryDelayMs(attempt);
  }
  return { attempt, nextAtMs };
}

/** When the current failure streak began: the Progressing=Unknown condition of a transient reason, if any. */
function findStreakStart(
  previous: readonly Condition[] | undefined,
): { since: number; condition: Condition } | undefined {
  const condition = previous?.find((c) => c.type === 'Progressing');
  if (condition === undefined || condition.status !== 'Unknown' || !TRANSIENT_REASONS.has(condition.reason))
    return undefined;
  const since = Date.parse(condition.lastTransitionTime);
  return Number.isNaN(since) ? undefined : { since, condition };
}

export function computeStorageFailure(options: {
  readonly error: unknown;
  readonly step: StorageStep;
  /** The conditions in the stored status. */
  readonly previous: readonly Condition[] | undefined;
  readonly now: Date;
}): StorageFailure {
  const error = toFeatureJobError(options.error, 'FJ_STORAGE_FAILED');
  const detail = `${error.code}: ${error.message}`;
  if (error.kind === 'terminal') {
    const reason = ErrorCatalog[error.code].reason;
    const what = options.step === 'observe' ? 'reading the output' : 'writing the manifest';
    return {
      kind: 'terminal',
      code: error.code,
      reason,
      message: `${what} failed and retrying cannot help: ${detail}`,
    };
  }
  const reason = options.step === 'observe' ? 'StorageUnavailable' : 'MergeFailed';
  const now = options.now.getTime();
  const streak = findStreakStart(options.previous);
  const since = streak?.since ?? Math.floor(now / 1000) * 1000;
  const { attempt, nextAtMs } = computeRetryAttempt(now - since);
  // The attempt comes first so that the 1,024-character cap on messages never cuts it off.
  const prefix = `attempt ${attempt} (failing since ${formatTime(since)}, next at ${formatTime(since + nextAtMs)}): ${error.code}: `;
  // Within one attempt the first message stands: a store whose messages vary (request ids)
  // must not turn each reconcile into a status write, and each write into a reconcile.
  const kept =
    streak?.condition.reason === reason && streak.condition.message.startsWith(prefix)
      ? streak.condition.message
      : undefined;
  return {
    kind: 'transient',
    code: error.code,
    reason,
    attempt,
    retryAfterMs: Math.max(since + nextAtMs - now, 1),
    message: kept ?? `${prefix}${error.message}`,
  };
}
