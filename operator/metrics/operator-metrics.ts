import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The phases a FeatureJob reports; each always has a `featurejob_jobs` series (0 when none). */
export { PHASES as JOB_PHASES } from '../../crds/feature-job-status.js';
import { PHASES as JOB_PHASES } from '../../crds/feature-job-status.js';

export const PARTITION_STATES = ['pending', 'active', 'succeeded', 'failed'] as const;
export type PartitionState = (typeof PARTITION_STATES)[number];

export type ReconcileResult = 'ok' | 'error' | 'requeue';

export interface PartitionCounts {
  readonly pending: number;
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
}

export interface ImageTotals {
  readonly succeeded: number;
  readonly failed: number;
}

export interface OperatorMetrics {
  readonly registry: Registry;
  /** Replaces every phase's count: phases absent from `counts` drop to 0, so deleted jobs vanish. */
  setJobsByPhase(counts: Partial<Record<string, number>>): void;
  setPartitions(namespace: string, name: string, counts: PartitionCounts): void;
  /** Drops a deleted job's partition series and its remembered image totals. */
  forgetJob(namespace: string, name: string): void;
  countRetries(cause: string, n?: number): void;
  /**
   * Feeds a job's cumulative totals (from its status or storage); only the growth since the
   * last call for that job is added to the counter.
   */
  addImagesProcessed(namespace: string, name: string, totals: ImageTotals): void;
  observeReconcile(seconds: number, result: ReconcileResult): void;
}

export interface CreateOperatorMetricsOptions {
  /** Where the metrics register; default a fresh Registry (never prom-client's global one). */
  readonly registry?: Registry;
}

const PREFIX = 'featurejob_';

// Reconciles are API round trips: milliseconds normally, seconds when the API server is slow.
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function jobKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** A count a metric can take: metrics must never throw into the reconcile loop. */
function isCount(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}

/**
 * The operator's Prometheus metrics on their own Registry (plus Node's default process metrics,
 * prefixed `featurejob_operator_`).
 *
 * `featurejob_images_processed_total` is a counter fed from cumulative totals: the last total
 * seen per job lives in this process only, so after an operator restart the first
 * `addImagesProcessed` of each running job adds its whole total again. Prometheus sees the
 * restart as a counter reset (the process metrics restart too), and `rate()`/`increase()`
 * handle that; only a raw sum across restarts over-counts.
 */
export function createOperatorMetrics(options: CreateOperatorMetricsOptions = {}): OperatorMetrics {
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${PREFIX}operator_` });

  const jobs = new Gauge({
    name: `${PREFIX}jobs`,
    help: 'FeatureJobs by phase.',
    labelNames: ['phase'] as const,
    registers: [registry],
  });
  const partitions = new Gauge({
    name: `${PREFIX}partitions`,
    help: 'Partitions of each FeatureJob by state.',
    labelNames: ['namespace', 'featurejob', 'state'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: `${PREFIX}partition_retries_total`,
    help: 'Partition retries by cause (OOMKilled, Evicted, Error, DeadlineExceeded, ...).',
    labelNames: ['cause'] as const,
    registers: [registry],
  });
  const images = new Counter({
    name: `${PREFIX}images_processed_total`,
    help: 'Images processed by executors, by outcome; restarts from zero with the operator.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const reconcile = new Histogram({
    name: `${PREFIX}reconcile_duration_seconds`,
    help: 'Time one reconcile of a FeatureJob took, by result.',
    labelNames: ['result'] as const,
    buckets: RECONCILE_BUCKETS,
    registers: [registry],
  });
  // Zero series exist before the first event, so dashboards and alerts see 0 rather than nothing.
  for (const phase of JOB_PHASES) jobs.set({ phase }, 0);
  for (const outcome of ['succeeded', 'failed'] as const) images.inc({ outcome }, 0);

  const lastImageTotals = new Map<string, ImageTotals>();

  return {
    registry,

    setJobsByPhase(counts) {
      // A full recount: reset first so a phase that no job is in anymore, even one outside
      // JOB_PHASES, does not keep its last value.
      jobs.reset();
      for (const phase of JOB_PHASES) jobs.set({ phase }, 0);
      for (const [phase, count] of Object.entries(counts)) {
        if (count !== undefined && isCount(count)) jobs.set({ phase }, count);
      }
    },

    setPartitions(namespace, name, counts) {
      for (const state of PARTITION_STATES) {
        const value = counts[state];
        if (isCount(value)) partitions.set({ namespace, featurejob: name, state }, value);
      }
    },

    forgetJob(namespace, name) {
      for (const state of PARTITION_STATES) partitions.remove({ namespace, featurejob: name, state });
      lastImageTotals.delete(jobKey(namespace, name));
    },

    countRetries(cause, n = 1) {
      if (isCount(n) && n > 0) retries.inc({ cause }, n);
    },

    addImagesProcessed(namespace, name, totals) {
      const key = jobKey(namespace, name);
      const last = lastImageTotals.get(key) ?? { succeeded: 0, failed: 0 };
      const next = { succeeded: last.succeeded, failed: last.failed };
      for (const outcome of ['succeeded', 'failed'] as const) {
        const total = totals[outcome];
        // A lower total is a stale read (an informer behind the API server), not undone work:
        // keep the high-water mark so the growth is not counted twice when it comes back.
        if (isCount(total) && total > last[outcome]) {
          images.inc({ outcome }, total - last[outcome]);
          next[outcome] = total;
        }
      }
      lastImageTotals.set(key, next);
    },

    observeReconcile(seconds, result) {
      if (isCount(seconds)) reconcile.observe({ result }, seconds);
    },
  };
}
