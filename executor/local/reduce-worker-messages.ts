import type { GroupStatisticsSummary } from '../reduce/partition-statistics.js';
import type { ReducedShard } from '../reduce/project-partition.js';

/** What a PCA worker process needs; plain data, sent once at start. */
export interface ReduceWorkerSettings {
  readonly output: string;
  readonly s3Endpoint?: string;
  readonly region?: string;
  readonly task: 'statistics' | 'project';
  readonly threads: number;
  readonly dimensions: number;
  /** For 'statistics': the groups; a task index names a group. For 'project' it names a partition. */
  readonly groups: ReadonlyArray<readonly number[]>;
}

export type ReduceTaskResult =
  | { readonly task: 'statistics'; readonly summary: GroupStatisticsSummary }
  | { readonly task: 'project'; readonly shard: ReducedShard };
