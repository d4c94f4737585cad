import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commitPartition, readCommitMarker } from '../../../executor/commit/commit-partition.js';
import { attemptErrorsKey, shardKey } from '../../../executor/plan/partition-naming.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import type { ObjectStore } from '../../../executor/storage/object-store.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';

async function race(store: ObjectStore): Promise<void> {
  const attempts = Array.from({ length: 6 }, (_, i) => `attempt${i}`);
  const outcomes = await Promise.all(
    attempts.map((attempt) =>
      commitPartition(store, {
        index: 7,
        attempt,
        shardKey: shardKey(7, attempt, 'parquet'),
        shard: Buffer.from(`shard of ${attempt}`),
        errorsKey: attemptErrorsKey(7, attempt),
        errorLines: '',
        rows: 1,
        failed: 0,
        failuresByCode: {},
      }),
    ),
  );
  const winners = outcomes.filter((outcome) => outcome.outcome === 'committed');
  assert.equal(winners.length, 1, 'exactly one attempt commits');
  const winner = winners[0]?.marker.attempt as string;
  for (const outcome of outcomes) assert.equal(outcome.marker.attempt, winner, 'losers report the winner');
  assert.equal((await readCommitMarker(store, 7))?.attempt, winner);
  const left: string[] = [];
  for await (const object of store.list()) left.push(object.key);
  assert.deepEqual(left.sort(), [`_featurejob/commits/part-00007.json`, attemptErrorsKey(7, winner), shardKey(7, winner, 'parquet')].sort(), 'losing attempts deleted their files');
}

describe('exactly-once partition commit', () => {
  let minio: MinioServer;
  let dir: string;
  before(async () => {
    minio = await startMinio();
    await minio.createBucket('out');
    dir = await mkdtemp(join(tmpdir(), 'fj-commit-'));
  });
  after(async () => {
    await minio?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('on files, one of six concurrent attempts wins and the others clean up', () => race(new FileStore({ dir: dir })));
  test('on S3 (If-None-Match: *), one of six concurrent attempts wins and the others clean up', () =>
    race(new S3Store({ client: minio.client, bucket: 'out', prefix: 'job' })));
});
