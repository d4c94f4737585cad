import assert from 'node:assert/strict';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { after, before, describe, it } from 'node:test';
import { FeatureJobError, type ErrorCode } from '../../../executor/errors.js';
import { compareKeys } from '../../../executor/storage/file-store.js';
import type { ObjectStore, StoredObject } from '../../../executor/storage/object-store.js';
import { openStore } from '../../../executor/storage/open-store.js';
import { createS3Client } from '../../../executor/storage/s3-client.js';
import { isCreateOnlyPut, startS3FaultProxy } from '../../support/s3-fault-proxy.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { freePort, startMinio, type MinioServer } from '../../support/minio-server.js';
import { restrictedCredentials } from '../../support/minio-restricted-credentials.js';

async function listAll(store: ObjectStore, prefix?: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  return objects;
}

function hasCode(code: ErrorCode): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof FeatureJobError, `expected a FeatureJobError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/**
 * An HTTP proxy to MinIO that forwards the first conditional PUT but drops MinIO's answer
 * (closing the connection), as a network failure after the write would.
 */
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

// The first MinIO build takes minutes (later runs use the cached binary).
describe('S3Store against MinIO', { timeout: 15 * 60_000 }, () => {
  let server: MinioServer;
  const bucket = 'featurejob-test';

  before(async () => {
    server = await startMinio();
    await server.createBucket(bucket);
  });
  after(async () => {
    await server?.stop();
  });

  const storeAt = (prefix: string, options: { pageSize?: number } = {}): S3Store =>
    new S3Store({ client: server.client, bucket, prefix, ...options });

  it('lists every object under its prefix across pages, in UTF-8 byte order, skipping folder markers', async () => {
    const store = storeAt('listing/', { pageSize: 7 });
    const keys = Array.from({ length: 40 }, (_, index) => `Plum ${index % 3}/r0_${index}.jpg`);
    keys.push('a-b', 'a/x', 'a0', 'Z', 'é', '\uFF61', '😀');
    await Promise.all(keys.map((key, index) => store.put(key, 'x'.repeat(index))));
    // A console-made folder marker and a sibling prefix that only shares the characters.
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'listing/Plum 0/', Body: new Uint8Array() }));
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'listing-other/x.jpg', Body: 'x' }));

    const listed = await listAll(store);
    const expected = [...keys].sort(compareKeys);
    assert.deepEqual(
      listed.map((object) => object.key),
      expected,
    );
    assert.deepEqual(
      listed.map((object) => object.size),
      expected.map((key) => keys.indexOf(key)),
    );
    assert.deepEqual(
      (await listAll(store, 'Plum 1/')).map((object) => object.key),
      keys.filter((key) => key.startsWith('Plum 1/')).sort(compareKeys),
    );
  });

  it('writes, reads, replaces and deletes objects, and names them by s3 URI', async () => {
    const store = storeAt('/rw/');
    assert.equal(store.uri, `s3://${bucket}/rw`);
    assert.equal(store.uriOf('a/b.txt'), `s3://${bucket}/rw/a/b.txt`);
    await store.put('a/b.txt', 'first');
    await store.put('a/b.txt', new Uint8Array(Buffer.from('second')));
    assert.equal(text(await store.get('a/b.txt')), 'second');
    await store.delete('a/b.txt');
    await store.delete('a/b.txt');
    assert.equal(await store.getIfExists('a/b.txt'), undefined);
  });

  it('reports a missing object as FJ_OBJECT_MISSING', async () => {
    await assert.rejects(storeAt('rw').get('does/not/exist.jpg'), hasCode('FJ_OBJECT_MISSING'));
  });

  it('creates an object once with putIfAbsent: MinIO answers 412 to If-None-Match on an existing key', async () => {
    const store = storeAt('commit-once');
    assert.equal(await store.putIfAbsent('_commits/part-00001', 'attempt-a'), true);
    assert.equal(await store.putIfAbsent('_commits/part-00001', 'attempt-b'), false);
    assert.equal(text(await store.get('_commits/part-00001')), 'attempt-a');
  });

  it("lets exactly one of ten concurrent putIfAbsent calls win, and keeps the winner's content", async () => {
    const store = storeAt('commit-race');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.putIfAbsent('marker', `attempt-${index}`)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(text(await store.get('marker')), `attempt-${results.indexOf(true)}`);
  });

  const clientThrough = (endpoint: string): S3Client =>
    createS3Client({
      endpoint,
      region: server.region,
      maxAttempts: 3,
      credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
    });

  it('counts a create whose answer was lost and whose retry got 412 as its own win', async () => {
    const proxy = await startS3FaultProxy(server.endpoint, [
      { match: isCreateOnlyPut, faults: [{ kind: 'drop-answer' }] },
    ]);
    const client = clientThrough(proxy.endpoint);
    try {
      const store = new S3Store({ client, bucket, prefix: 'lost-answer' });
      assert.equal(await store.putIfAbsent('marker', 'attempt-a'), true);
      assert.equal(await store.putIfAbsent('marker', 'attempt-b'), false);
      assert.equal(text(await storeAt('lost-answer').get('marker')), 'attempt-a');
      assert.equal(proxy.injected['drop-answer'], 1);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });

  it('counts a create whose answer was lost, then answered 409 and then 412, as its own win', async () => {
    const proxy = await startS3FaultProxy(server.endpoint, [
      {
        match: isCreateOnlyPut,
        faults: [{ kind: 'drop-answer' }, { kind: 'error', status: 409, code: 'ConditionalRequestConflict' }],
      },
    ]);
    const client = clientThrough(proxy.endpoint);
    try {
      const store = new S3Store({ client, bucket, prefix: 'lost-then-conflict' });
      assert.equal(await store.putIfAbsent('marker', 'attempt-a'), true);
      assert.equal(text(await storeAt('lost-then-conflict').get('marker')), 'attempt-a');
      assert.deepEqual([proxy.injected['drop-answer'], proxy.injected.error], [1, 1]);
      // Another writer's create on the same key still loses.
      assert.equal(await store.putIfAbsent('marker', 'attempt-b'), false);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });

  it('reports wrong credentials as FJ_STORAGE_ACCESS_DENIED, for listing and for reading', async () => {
    const client = createS3Client({
      endpoint: server.endpoint,
      region: server.region,
      maxAttempts: 1,
      credentials: { accessKeyId: server.accessKey, secretAccessKey: 'not-the-secret' },
    });
    try {
      const store = new S3Store({ client, bucket, prefix: 'rw' });
      await assert.rejects(listAll(store), hasCode('FJ_STORAGE_ACCESS_DENIED'));
      await assert.rejects(store.get('a.txt'), hasCode('FJ_STORAGE_ACCESS_DENIED'));
      await assert.rejects(store.put('a.txt', 'x'), hasCode('FJ_STORAGE_ACCESS_DENIED'));
    } finally {
      client.destroy();
    }
  });

  it('reports a closed port as FJ_STORAGE_UNREACHABLE', async () => {
    const port = await freePort();
    const client = createS3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: server.region,
      maxAttempts: 1,
      credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
    });
    try {
      const store = new S3Store({ client, bucket });
      await assert.rejects(listAll(store), hasCode('FJ_STORAGE_UNREACHABLE'));
      await assert.rejects(store.putIfAbsent('x', 'y'), hasCode('FJ_STORAGE_UNREACHABLE'));
      await assert.rejects(store.get('x'), hasCode('FJ_STORAGE_UNREACHABLE'));
    } finally {
      client.destroy();
    }
  });

  it('reports a bucket that does not exist as FJ_STORAGE_NOT_FOUND', async () => {
    const store = new S3Store({ client: server.client, bucket: 'no-such-bucket', prefix: 'x' });
    await assert.rejects(listAll(store), hasCode('FJ_STORAGE_NOT_FOUND'));
    await assert.rejects(store.put('a', 'b'), hasCode('FJ_STORAGE_NOT_FOUND'));
    await assert.rejects(store.get('a'), hasCode('FJ_STORAGE_NOT_FOUND'));
  });

  it('reports one forbidden object as FJ_OBJECT_FORBIDDEN while its neighbours stay readable', async () => {
    const store = storeAt('forbidden');
    await store.put('Plum 1/ok.jpg', 'readable');
    await store.put('Plum 1/denied.jpg', 'hidden');
    const credentials = await restrictedCredentials(server, { bucket, denyGetKeys: ['forbidden/Plum 1/denied.jpg'] });
    const client = createS3Client({ endpoint: server.endpoint, region: server.region, maxAttempts: 1, credentials });
    try {
      const restricted = new S3Store({ client, bucket, prefix: 'forbidden' });
      assert.deepEqual(
        (await listAll(restricted)).map((object) => object.key),
        ['Plum 1/denied.jpg', 'Plum 1/ok.jpg'],
      );
      assert.equal(text(await restricted.get('Plum 1/ok.jpg')), 'readable');
      await assert.rejects(restricted.get('Plum 1/denied.jpg'), hasCode('FJ_OBJECT_FORBIDDEN'));
    } finally {
      client.destroy();
    }
  });

  it('reaches MinIO through AWS_ENDPOINT_URL_S3 and the standard credential chain, as the CLI does', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, server.env());
    delete process.env.AWS_PROFILE;
    try {
      const client = createS3Client();
      try {
        const store = openStore(`s3://${bucket}/env-chain/`, { s3Client: () => client });
        assert.equal(store.uri, `s3://${bucket}/env-chain`);
        await store.put('hello.txt', 'from env');
        assert.equal(text(await storeAt('env-chain').get('hello.txt')), 'from env');
      } finally {
        client.destroy();
      }
    } finally {
      for (const name of Object.keys(server.env())) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});
