/**
 * Recognises the names featurejob writes per partition attempt, so that clean-up deletes only
 * its own files: a user's `features/README.md` or `features/keep.txt` is never one of them
 * (docs/architecture.md, "Output layout"). Names follow partition-naming.ts.
 */
import { ATTEMPT_ERRORS_PREFIX, FEATURES_PREFIX, PCA_STATISTICS_PREFIX } from './partition-naming.js';

export interface AttemptFileKey {
  readonly kind: 'shard' | 'errors' | 'statistics';
  readonly index: number;
}

const ATTEMPT = '[A-Za-z0-9][A-Za-z0-9_-]{0,127}';
const INDEX = '(\\d{5,})';
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PATTERNS: ReadonlyArray<{ kind: AttemptFileKey['kind']; pattern: RegExp }> = [
  {
    kind: 'shard',
    pattern: new RegExp(`^${escapeRegExp(FEATURES_PREFIX)}part-${INDEX}-${ATTEMPT}\\.(?:parquet|csv)$`),
  },
  { kind: 'errors', pattern: new RegExp(`^${escapeRegExp(ATTEMPT_ERRORS_PREFIX)}part-${INDEX}-${ATTEMPT}\\.jsonl$`) },
  // A partition's statistics (`part-00003-<attempt>.f64`) and a group's (`part-00000-to-00007-<digest>.f64`).
  {
    kind: 'statistics',
    pattern: new RegExp(`^${escapeRegExp(PCA_STATISTICS_PREFIX)}part-${INDEX}-(?:to-\\d{5,}-)?${ATTEMPT}\\.f64$`),
  },
];

/** The kind and partition of a per-attempt file of ours, or undefined for any other key. */
export function parseAttemptFileKey(key: string): AttemptFileKey | undefined {
  for (const { kind, pattern } of PATTERNS) {
    const match = pattern.exec(key);
    if (match !== null) return { kind, index: Number(match[1]) };
  }
  return undefined;
}

/** Whether `key` is a per-attempt file of ours for one of the plan's `partitions`. */
export function isOwnAttemptFile(key: string, partitions: number): boolean {
  const parsed = parseAttemptFileKey(key);
  return parsed !== undefined && parsed.index < partitions;
}
