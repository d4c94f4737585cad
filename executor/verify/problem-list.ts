/**
 * What `featurejob verify` can find wrong, and the list it collects them in: bounded per
 * check, so a table with a million missing rows still prints a readable report.
 */
import { isFeatureJobError } from '../errors.js';

export const VerifyChecks = [
  'manifest',
  'plan',
  'commit',
  'shard',
  'errors',
  'image-missing',
  'image-duplicated',
  'image-unplanned',
  'counts',
  'stray-file',
  'table',
  'table-file',
  'image-index',
  'table-errors',
  'pca',
] as const;
export type VerifyCheck = (typeof VerifyChecks)[number];

export interface VerifyProblem {
  readonly check: VerifyCheck;
  readonly message: string;
}

export const MAX_PROBLEMS_PER_CHECK = 20;

export class ProblemList {
  readonly problems: VerifyProblem[] = [];
  omitted = 0;
  private readonly perCheck = new Map<VerifyCheck, number>();

  add(check: VerifyCheck, message: string): void {
    const seen = this.perCheck.get(check) ?? 0;
    this.perCheck.set(check, seen + 1);
    if (seen < MAX_PROBLEMS_PER_CHECK) this.problems.push({ check, message });
    else this.omitted += 1;
  }

  has(check: VerifyCheck): boolean {
    return (this.perCheck.get(check) ?? 0) > 0;
  }

  get ok(): boolean {
    return this.problems.length === 0 && this.omitted === 0;
  }
}

/** Runs a read; a FeatureJobError (a file that does not parse, say) becomes a problem and undefined. */
export async function readOrReport<T>(
  read: () => Promise<T | undefined>,
  found: ProblemList,
  check: VerifyCheck,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!isFeatureJobError(error)) throw error;
    found.add(check, error.message);
    return undefined;
  }
}

export function messageOf(error: unknown): string {
  return isFeatureJobError(error) ? error.message : String(error);
}
