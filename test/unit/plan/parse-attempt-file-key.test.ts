import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOwnAttemptFile, parseAttemptFileKey } from '../../../executor/plan/parse-attempt-file-key.js';
import {
  attemptErrorsKey,
  groupStatisticsKey,
  partitionLogKey,
  shardKey,
  statisticsKey,
  taskLogKey,
} from '../../../executor/plan/partition-naming.js';

describe('parseAttemptFileKey', () => {
  it('recognises every per-attempt name featurejob writes, with its partition', () => {
    assert.deepEqual(parseAttemptFileKey(shardKey(3, 'almq2x0c1a2b3c4', 'parquet')), { kind: 'shard', index: 3 });
    assert.deepEqual(parseAttemptFileKey(shardKey(12, 'a1', 'csv')), { kind: 'shard', index: 12 });
    assert.deepEqual(parseAttemptFileKey(attemptErrorsKey(7, 'a1')), { kind: 'errors', index: 7 });
    assert.deepEqual(parseAttemptFileKey(statisticsKey(2, 'a1')), { kind: 'statistics', index: 2 });
    assert.deepEqual(parseAttemptFileKey(groupStatisticsKey(0, 7, 'd41d8cd9')), { kind: 'statistics', index: 0 });
  });

  it('recognises nothing a user might keep beside them', () => {
    for (const key of [
      'features/keep.txt',
      'features/README.md',
      'features/part-00000.parquet',
      'features/part-00000-a1.parquet.bak',
      'features/sub/part-00000-a1.parquet',
      'features/part-0-a1.parquet',
      '_featurejob/errors/notes.txt',
      'manifest.json',
      'errors.jsonl',
    ]) {
      assert.equal(parseAttemptFileKey(key), undefined, key);
    }
  });

  it('leaves the log tails of failed attempts alone: they are kept for people, not cleaned up', () => {
    const keys = [
      partitionLogKey(3, 'a1'),
      partitionLogKey(3, 'a1', 2),
      taskLogKey('plan', 'a1'),
      taskLogKey('pca-project', 'a1', 4),
    ];
    assert.deepEqual(keys, [
      '_featurejob/logs/part-00003-a1.log',
      '_featurejob/logs/v2-part-00003-a1.log',
      '_featurejob/logs/plan-a1.log',
      '_featurejob/logs/pca-project-part-00004-a1.log',
    ]);
    for (const key of keys) {
      for (const version of [0, 2]) assert.equal(parseAttemptFileKey(key, version), undefined, key);
    }
  });

  it('counts a file as ours only for a partition of the plan', () => {
    assert.equal(isOwnAttemptFile(shardKey(1, 'a1', 'parquet'), 2), true);
    assert.equal(isOwnAttemptFile(shardKey(2, 'a1', 'parquet'), 2), false);
  });
});
