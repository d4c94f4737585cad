/**
 * A table never mixes precisions: every shard of one output is made with fp32, or every one
 * with the same int8 model. The local driver checks the committed partitions against the
 * precision it chose before any worker starts, and the merge checks every marker again, so a
 * run interrupted under int8 and resumed under fp32 stops with FJ_PRECISION_MISMATCH instead of
 * writing a manifest over both (docs/performance.md, "Where the precision is recorded").
 */
import { FeatureJobError } from '../errors.js';
import type { CommitMarker } from '../output/commit-marker-schema.js';
import {
  describeShardPrecision,
  isSameShardPrecision,
  shardPrecisionKey,
  shardPrecisionOf,
  type CommittedPrecision,
  type ShardPrecision,
} from '../output/shard-precision.js';

export type { CommittedPrecision };

/**
 * The precision of these commit markers, or undefined when there are none. Throws
 * FJ_PRECISION_MISMATCH, naming each precision and how many partitions hold it, when they
 * already mix (markers written by different versions or by hand).
 */
export function computeCommittedPrecision(
  markers: readonly CommitMarker[],
  uri: string,
): CommittedPrecision | undefined {
  const groups = new Map<string, { precision: ShardPrecision; partitions: number[] }>();
  for (const marker of markers) {
    const precision = shardPrecisionOf(marker);
    const key = shardPrecisionKey(precision);
    const group = groups.get(key) ?? { precision, partitions: [] };
    group.partitions.push(marker.partition);
    groups.set(key, group);
  }
  const found = [...groups.values()];
  if (found.length > 1) {
    const parts = found.map(
      (group) =>
        `${countOf(group.partitions.length)} (first ${group.partitions[0]}) with ${describeShardPrecision(group.precision)}`,
    );
    throw new FeatureJobError(
      'FJ_PRECISION_MISMATCH',
      `the committed partitions of ${uri} mix precisions: ${parts.join(', ')}; a table never mixes precisions, use a new output`,
    );
  }
  const [only] = found;
  return only === undefined ? undefined : { precision: only.precision, partitions: only.partitions.length };
}

/**
 * Throws FJ_PRECISION_MISMATCH when partitions were committed with another precision than
 * `chosen`, naming both, why this run chose its own (`reason`) and what to do (`hint`).
 */
export function assertCommittedPrecision(
  committed: CommittedPrecision | undefined,
  chosen: ShardPrecision,
  options: MismatchWording,
): void {
  if (committed === undefined || isSameShardPrecision(committed.precision, chosen)) return;
  throw mismatch(committed, describeShardPrecision(chosen), options);
}

/**
 * The same check on the kind alone, before an int8 model exists: a run that asks for fp32
 * or int8 on an output committed with the other stops before calibrating anything.
 */
export function assertCommittedKind(
  committed: CommittedPrecision | undefined,
  requested: ShardPrecision['precision'],
  options: MismatchWording,
): void {
  if (committed === undefined || committed.precision.precision === requested) return;
  throw mismatch(committed, requested, options);
}

interface MismatchWording {
  readonly uri: string;
  /** What to do, e.g. "rerun with --precision int8 or use a new --out". */
  readonly hint: string;
  /** Why this run chose its precision (auto's fallback). */
  readonly reason?: string;
}

function mismatch(committed: CommittedPrecision, chosen: string, options: MismatchWording): FeatureJobError {
  const were = committed.partitions === 1 ? 'was' : 'were';
  const why = options.reason === undefined ? '' : ` (${options.reason})`;
  return new FeatureJobError(
    'FJ_PRECISION_MISMATCH',
    `${countOf(committed.partitions)} of ${options.uri} ${were} made with ${describeShardPrecision(committed.precision)}, ` +
      `this run chose ${chosen}${why}; ${options.hint}`,
  );
}

function countOf(partitions: number): string {
  return partitions === 1 ? '1 partition' : `${partitions} partitions`;
}
