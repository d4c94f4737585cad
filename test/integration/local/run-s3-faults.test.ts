import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { cliEnv, runCli } from '../../support/run-cli.js';
import { isCreateOnlyPut, startS3FaultProxy, type S3FaultProxy } from '../../support/s3-fault-proxy.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages, type Expectation } from '../../support/write-test-images.js';

/** `featurejob run` from and to S3 through the fault proxy (docs/reliability.md). */
describe('featurejob run against a faulty S3', () => {
  let minio: MinioServer;
  let root: string;
  let expected: Map<string, Expectation>;

  before(async () => {
    minio = await startMinio();
    await minio.createBucket('photos');
    await minio.createBucket('features');
    root = await mkdtemp(join(tmpdir(), 'fj-s3-faults-'));
    expected = await writePlainImages(join(root, 'images'), { count: 10 });
    await uploadDirectory(
      join(root, 'images'),
      new S3Store({ client: minio.client, bucket: 'photos', prefix: 'train' }),
    );
  });
  after(async () => {
    await minio?.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function runThrough(proxy: S3FaultProxy, out: string): Promise<void> {
    try {
      const env = cliEnv({ ...minio.env(), AWS_ENDPOINT_URL_S3: proxy.endpoint });
      const result = await runCli(
        [
          'run',
          '--weights',
          'random',
          's3://photos/train',
          '--out',
          `s3://features/${out}`,
          '--partitions',
          '3',
          '--progress',
          'none',
        ],
        { env },
      );
      assert.equal(result.code, 0, result.stderr);
    } finally {
      await proxy.stop();
    }
    assertEachImageOnce(
      await readJobOutput(new S3Store({ client: minio.client, bucket: 'features', prefix: out })),
      expected,
    );
    const verified = await runCli(['verify', `s3://features/${out}`], { env: cliEnv(minio.env()) });
    assert.equal(verified.code, 0, verified.stdout);
  }

  test('ends with every image exactly once when one GET in five answers 503 SlowDown', async () => {
    const slowDown = { kind: 'error', status: 503, code: 'SlowDown' } as const;
    const pass = { kind: 'pass' } as const;
    const proxy = await startS3FaultProxy(minio.endpoint, [
      { match: (request) => request.method === 'GET', faults: [slowDown, pass, pass, pass, pass], cycle: true },
    ]);
    await runThrough(proxy, 'slow-down');
    assert.ok(proxy.injected.error >= 4, `${proxy.injected.error} answers of 503`);
  });

  test('has each image exactly once when create-only PUTs (plan, markers, manifest) lose their answer, then 409, then 412', async () => {
    const proxy = await startS3FaultProxy(minio.endpoint, [
      {
        match: isCreateOnlyPut,
        faults: [{ kind: 'drop-answer' }, { kind: 'error', status: 409, code: 'ConditionalRequestConflict' }],
        perPath: true,
      },
    ]);
    await runThrough(proxy, 'lost-answers');
    // The plan index, three commit markers and the manifest: each lost one answer and got one 409.
    assert.deepEqual([proxy.injected['drop-answer'], proxy.injected.error], [5, 5]);
  });

  test("a partition whose shard PUTs answer 500 fails the run, and each attempt's log tail stays in _featurejob/logs/", async () => {
    const internalError = { kind: 'error', status: 500, code: 'InternalError' } as const;
    const proxy = await startS3FaultProxy(minio.endpoint, [
      {
        match: (request) =>
          request.method === 'PUT' && request.path.startsWith('/features/shard-500/features/part-00001-'),
        faults: [internalError],
        cycle: true,
      },
    ]);
    let result: Awaited<ReturnType<typeof runCli>>;
    try {
      const env = cliEnv({ ...minio.env(), AWS_ENDPOINT_URL_S3: proxy.endpoint });
      result = await runCli(
        [
          'run',
          '--weights',
          'random',
          's3://photos/train',
          '--out',
          's3://features/shard-500',
          '--partitions',
          '3',
          '--max-attempts',
          '2',
          '--progress',
          'none',
        ],
        { env },
      );
    } finally {
      await proxy.stop();
    }
    assert.notEqual(result.code, 0, result.stderr);
    const output = new S3Store({ client: minio.client, bucket: 'features', prefix: 'shard-500' });
    const logs: string[] = [];
    for await (const object of output.list('_featurejob/logs/')) logs.push(object.key);
    assert.equal(logs.length, 2, `one log per attempt of partition 1: ${logs.join(', ')}`);
    for (const key of logs) {
      assert.match(key, /^_featurejob\/logs\/part-00001-a[0-9a-z]+\.log$/);
      const text = new TextDecoder().decode(await output.get(key));
      assert.match(text, /"code":"FJ_STORAGE_FAILED"/, text);
      assert.match(text, /features\/part-00001-/, 'the log names the shard it could not write');
    }
    // The retry warning names the first attempt's log, the run's error the last one's.
    const uris = logs.map((key) => output.uriOf(key));
    const named = uris.filter((uri) => result.stderr.includes(uri));
    assert.equal(named.length, 2, result.stderr);
    assert.match(
      result.stderr,
      /partition 1 failed 2 times; last error FJ_STORAGE_FAILED: .*; log: s3:\/\/features\/shard-500\/_featurejob\/logs\/part-00001-/,
    );
  });
});
