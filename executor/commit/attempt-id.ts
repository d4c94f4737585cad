import { randomBytes } from 'node:crypto';

/** A unique, sortable id for one attempt at a partition (attempt-specific output keys). */
export function createAttemptId(now: () => number = Date.now): string {
  return `a${now().toString(36)}${randomBytes(4).toString('hex')}`;
}
