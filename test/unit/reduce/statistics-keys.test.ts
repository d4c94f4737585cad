import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import type { ManifestPartition } from '../../../executor/output/manifest-schema.js';
import { groupStatisticsKey, statisticsKey } from '../../../executor/plan/partition-naming.js';
import { computeCommittedAttempt, computeStatisticsKey } from '../../../executor/reduce/statistics-keys.js';

const partition = (index: number, uri: string): ManifestPartition => ({
  index,
  uri,
  rows: 1,
  failed: 0,
  sha256: '0'.repeat(64),
  bytes: 1,
});

describe('statistics keys', () => {
  it('reads the committed attempt back from a shard URI, on S3 and in a directory', () => {
    assert.deepEqual(
      computeCommittedAttempt(partition(3, 's3://out/job/features/part-00003-am1x2f9.parquet'), 'parquet'),
      { partition: 3, attempt: 'am1x2f9' },
    );
    assert.deepEqual(computeCommittedAttempt(partition(123456, '/data/out/features/part-123456-a-b.csv'), 'csv'), {
      partition: 123456,
      attempt: 'a-b',
    });
  });

  it("refuses a URI that is not the partition's committed shard", () => {
    for (const uri of [
      's3://out/features/part-00004-a1.parquet',
      's3://out/features/part-00003-a1.csv',
      's3://out/part-00003-a1.parquet',
      's3://out/features/part-00003-.parquet',
    ]) {
      assert.throws(
        () => computeCommittedAttempt(partition(3, uri), 'parquet'),
        (error) => isFeatureJobError(error) && error.code === 'FJ_MANIFEST_INVALID',
        uri,
      );
    }
  });

  it('keeps the extraction key for a lone partition and names a group by its range and attempts', () => {
    assert.equal(computeStatisticsKey([{ partition: 7, attempt: 'a7' }]), statisticsKey(7, 'a7'));
    const group = computeStatisticsKey([
      { partition: 1, attempt: 'a1' },
      { partition: 4, attempt: 'a4' },
    ]);
    assert.match(group, new RegExp(`^${groupStatisticsKey(1, 4, 'x').replace('x.f64', '')}[0-9a-f]{16}\\.f64$`));
    assert.notEqual(
      computeStatisticsKey([
        { partition: 1, attempt: 'a1' },
        { partition: 4, attempt: 'b4' },
      ]),
      group,
      'another attempt, another key',
    );
  });
});
