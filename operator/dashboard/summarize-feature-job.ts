/**
 * What the dashboard shows of one FeatureJob, computed from the informer's copy of it: the
 * page only lays this out. Everything comes from the object's status (and the operator's own
 * progress samples); a number the status does not have is left out, never made up.
 */
import type { FeatureJobObject } from '../../crds/feature-job-resource.js';
import { FeatureJobStatusSchema, type Condition, type FeatureJobStatus } from '../../crds/feature-job-status.js';
import { readStatusExtras, type StatusExtras } from './status-extras.js';
import type { ProgressSample } from './throughput-history.js';

export interface ProgressSummary {
  readonly done: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Whole percent, rounded down: 100 only when every image is done. */
  readonly percent: number;
  /** "7/10 images (70%)", with ", 1 failed" when images failed. */
  readonly text: string;
}

/**
 * Partition counts. The status has no per-partition state (only counts and the failed ones
 * as ranges), so the page draws these as one stacked bar, not a grid of partitions.
 */
export interface PartitionSummary {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly active: number;
  readonly pending: number;
  /** status.failedPartitions: "1,3-5". */
  readonly failedRanges?: string;
  /** "3/8 partitions". */
  readonly text: string;
}

export interface ThroughputPoint {
  /** RFC 3339, when the operator saw the count move. */
  readonly at: string;
  /** Images per second since the previous sample. */
  readonly imagesPerSecond: number;
}

export interface ThroughputSummary {
  /** status.throughput: the average since the start ("12.3 img/s"). */
  readonly average?: string;
  /** Rates between the operator's samples, oldest first; empty until two samples exist. */
  readonly series: readonly ThroughputPoint[];
}

/** A condition that says why a job failed, stalls or waits. */
export interface Problem {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly since: string;
}

export interface FeatureJobSummary {
  readonly namespace: string;
  readonly name: string;
  /** status.phase; `Pending` before the operator wrote a status, `Unknown` when it cannot be read. */
  readonly phase: string;
  readonly progress?: ProgressSummary;
  readonly partitions?: PartitionSummary;
  readonly throughput: ThroughputSummary;
  readonly problems: readonly Problem[];
  /** Retried executor attempts by cause (status.retries). */
  readonly retries?: Readonly<Record<string, number>>;
  readonly model?: string;
  readonly startTime?: string;
  readonly completionTime?: string;
  readonly manifestUri?: string;
  readonly executorJob?: string;
  readonly tableVersion?: StatusExtras['tableVersion'];
  readonly cost?: StatusExtras['cost'];
  /** status.failedPod: the most recent failed executor pod, where its log tail is, and its last lines. */
  readonly failedPod?: FeatureJobStatus['failedPod'];
  readonly pca?: StatusExtras['pca'];
  /** Why the status could not be read, when it could not. */
  readonly statusError?: string;
}

// The CRD's own schema, but tolerant of fields a newer operator may add: the extras are read apart.
const ReadableStatusSchema = FeatureJobStatusSchema.loose();

/** Progressing reasons that are an ending, not a problem. */
const SETTLED_REASONS = new Set(['Completed', 'Suspended']);

function summarizeProgress(images: NonNullable<FeatureJobStatus['images']>): ProgressSummary {
  const done = images.succeeded + images.failed;
  const percent = images.total > 0 ? Math.min(100, Math.floor((done * 100) / images.total)) : 0;
  const failed = images.failed > 0 ? `, ${images.failed} failed` : '';
  return {
    done,
    total: images.total,
    succeeded: images.succeeded,
    failed: images.failed,
    percent,
    text: `${done}/${images.total} images (${percent}%)${failed}`,
  };
}

function summarizePartitions(status: FeatureJobStatus): PartitionSummary | undefined {
  const partitions = status.partitions;
  if (partitions === undefined) return undefined;
  const { total, succeeded, failed, active } = partitions;
  return {
    total,
    succeeded,
    failed,
    active,
    pending: Math.max(0, total - succeeded - failed - active),
    ...(status.failedPartitions === undefined ? {} : { failedRanges: status.failedPartitions }),
    text: `${succeeded}/${total} partitions`,
  };
}

/** Rates between consecutive samples; a pair with no time between them is skipped. */
export function computeThroughputSeries(samples: readonly ProgressSample[]): ThroughputPoint[] {
  const series: ThroughputPoint[] = [];
  for (let i = 1; i < samples.length; i += 1) {
    const previous = samples[i - 1]!;
    const sample = samples[i]!;
    const seconds = (sample.atMs - previous.atMs) / 1000;
    if (seconds <= 0) continue;
    const rate = Math.max(0, sample.processed - previous.processed) / seconds;
    series.push({ at: new Date(sample.atMs).toISOString(), imagesPerSecond: Math.round(rate * 10) / 10 });
  }
  return series;
}

function isProblem(condition: Condition): boolean {
  if (condition.type === 'Failed') return condition.status === 'True';
  if (condition.type === 'Accepted') return condition.status === 'False';
  if (condition.type === 'Progressing') return condition.status !== 'True' && !SETTLED_REASONS.has(condition.reason);
  return false;
}

/** Failed first, then the rest; a Progressing condition that repeats Failed's reason is dropped. */
function findProblems(conditions: readonly Condition[]): Problem[] {
  const problems = conditions.filter(isProblem);
  const failed = problems.find((c) => c.type === 'Failed');
  return problems
    .filter((c) => failed === undefined || c === failed || c.reason !== failed.reason)
    .sort((a, b) => Number(b.type === 'Failed') - Number(a.type === 'Failed'))
    .map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      since: c.lastTransitionTime,
    }));
}

function describeIssues(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(status)'}: ${issue.message}`)
    .join('; ');
}

export function summarizeFeatureJob(job: FeatureJobObject, samples: readonly ProgressSample[] = []): FeatureJobSummary {
  const identity = { namespace: job.metadata.namespace, name: job.metadata.name };
  const parsed = ReadableStatusSchema.safeParse(job.status ?? {});
  if (!parsed.success) {
    return {
      ...identity,
      phase: 'Unknown',
      throughput: { series: [] },
      problems: [],
      statusError: `the status does not match the FeatureJob schema: ${describeIssues(parsed.error)}`,
    };
  }
  const status = parsed.data;
  const partitions = summarizePartitions(status);
  return {
    ...identity,
    phase: status.phase ?? 'Pending',
    ...(status.images === undefined ? {} : { progress: summarizeProgress(status.images) }),
    ...(partitions === undefined ? {} : { partitions }),
    throughput: {
      ...(status.throughput === undefined ? {} : { average: status.throughput }),
      series: computeThroughputSeries(samples),
    },
    problems: findProblems(status.conditions ?? []),
    ...(status.retries === undefined || Object.keys(status.retries).length === 0 ? {} : { retries: status.retries }),
    ...(status.model === undefined ? {} : { model: status.model }),
    ...(status.startTime === undefined ? {} : { startTime: status.startTime }),
    ...(status.completionTime === undefined ? {} : { completionTime: status.completionTime }),
    ...(status.manifestUri === undefined ? {} : { manifestUri: status.manifestUri }),
    ...(status.executorJob === undefined ? {} : { executorJob: status.executorJob }),
    ...(status.failedPod === undefined ? {} : { failedPod: status.failedPod }),
    ...readStatusExtras(job.status),
  };
}
