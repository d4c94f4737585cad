import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManifestSchema } from '../../../executor/output/manifest-schema.js';
import { DELTA_LOG_PREFIX } from '../../../executor/plan/partition-naming.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { deltaStorageOptions, readDeltaVersions } from '../../support/read-delta-table.js';
import { cliEnv, runCli } from '../../support/run-cli.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages } from '../../support/write-test-images.js';

describe('table versions on S3 (MinIO)', () => {
  let minio: MinioServer;
  let root: string;
  let photos: S3Store;
  let features: S3Store;
  const run = () =>
    runCli(
      [
        'run',
        '--weights',
        'random',
        's3://photos/in',
        '--out',
        's3://features/table',
        '--images-per-partition',
        '3',
        '--progress',
        'none',
        '--s3-endpoint',
        minio.endpoint,
      ],
      { env: cliEnv(minio.env()) },
    );

  before(async () => {
    minio = await startMinio();
    await minio.createBucket('photos');
    await minio.createBucket('features');
    root = await mkdtemp(join(tmpdir(), 'fj-versions-s3-'));
    photos = new S3Store({ client: minio.client, bucket: 'photos', prefix: 'in' });
    features = new S3Store({ client: minio.client, bucket: 'features', prefix: 'table' });
  });
  after(async () => {
    await minio?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('two runs racing on the next version: exactly one commit of it, every image once, read from S3 by delta-rs', async () => {
    await writePlainImages(join(root, 'first'), { count: 6, labels: ['Apple', 'Banana'] });
    await uploadDirectory(join(root, 'first'), photos);
    const first = await run();
    assert.equal(first.code, 0, first.stderr);

    // New uploads (ETags the index has not seen), then two runs at once on the same output.
    await writePlainImages(join(root, 'second'), { count: 4, labels: ['Cherry'] });
    await uploadDirectory(join(root, 'second'), photos);
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);

    const commits: string[] = [];
    for await (const object of features.list(DELTA_LOG_PREFIX)) commits.push(object.key.slice(DELTA_LOG_PREFIX.length));
    assert.deepEqual(commits, ['00000000000000000000.json', '00000000000000000001.json']);
    const manifest = ManifestSchema.parse(
      JSON.parse(Buffer.from(await features.get('manifest.json')).toString('utf8')),
    );
    assert.equal(manifest.table?.version, 1);
    assert.equal(manifest.table?.changes?.new, 4);
    assert.equal(manifest.table?.rows, 10);

    const [v0, v1] = readDeltaVersions('s3://features/table/features', [0, 1], deltaStorageOptions(minio));
    assert.ok(v0 !== undefined && v1 !== undefined);
    assert.equal(v0.paths.length, 6);
    assert.equal(v1.paths.length, 10);
    assert.equal(new Set(v1.paths).size, 10, 'each image once');
    assert.ok(v1.paths.filter((path) => path.startsWith('Cherry/')).length === 4);

    const third = await run();
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /^up to date at version 1/m);
  });
});
