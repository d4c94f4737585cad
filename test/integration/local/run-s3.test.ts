import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { restrictedCredentials } from '../../support/minio-restricted-credentials.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { cliEnv, runCli } from '../../support/run-cli.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writeEdgeCaseImages, writePlainImages, type Expectation } from '../../support/write-test-images.js';

describe('featurejob run from and to S3 (MinIO)', () => {
  let minio: MinioServer;
  let root: string;
  let expected: Map<string, Expectation>;

  before(async () => {
    minio = await startMinio();
    await minio.createBucket('photos');
    await minio.createBucket('features');
    root = await mkdtemp(join(tmpdir(), 'fj-s3-'));
    expected = new Map([
      ...(await writePlainImages(join(root, 'images'), { count: 6 })),
      ...(await writeEdgeCaseImages(join(root, 'images'))),
    ]);
    await uploadDirectory(
      join(root, 'images'),
      new S3Store({ client: minio.client, bucket: 'photos', prefix: 'fruits/train' }),
    );
  });
  after(async () => {
    await minio?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('reads an S3 prefix and writes shards, errors and the manifest to another prefix', async () => {
    const result = await runCli(
      [
        'run',
        '--weights',
        'random',
        's3://photos/fruits/train',
        '--out',
        's3://features/run1',
        '--partitions',
        '2',
        '--progress',
        'none',
        '--s3-endpoint',
        minio.endpoint,
      ],
      { env: cliEnv(minio.env()) },
    );
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new S3Store({ client: minio.client, bucket: 'features', prefix: 'run1' }));
    assertEachImageOnce(output, expected);
    assert.equal(output.manifest.input.uri, 's3://photos/fruits/train');
    assert.match(output.manifest.partitions[0]?.uri ?? '', /^s3:\/\/features\/run1\/features\/part-00000-.*\.parquet$/);
    assert.equal(output.manifest.errorsUri, 's3://features/run1/errors.jsonl');
  });

  test('AWS_ENDPOINT_URL_S3 alone is enough to reach an S3-compatible store', async () => {
    const result = await runCli(
      [
        'run',
        '--weights',
        'random',
        's3://photos/fruits/train/Apple',
        '--out',
        's3://features/run2',
        '--progress',
        'none',
      ],
      { env: cliEnv(minio.env()) },
    );
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new S3Store({ client: minio.client, bucket: 'features', prefix: 'run2' }));
    assert.equal(output.manifest.images.total, 2);
  });

  test('an object that answers 403 becomes an FJ_OBJECT_FORBIDDEN error line and the job goes on', async () => {
    const credentials = await restrictedCredentials(minio, {
      bucket: 'photos',
      denyGetKeys: ['fruits/train/Apple/r0_0.jpg'],
    });
    const env = cliEnv({
      ...minio.env(),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    });
    const result = await runCli(
      ['run', '--weights', 'random', 's3://photos/fruits/train', '--out', 's3://photos/out-403', '--progress', 'none'],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new S3Store({ client: minio.client, bucket: 'photos', prefix: 'out-403' }));
    assertEachImageOnce(output, new Map([...expected, ['Apple/r0_0.jpg', 'FJ_OBJECT_FORBIDDEN']]));
  });

  test('unreachable S3 is a clear error with a non-zero exit and no manifest', async () => {
    const out = join(root, 'unreachable-out');
    const env = cliEnv({ ...minio.env(), AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    const result = await runCli(
      ['run', '--weights', 'random', 's3://photos/fruits/train', '--out', out, '--progress', 'none'],
      { env },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /FJ_STORAGE_UNREACHABLE/);
    await assert.rejects(stat(join(out, 'manifest.json')), { code: 'ENOENT' });
  });

  test('unauthorised S3 is a clear error with a non-zero exit and no manifest', async () => {
    const out = join(root, 'denied-out');
    const env = cliEnv({ ...minio.env(), AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    const result = await runCli(
      ['run', '--weights', 'random', 's3://photos/fruits/train', '--out', out, '--progress', 'none'],
      { env },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /FJ_STORAGE_ACCESS_DENIED/);
    await assert.rejects(stat(join(out, 'manifest.json')), { code: 'ENOENT' });
  });
});
