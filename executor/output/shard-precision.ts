/**
 * The precision one shard was made with: fp32, or int8 together with the sha256 of the int8
 * model that ran (two int8 models calibrated differently make different features). Commit
 * markers, manifest partitions and Parquet schema metadata record it; a table never mixes
 * precisions (docs/performance.md, "Where the precision is recorded").
 */
export type ShardPrecision =
  | { readonly precision: 'fp32' }
  | { readonly precision: 'int8'; readonly int8Sha256: string };

/** The one precision the committed partitions of an output were made with, and how many they are. */
export interface CommittedPrecision {
  readonly precision: ShardPrecision;
  readonly partitions: number;
}

export const FP32_PRECISION: ShardPrecision = Object.freeze({ precision: 'fp32' });

/**
 * The precision of a record that states it with the optional `precision` and `int8Sha256`
 * fields (a commit marker, a manifest partition): absent means fp32, what every shard
 * written before precisions were recorded was made with.
 */
export function shardPrecisionOf(record: {
  readonly precision?: 'fp32' | 'int8' | undefined;
  readonly int8Sha256?: string | undefined;
}): ShardPrecision {
  if (record.precision !== 'int8') return FP32_PRECISION;
  return { precision: 'int8', int8Sha256: record.int8Sha256 ?? '' };
}

/** The fields to spread into a marker or manifest partition. */
export function shardPrecisionFields(precision: ShardPrecision): {
  precision: 'fp32' | 'int8';
  int8Sha256?: string;
} {
  return precision.precision === 'int8'
    ? { precision: 'int8', int8Sha256: precision.int8Sha256 }
    : { precision: 'fp32' };
}

export function isSameShardPrecision(a: ShardPrecision, b: ShardPrecision): boolean {
  if (a.precision === 'int8' && b.precision === 'int8') return a.int8Sha256 === b.int8Sha256;
  return a.precision === b.precision;
}

/** `fp32`, or `int8 (model sha256 0123456789ab…)`: how messages name a precision. */
export function describeShardPrecision(precision: ShardPrecision): string {
  return precision.precision === 'int8' ? `int8 (model sha256 ${precision.int8Sha256.slice(0, 12)}…)` : 'fp32';
}

/** A stable key per precision, to group records by it. */
export function shardPrecisionKey(precision: ShardPrecision): string {
  return precision.precision === 'int8' ? `int8:${precision.int8Sha256}` : 'fp32';
}
