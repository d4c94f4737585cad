/**
 * Which partitions share a statistics file. A Gram matrix costs d(d+1)/2 float64 whatever
 * the number of rows (67 MB at 4,096 dimensions), while n rows of float32 cost 4·n·d bytes:
 * for a partition of fewer than d/2 rows the shard itself is the smaller sufficient
 * statistic. So a large partition keeps its own file (written while it is extracted, with
 * `run --pca`), and consecutive small ones are summed into one file per group of at least
 * GROUP_ROWS rows, as Spark's treeAggregate combines partitions before the driver.
 */
export interface StatisticsGroup {
  /** Ascending partition indexes. */
  readonly partitions: readonly number[];
  readonly rows: number;
}

/**
 * Fewer rows than this and a partition's statistics are not worth a file of their own: d/2
 * by default, or FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS (trades storage for not re-reading
 * shards in the statistics pass).
 */
export function ownStatisticsMinRows(dimensions: number): number {
  const override = Number(process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS ?? '');
  if (Number.isInteger(override) && override > 0) return override;
  return Math.ceil((dimensions + 1) / 2);
}

/** Rows a group of small partitions gathers before it is closed: its file then costs ≤ 1/4 of the rows. */
export function groupRows(dimensions: number): number {
  return 2 * dimensions;
}

/** Deterministic grouping of partitions (with their row counts), independent of worker count. */
export function groupPartitionsForStatistics(
  partitions: ReadonlyArray<{ index: number; rows: number }>,
  dimensions: number,
): StatisticsGroup[] {
  const groups: StatisticsGroup[] = [];
  let open: { partitions: number[]; rows: number } | undefined;
  const close = (): void => {
    if (open !== undefined) groups.push(open);
    open = undefined;
  };
  for (const partition of partitions) {
    if (partition.rows === 0) continue;
    if (partition.rows >= ownStatisticsMinRows(dimensions)) {
      groups.push({ partitions: [partition.index], rows: partition.rows });
      continue;
    }
    open ??= { partitions: [], rows: 0 };
    open.partitions.push(partition.index);
    open.rows += partition.rows;
    if (open.rows >= groupRows(dimensions)) close();
  }
  close();
  return groups;
}
