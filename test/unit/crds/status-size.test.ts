import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FeatureJobStatusSchema,
  MAX_CONDITION_MESSAGE_LENGTH,
  MAX_FAILED_POD_LOG_TAIL_LENGTH,
  MAX_FAILED_PARTITIONS_LENGTH,
  type FeatureJobStatus,
} from '../../../crds/feature-job-status.js';
import { buildLargestStatus, LARGEST_STATUS_PARTITIONS as PARTITIONS } from './build-largest-status.js';

/** The size the status of any FeatureJob must stay under (etcd refuses objects over 1.5 MiB). */
const STATUS_BUDGET_BYTES = 64 * 1024;

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

describe('FeatureJob status size', () => {
  test('stays below 64 KiB for 20,000 partitions with every other one failed', (t) => {
    const status = FeatureJobStatusSchema.parse(buildLargestStatus());
    const bytes = jsonBytes(status);
    t.diagnostic(`status of ${PARTITIONS} partitions, ${PARTITIONS / 2} failed, 16 conditions: ${bytes} bytes`);
    assert.match(status.failedPartitions ?? '', /…\(\+\d+ more\)$/);
    assert.ok(bytes < STATUS_BUDGET_BYTES, `${bytes} bytes`);
  });

  test('stays below 64 KiB even with every ASCII string at its schema maximum', (t) => {
    const longest = buildLargestStatus();
    const status: FeatureJobStatus = {
      ...longest,
      conditions: longest.conditions!.map((condition, i) => ({
        ...condition,
        type: `${i}`.padEnd(316, 'T'),
        reason: `R${i}`.padEnd(1024, 'r'),
        message: 'm'.repeat(MAX_CONDITION_MESSAGE_LENGTH),
        lastTransitionTime: 't'.repeat(64),
      })),
      failedPartitions: 'f'.repeat(MAX_FAILED_PARTITIONS_LENGTH + 32),
      retries: Object.fromEntries(
        Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(64, 'c'), Number.MAX_SAFE_INTEGER]),
      ),
      progress: { images: 'i'.repeat(64), partitions: 'p'.repeat(64) },
      throughput: 't'.repeat(64),
      model: 'm'.repeat(256),
      executorJob: 'e'.repeat(253),
      startTime: 's'.repeat(64),
      completionTime: 'c'.repeat(64),
      manifestUri: 'u'.repeat(2048),
      failedPod: {
        name: 'n'.repeat(253),
        logUri: 'l'.repeat(2048),
        logTail: 'x'.repeat(MAX_FAILED_POD_LOG_TAIL_LENGTH),
      },
    };
    const bytes = jsonBytes(FeatureJobStatusSchema.parse(status));
    t.diagnostic(`status with every field at its maximum: ${bytes} bytes`);
    assert.ok(bytes < STATUS_BUDGET_BYTES, `${bytes} bytes`);
  });
});
