import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commitPartition, readCommitMarker } from '../../../executor/commit/commit-partition.js';
import { FP32_PRECISION } from '../../../executor/output/shard-precision.js';
import { attemptErrorsKey, shardKey } from '../../../executor/plan/partition-naming.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import type { ObjectStore } from '../../../executor/storage/object-store.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { createS3Client } from '../../../executor/storage/s3-client.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { isCreateOnlyPut, startS3FaultProxy } from '../../support/s3-fault-proxy.js';

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
        precision: FP32_PRECISION,
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
  assert.deepEqual(
    left.sort(),
    [`_featurejob/commits/part-00007.json`, attemptErrorsKey(7, winner), shardKey(7, winner, 'parquet')].sort(),
    'losing attempts deleted their files',
  );
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

  test('on files, one of six concurrent attempts wins and the others clean up', () =>
    race(new FileStore({ dir: dir })));
  test('on S3 (If-None-Match: *), one of six concurrent attempts wins and the others clean up', () =>
    race(new S3Store({ client: minio.client, bucket: 'out', prefix: 'job' })));

  test('on S3, an attempt whose marker write lost its answer, then got 409 and 412, keeps its commit and its files', async () => {
    const proxy = await startS3FaultProxy(minio.endpoint, [
      {
        match: isCreateOnlyPut,
        faults: [{ kind: 'drop-answer' }, { kind: 'error', status: 409, code: 'ConditionalRequestConflict' }],
      },
    ]);
    const client = createS3Client({
      endpoint: proxy.endpoint,
      region: minio.region,
      maxAttempts: 3,
      credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
    });
    try {
      const store = new S3Store({ client, bucket: 'out', prefix: 'lost-marker-answer' });
      const attempt = 'attempt-lost-answer';
      const outcome = await commitPartition(store, {
        index: 3,
        attempt,
        shardKey: shardKey(3, attempt, 'parquet'),
        shard: Buffer.from('shard'),
        errorsKey: attemptErrorsKey(3, attempt),
        errorLines: '',
        rows: 1,
        failed: 0,
        failuresByCode: {},
        precision: FP32_PRECISION,
      });
      assert.equal(outcome.outcome, 'committed');
      assert.equal((await readCommitMarker(store, 3))?.attempt, attempt);
      const left: string[] = [];
      for await (const object of store.list()) left.push(object.key);
      assert.deepEqual(
        left.sort(),
        ['_featurejob/commits/part-00003.json', attemptErrorsKey(3, attempt), shardKey(3, attempt, 'parquet')].sort(),
        'the committed attempt keeps the files its marker names',
      );
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});
