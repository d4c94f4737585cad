/**
 * A small ring buffer of progress samples per FeatureJob, kept in the operator process for the
 * dashboard's throughput chart: the status only holds the average since the start, so the
 * shape over time is sampled here, each time the informer sees the job's counts move. A
 * restarted operator starts with an empty history (nothing is stored).
 */
import type { FeatureJobObject } from '../../crds/feature-job-resource.js';

/** Samples kept per job: at the default 10 s resync, a running job's last ten minutes or more. */
export const MAX_SAMPLES_PER_JOB = 60;

export interface ProgressSample {
  /** Milliseconds since the epoch, on the operator's clock, when the informer saw the change. */
  readonly atMs: number;
  /** Images done (succeeded + failed) in the status at that moment. */
  readonly processed: number;
}

function processedOf(job: FeatureJobObject): number | undefined {
  const images = job.status?.images;
  return images === undefined ? undefined : images.succeeded + images.failed;
}

/**
 * Samples keyed by `namespace/name` and the job's uid: a FeatureJob deleted and created again
 * under the same name starts a new history.
 */
export class ThroughputHistory {
  private readonly byKey = new Map<string, { uid: string; samples: ProgressSample[] }>();
  private readonly capacity: number;

  constructor(capacity: number = MAX_SAMPLES_PER_JOB) {
    if (!Number.isInteger(capacity) || capacity < 2)
      throw new Error(`capacity must be an integer >= 2, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Adds a sample when the job's processed count changed since the last one (or is the first). */
  record(job: FeatureJobObject, atMs: number): void {
    const processed = processedOf(job);
    if (processed === undefined) return;
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    let entry = this.byKey.get(key);
    if (entry === undefined || entry.uid !== job.metadata.uid) {
      entry = { uid: job.metadata.uid, samples: [] };
      this.byKey.set(key, entry);
    }
    const last = entry.samples.at(-1);
    if (last !== undefined && last.processed === processed) return;
    entry.samples.push({ atMs, processed });
    if (entry.samples.length > this.capacity) entry.samples.splice(0, entry.samples.length - this.capacity);
  }

  forget(job: FeatureJobObject): void {
    this.byKey.delete(`${job.metadata.namespace}/${job.metadata.name}`);
  }

  /** The samples of this very job (same uid), oldest first. */
  samples(job: FeatureJobObject): readonly ProgressSample[] {
    const entry = this.byKey.get(`${job.metadata.namespace}/${job.metadata.name}`);
    return entry === undefined || entry.uid !== job.metadata.uid ? [] : entry.samples;
  }
}
