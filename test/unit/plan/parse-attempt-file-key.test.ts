import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOwnAttemptFile, parseAttemptFileKey } from '../../../executor/plan/parse-attempt-file-key.js';
import {
  attemptErrorsKey,
  groupStatisticsKey,
  shardKey,
  statisticsKey,
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

  it('counts a file as ours only for a partition of the plan', () => {
    assert.equal(isOwnAttemptFile(shardKey(1, 'a1', 'parquet'), 2), true);
    assert.equal(isOwnAttemptFile(shardKey(2, 'a1', 'parquet'), 2), false);
  });
});
