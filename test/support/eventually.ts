import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls until `probe` answers a value (not undefined) or the time is up; a probe that throws
 * is retried, and its last error is named in the timeout message.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${last === undefined ? '' : ` (last error: ${(last as Error).message})`}`,
      );
    await delay(intervalMs);
  }
}
