/**
 * The largest realistic FeatureJob status: 20,000 partitions with every other one failed (the
 * worst case for ranges), 16 conditions with messages at the cap, every retry cause counted.
 * Shared by the size test and the API-server test that stores it.
 */
import {
  CONDITION_TYPES,
  MAX_CONDITION_MESSAGE_LENGTH,
  type Condition,
  type FeatureJobStatus,
} from '../../../crds/feature-job-status.js';
import { computeFailedRanges } from '../../../operator/controller/compute-failed-ranges.js';

export const LARGEST_STATUS_PARTITIONS = 20_000;
const IMAGES_PER_PARTITION = 256;
const TIME = '2025-06-30T23:59:59Z';

/** A message at the cap, as the operator leaves a long one (a scheduler's, say). */
function buildCappedMessage(seed: string): string {
  return `${seed}: ${'0/100 nodes are available: 100 Insufficient memory. '.repeat(40)}`.slice(
    0,
    MAX_CONDITION_MESSAGE_LENGTH,
  );
}

/** The five condition types, then transient ones up to the list's bound (16). */
function buildConditions(): Condition[] {
  const extra = Array.from({ length: 16 - CONDITION_TYPES.length }, (_, i) => `PartitionRetrying${i + 1}`);
  return [...CONDITION_TYPES, ...extra].map((type) => ({
    type,
    status: 'True' as const,
    observedGeneration: 123_456,
    lastTransitionTime: TIME,
    reason: 'ExecutorPodsUnschedulableBecauseOfInsufficientMemory',
    message: buildCappedMessage(type),
  }));
}

export function buildLargestStatus(): FeatureJobStatus {
  const partitions = LARGEST_STATUS_PARTITIONS;
  const failed = Array.from({ length: partitions / 2 }, (_, i) => 2 * i + 1);
  const images = partitions * IMAGES_PER_PARTITION;
  return {
    observedGeneration: 123_456,
    phase: 'Running',
    conditions: buildConditions(),
    images: { total: images, succeeded: images / 2, failed: images / 2 },
    partitions: { total: partitions, succeeded: partitions / 2, failed: failed.length, active: 0 },
    progress: { images: `${images}/${images}`, partitions: `${partitions}/${partitions}` },
    failedPartitions: computeFailedRanges(failed),
    retries: Object.fromEntries(
      [
        'OOMKilled',
        'Evicted',
        'DeadlineExceeded',
        'ImagePullBackOff',
        'Unschedulable',
        'StorageThrottled',
        'NodeShutdown',
        'Preempted',
      ].map((cause) => [cause, 999_999]),
    ),
    throughput: '12345.6 images/s',
    model: `vgg16 s3://models/${'m'.repeat(160)}.onnx sha256:${'f'.repeat(64)}`.slice(0, 256),
    executorJob: `fruits-${'x'.repeat(56)}`,
    startTime: TIME,
    completionTime: TIME,
    manifestUri: `s3://features/${'p'.repeat(1000)}/manifest.json`,
  };
}
