import type { FeatureJobSpec } from '../../crds/feature-job-spec.js';
import type { FeatureJobStatus, Phase } from '../../crds/feature-job-status.js';
import { computeConditions } from './compute-conditions.js';
import { computeFailedPod } from './compute-failed-pod.js';
import { computeFailedRanges } from './compute-failed-ranges.js';
import { computeDesiredConditions, type Decision, type World } from './compute-feature-job-state.js';

function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Images per second from the start until now, refreshed only when the counts moved or the
 * phase changed (the job finished, say): a job that makes no progress keeps the status it
 * has, so a steady world is not rewritten at every resync just because the clock moved.
 */
export function computeThroughput(options: {
  previous: FeatureJobStatus | undefined;
  phase: Phase;
  processed: number;
  startTime: string;
  until: number;
}): string | undefined {
  const { previous, processed } = options;
  const previousProcessed =
    previous?.images === undefined ? undefined : previous.images.succeeded + previous.images.failed;
  if (previous?.throughput !== undefined && previous.phase === options.phase && previousProcessed === processed)
    return previous.throughput;
  const elapsedSeconds = (options.until - Date.parse(options.startTime)) / 1000;
  return processed > 0 && elapsedSeconds > 0 ? `${(processed / elapsedSeconds).toFixed(1)} img/s` : undefined;
}

/** The status for a decision: computed on a copy, written in one patch (KubeRay's rule). */
export function buildStatus(options: {
  readonly world: World;
  readonly decision: Decision;
  readonly spec: FeatureJobSpec;
  readonly generation: number;
  readonly manifestUri: string | undefined;
}): FeatureJobStatus {
  const { world, decision, spec, generation } = options;
  const { previous, now, output } = world;
  // Another job's plan or manifest says nothing about this FeatureJob.
  const plan = decision.foreignOutput === true ? undefined : output?.plan;
  const manifest = decision.foreignOutput === true ? undefined : output?.manifest;
  const startTime = previous?.startTime ?? formatTime(now);
  const finished = decision.phase === 'Complete' || decision.phase === 'Failed';
  const completionTime = finished ? (previous?.completionTime ?? formatTime(now)) : undefined;
  const status: FeatureJobStatus = {
    observedGeneration: generation,
    phase: decision.phase,
    conditions: computeConditions({
      previous: previous?.conditions,
      desired: computeDesiredConditions(decision, spec, previous?.conditions),
      generation,
      now,
    }),
    startTime,
    ...(completionTime === undefined ? {} : { completionTime }),
    model:
      plan === undefined ? `vgg16 ${spec.model.weights}` : `${plan.model.name} ${plan.model.weights}`.slice(0, 256),
  };
  if (plan !== undefined && output !== undefined) {
    const succeeded = manifest?.images.succeeded ?? output.committed.succeeded;
    const failed = manifest?.images.failed ?? output.committed.failed;
    const total = plan.partitions.length;
    const committed = manifest === undefined ? output.committed.partitions : total;
    status.images = { total: plan.images, succeeded, failed };
    status.partitions = {
      total,
      succeeded: committed,
      failed: decision.failedPartitions.length,
      active: finished ? 0 : (world.extractJob?.status?.active ?? 0),
    };
    status.progress = { images: `${succeeded + failed}/${plan.images}`, partitions: `${committed}/${total}` };
    const throughput = computeThroughput({
      previous,
      phase: decision.phase,
      processed: succeeded + failed,
      startTime,
      until: completionTime === undefined ? now.getTime() : Date.parse(completionTime),
    });
    if (throughput !== undefined) status.throughput = throughput;
  }
  if (decision.failedPartitions.length > 0) status.failedPartitions = computeFailedRanges(decision.failedPartitions);
  const retries: Record<string, number> = {};
  for (const failure of decision.podFailures) retries[failure.reason] = (retries[failure.reason] ?? 0) + 1;
  if (Object.keys(retries).length > 0) status.retries = retries;
  if (world.extractJob !== undefined) status.executorJob = world.extractJob.metadata.name;
  if (options.manifestUri !== undefined) status.manifestUri = options.manifestUri;
  const failedPod = computeFailedPod(
    [...world.plannerPods, ...world.executorPods, ...(world.pcaPods ?? [])],
    previous?.failedPod,
  );
  if (failedPod !== undefined) status.failedPod = failedPod;
  return status;
}
