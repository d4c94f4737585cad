/**
 * Splits sorted keys into `count` contiguous partitions whose sizes differ by at most one.
 * Pure and deterministic: the same keys and count always give the same plan.
 */
export function computePartitions<T>(keys: readonly T[], count: number): T[][] {
  const partitions = Math.max(1, Math.min(count, keys.length));
  const base = Math.floor(keys.length / partitions);
  const extra = keys.length % partitions;
  const result: T[][] = [];
  let start = 0;
  for (let index = 0; index < partitions; index += 1) {
    const size = base + (index < extra ? 1 : 0);
    result.push(keys.slice(start, start + size));
    start += size;
  }
  return result;
}

export function computePartitionCount(options: {
  images: number;
  partitions?: number;
  imagesPerPartition: number;
}): number {
  if (options.partitions !== undefined) return Math.max(1, Math.min(options.partitions, options.images));
  return Math.max(1, Math.ceil(options.images / options.imagesPerPartition));
}
