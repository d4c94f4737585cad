/**
 * Recognises the names featurejob writes per partition attempt, so that clean-up deletes only
 * its own files: a user's `features/README.md` or `features/keep.txt` is never one of them
 * (docs/architecture.md, "Output layout"), and clean-up of one table version never matches a
 * file of another (version N >= 1 prefixes its shards with `vN-`). Names follow partition-naming.ts.
 */
import { attemptErrorsPrefix, FEATURES_PREFIX, PCA_STATISTICS_PREFIX, versionFilePrefix } from './partition-naming.js';

export interface AttemptFileKey {
  readonly kind: 'shard' | 'errors' | 'statistics';
  readonly index: number;
}

const ATTEMPT = '[A-Za-z0-9][A-Za-z0-9_-]{0,127}';
const INDEX = '(\\d{5,})';
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Patterns = ReadonlyArray<{ kind: AttemptFileKey['kind']; pattern: RegExp }>;

function patternsOf(version: number): Patterns {
  const shardPrefix = escapeRegExp(`${FEATURES_PREFIX}${versionFilePrefix(version)}`);
  const patterns: Array<{ kind: AttemptFileKey['kind']; pattern: RegExp }> = [
    { kind: 'shard', pattern: new RegExp(`^${shardPrefix}part-${INDEX}-${ATTEMPT}\\.(?:parquet|csv)$`) },
    {
      kind: 'errors',
      pattern: new RegExp(`^${escapeRegExp(attemptErrorsPrefix(version))}part-${INDEX}-${ATTEMPT}\\.jsonl$`),
    },
  ];
  // PCA statistics are version 0's: a partition's (`part-00003-<attempt>.f64`) and a group's
  // (`part-00000-to-00007-<digest>.f64`).
  if (version === 0) {
    patterns.push({
      kind: 'statistics',
      pattern: new RegExp(`^${escapeRegExp(PCA_STATISTICS_PREFIX)}part-${INDEX}-(?:to-\\d{5,}-)?${ATTEMPT}\\.f64$`),
    });
  }
  return patterns;
}

const cache = new Map<number, Patterns>();

/** The kind and partition of a per-attempt file of ours (of table version `version`), or undefined. */
export function parseAttemptFileKey(key: string, version = 0): AttemptFileKey | undefined {
  let patterns = cache.get(version);
  if (patterns === undefined) {
    patterns = patternsOf(version);
    if (cache.size < 64) cache.set(version, patterns);
  }
  for (const { kind, pattern } of patterns) {
    const match = pattern.exec(key);
    if (match !== null) return { kind, index: Number(match[1]) };
  }
  return undefined;
}

/** Whether `key` is a per-attempt file of ours for one of the `partitions` of version `version`'s plan. */
export function isOwnAttemptFile(key: string, partitions: number, version = 0): boolean {
  const parsed = parseAttemptFileKey(key, version);
  return parsed !== undefined && parsed.index < partitions;
}
