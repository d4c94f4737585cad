/**
 * Leaves a failed task's log tail in the output store (docs/reliability.md, "Logs outlive
 * pods"), best effort: the task has already failed, so a log that cannot be written is
 * logged and skipped, never allowed to replace the task's own error, and a store that does
 * not answer is given up on after a while so that the process still exits in time.
 */
import type { ObjectStore } from '../storage/object-store.js';
import type { LogTail } from './log-tail.js';
import type { Logger } from './logger.js';

/** Within a pod's default 30 s grace period after SIGTERM, with room to write the termination message. */
export const LOG_WRITE_TIMEOUT_MS = 10_000;

/** Writes the tail under `key` and returns its URI, or undefined when it could not be written. */
export async function writeLogTail(options: {
  readonly output: ObjectStore;
  readonly key: string;
  readonly tail: LogTail;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}): Promise<string | undefined> {
  const { output, key, tail, logger } = options;
  const timeoutMs = options.timeoutMs ?? LOG_WRITE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([output.put(key, tail.text()), timeout]);
    return output.uriOf(key);
  } catch (error) {
    const failure = error as { code?: unknown; message?: unknown };
    logger.warn(
      { logUri: output.uriOf(key), code: failure.code, error: String(failure.message ?? error) },
      'could not write the log tail of the failed task',
    );
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
