import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewrittenShardKey, shardKey } from '../../../executor/plan/partition-naming.js';
import { parseDataFileKey } from '../../../executor/table/parse-data-file-key.js';

describe('parseDataFileKey', () => {
  it('recognises the shards and rewrites of every version, with the version that wrote them', () => {
    assert.deepEqual(parseDataFileKey(shardKey(3, 'almq2x0c1a2b3c4', 'parquet')), {
      kind: 'shard',
      version: 0,
      index: 3,
    });
    assert.deepEqual(parseDataFileKey(shardKey(0, 'a1', 'parquet', 1)), { kind: 'shard', version: 1, index: 0 });
    assert.deepEqual(parseDataFileKey(shardKey(12, 'a1', 'csv', 27)), { kind: 'shard', version: 27, index: 12 });
    assert.deepEqual(parseDataFileKey(rewrittenShardKey(2, 'a0a5d2be65acc412')), { kind: 'rewrite', version: 2 });
  });

  it('takes any other name under features/ for a user file', () => {
    for (const key of [
      'features/keep.txt',
      'features/README.md',
      'features/mine.parquet',
      'features/v0-part-00000-a1.parquet',
      'features/v01-part-00000-a1.parquet',
      'features/v1-rewrite-xyz.parquet',
      'features/v1-rewrite-a0a5d2be65acc412.parquet.bak',
      'features/sub/v1-part-00000-a1.parquet',
      'features/_delta_log/00000000000000000000.json',
    ]) {
      assert.equal(parseDataFileKey(key), undefined, key);
    }
  });
});
