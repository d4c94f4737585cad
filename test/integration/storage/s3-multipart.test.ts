/**
 * S3Store's multipart puts against a real MinIO: a body over the threshold goes up in parts
 * and reads back whole; a part that fails (500, or a reset connection) aborts the upload, so
 * no incomplete multipart upload is left behind, and surfaces as a transient error. Faults
 * come from the proxy in front of MinIO (test/support/s3-fault-proxy.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { FeatureJobError, type ErrorCode } from '../../../executor/errors.js';
import { createS3Client } from '../../../executor/storage/s3-client.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { startS3FaultProxy, type S3Fault, type S3RequestFacts } from '../../support/s3-fault-proxy.js';

const MiB = 2 ** 20;
const bucket = 'featurejob-multipart';
/** The proxy sees the path with its query: UploadPart is a PUT with `partNumber` and `uploadId`. */
const isUploadPart = (request: S3RequestFacts): boolean =>
  request.method === 'PUT' && /[?&]partNumber=/.test(request.path) && /[?&]uploadId=/.test(request.path);
const isPartNumber =
  (n: number) =>
  (request: S3RequestFacts): boolean =>
    isUploadPart(request) && new RegExp(`[?&]partNumber=${n}(&|$)`).test(request.path);

function transientWithCode(code: ErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof FeatureJobError, `expected a FeatureJobError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.isTransient, true);
    return true;
  };
}

describe('S3Store multipart puts against MinIO', { timeout: 15 * 60_000 }, () => {
  let server: MinioServer;

  before(async () => {
    server = await startMinio();
    await server.createBucket(bucket);
  });
  after(async () => {
    await server?.stop();
  });

  const clientThrough = (endpoint: string): S3Client =>
    createS3Client({
      endpoint,
      region: server.region,
      maxAttempts: 3,
      credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
    });
  /** A store through a proxy with `rules`, multipart above 6 MiB in parts of 5 MiB. */
  const withProxy = async (
    rules: Parameters<typeof startS3FaultProxy>[1],
    test: (store: S3Store, injected: Readonly<Record<S3Fault['kind'], number>>) => Promise<void>,
  ): Promise<void> => {
    const proxy = await startS3FaultProxy(server.endpoint, rules);
    const client = clientThrough(proxy.endpoint);
    try {
      const store = new S3Store({
        client,
        bucket,
        prefix: 'shards',
        multipartThresholdBytes: 6 * MiB,
        partBytes: 5 * MiB,
      });
      await test(store, proxy.injected);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  };
  /** Incomplete uploads of a key (MinIO lists them by the object's full key as prefix). */
  const uploadsOf = async (key: string): Promise<string[]> => {
    const listed = await server.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    return (listed.Uploads ?? []).filter((upload) => upload.Key === key).map((upload) => upload.UploadId ?? '');
  };

  it('lists an incomplete upload until it is aborted (so an empty listing below means something)', async () => {
    const key = 'shards/left-open.parquet';
    const created = await server.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(await uploadsOf(key), [created.UploadId]);
    await server.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId }));
    assert.deepEqual(await uploadsOf(key), []);
  });

  it('puts a body over the threshold in parts, and it reads back byte for byte', async () => {
    const body = randomBytes(12 * MiB + 1);
    await withProxy([{ match: isUploadPart, faults: [{ kind: 'pass' }], cycle: true }], async (store, injected) => {
      await store.put('part-00000-a.parquet', body);
      assert.equal(injected.pass, 3, 'three UploadPart requests: 5 MiB, 5 MiB and the rest');
      assert.ok(Buffer.from(await store.get('part-00000-a.parquet')).equals(body));
    });
    const head = await server.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'shards/part-00000-a.parquet' }),
    );
    assert.match(head.ETag ?? '', /-3"?$/, 'a multipart ETag names its part count');
    assert.equal(head.ContentLength, body.length);
    assert.deepEqual(await uploadsOf('shards/part-00000-a.parquet'), []);
  });

  it('keeps bodies at the threshold and create-only writes as single PUTs', async () => {
    await withProxy([{ match: isUploadPart, faults: [{ kind: 'pass' }], cycle: true }], async (store, injected) => {
      await store.put('small.json', randomBytes(6 * MiB));
      assert.equal(await store.putIfAbsent('marker.json', randomBytes(7 * MiB)), true);
      assert.equal(injected.pass, 0);
    });
  });

  it('aborts the upload when a part keeps failing with 500, and throws a transient FJ_STORAGE_FAILED', async () => {
    const key = 'part-00001-a.parquet';
    await withProxy(
      [{ match: isPartNumber(2), faults: [{ kind: 'error', status: 500, code: 'InternalError' }], cycle: true }],
      async (store, injected) => {
        await assert.rejects(store.put(key, randomBytes(12 * MiB)), transientWithCode('FJ_STORAGE_FAILED'));
        assert.equal(injected.error, 3, 'the SDK tried the part three times');
        assert.equal(await store.getIfExists(key), undefined);
      },
    );
    assert.deepEqual(await uploadsOf(`shards/${key}`), [], 'no incomplete multipart upload is left');
  });

  it('aborts the upload when a part connection is reset, and throws a transient FJ_STORAGE_UNREACHABLE', async () => {
    const key = 'part-00002-a.parquet';
    await withProxy([{ match: isPartNumber(1), faults: [{ kind: 'reset' }], cycle: true }], async (store) => {
      await assert.rejects(store.put(key, randomBytes(12 * MiB)), transientWithCode('FJ_STORAGE_UNREACHABLE'));
    });
    assert.deepEqual(await uploadsOf(`shards/${key}`), []);
  });

  it('succeeds when a part fails once: the SDK retries the part, the upload completes', async () => {
    const key = 'part-00003-a.parquet';
    const body = randomBytes(11 * MiB);
    await withProxy(
      [{ match: isPartNumber(2), faults: [{ kind: 'error', status: 503, code: 'SlowDown' }] }],
      async (store, injected) => {
        await store.put(key, body);
        assert.equal(injected.error, 1);
        assert.ok(Buffer.from(await store.get(key)).equals(body));
      },
    );
    assert.deepEqual(await uploadsOf(`shards/${key}`), []);
  });
});
