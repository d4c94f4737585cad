/**
 * `featurejob models pull|list` and `featurejob run --weights …` as a user runs them: the
 * real CLI in its own process, FEATUREJOB_CACHE in a temp dir, the weights served by a real
 * HTTP server on 127.0.0.1 (standing in for storage.googleapis.com) and by MinIO. One
 * full-size Keras h5 (random weights, seed 3, the official file's layout) is generated for
 * the whole file; each conversion of it costs seconds and over a gigabyte of memory, so the
 * tests share caches where the behaviour under test allows it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listCachedModels } from '../../../executor/model/model-cache.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { startMinio, freePort, type MinioServer } from '../../support/minio-server.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { runCli, type CliResult } from '../../support/run-cli.js';
import { writeKerasVgg16H5 } from '../../support/write-keras-h5.js';
import { writePlainImages } from '../../support/write-test-images.js';

interface Manifest {
  model: { name: string; layer: string; dimensions: number; weights: string; sha256: string };
  images: { total: number; succeeded: number; failed: number };
}

async function fileDigest(path: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/** The CLI's environment: its own cache and, unless overridden, an ImageNet URL nobody answers. */
function env(cacheDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  delete clean.FEATUREJOB_VGG16_URL;
  delete clean.FEATUREJOB_VGG16_MD5;
  return { ...clean, FEATUREJOB_CACHE: cacheDir, ...extra };
}

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

describe('featurejob models and run --weights with Keras h5 weights', () => {
  let root = '';
  let h5Path = '';
  let h5Md5 = '';
  let h5Sha256 = '';
  let server: Server;
  let weightsUrl = '';
  let requests = 0;
  let closedUrl = '';
  let images = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-models-'));
    h5Path = join(root, 'vgg16_weights_tf_dim_ordering_tf_kernels.h5');
    await writeKerasVgg16H5(h5Path, buildRandomVgg16Weights({ seed: 3 }), {
      style: 'official2016',
      includePredictions: true,
    });
    h5Md5 = await fileDigest(h5Path, 'md5');
    h5Sha256 = await fileDigest(h5Path, 'sha256');
    const size = (await stat(h5Path)).size;
    server = createServer((request, response) => {
      requests += 1;
      if (request.url !== '/keras/vgg16.h5') {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      createReadStream(h5Path).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(typeof address === 'object' && address !== null);
    weightsUrl = `http://127.0.0.1:${address.port}/keras/vgg16.h5`;
    // Nothing listens on a port the OS just handed out and took back: connection refused.
    closedUrl = `http://127.0.0.1:${await freePort()}/vgg16_weights_tf_dim_ordering_tf_kernels.h5`;
    images = join(root, 'images');
    await writePlainImages(images, { count: 2 });
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  describe('pulled from a mirror into one cache', () => {
    let cacheDir = '';
    before(async () => {
      cacheDir = await mkdtemp(join(root, 'cache-pull-'));
    });

    test('pull downloads, verifies, converts and caches the model, and list shows it', async () => {
      const result = await runCli(
        ['models', 'pull', 'vgg16', '--url', weightsUrl, '--md5', h5Md5, '--progress', 'log'],
        { env: env(cacheDir) },
      );
      assertExit(result, 0);
      assert.match(result.stderr, /download: .*553\.\d MB \(100%\)/);
      const models = await listCachedModels({ cacheDir });
      assert.equal(models.length, 1);
      const model = models[0];
      assert.ok(model !== undefined);
      assert.equal(model.name, 'vgg16');
      assert.equal(model.alias, 'imagenet');
      assert.equal(model.sourceMd5, h5Md5);
      assert.equal(model.sourceSha256, h5Sha256);
      assert.equal(model.path, join(cacheDir, 'models', `vgg16-${model.sha256}.onnx`));
      assert.equal(await fileDigest(model.path, 'sha256'), model.sha256);
      assert.equal((await stat(model.path)).size, model.bytes);
      assert.match(model.weights, new RegExp(`^imagenet \\(keras vgg16\\.h5, md5 ${h5Md5}\\)$`));
      assert.ok(result.stdout.includes(model.sha256), result.stdout);
      // The downloaded .h5 is not kept next to the converted model.
      assert.deepEqual(await readdir(join(cacheDir, 'downloads')), []);

      const list = await runCli(['models', 'list'], { env: env(cacheDir) });
      assertExit(list, 0);
      for (const text of ['vgg16', model.weights, model.sha256, '537.0 MB', model.path])
        assert.ok(list.stdout.includes(text), `${text} in\n${list.stdout}`);
    });

    test('a second pull of a cached model downloads nothing and changes nothing', async () => {
      const [model] = await listCachedModels({ cacheDir });
      assert.ok(model !== undefined);
      const before = await stat(model.path);
      const requestsBefore = requests;
      const result = await runCli(['models', 'pull', 'vgg16', '--url', weightsUrl, '--md5', h5Md5], {
        env: env(cacheDir),
      });
      assertExit(result, 0);
      assert.match(result.stdout, /already cached/);
      assert.equal(requests, requestsBefore);
      const afterwards = await stat(model.path);
      assert.equal(afterwards.ino, before.ino);
      assert.equal(afterwards.mtimeMs, before.mtimeMs);
      assert.equal((await listCachedModels({ cacheDir })).length, 1);
    });

    test('run with the default weights uses the cached ImageNet model, offline', async () => {
      const [model] = await listCachedModels({ cacheDir });
      assert.ok(model !== undefined);
      const out = join(root, 'out-auto-cached');
      const result = await runCli(['run', images, '--out', out, '--progress', 'none'], {
        env: env(cacheDir, { FEATUREJOB_VGG16_URL: closedUrl, FEATUREJOB_VGG16_MD5: h5Md5 }),
      });
      assertExit(result, 0);
      assert.doesNotMatch(result.stderr, /RANDOM/);
      const manifest = await readManifest(out);
      assert.equal(manifest.model.sha256, model.sha256);
      assert.equal(manifest.model.weights, model.weights);
      assert.equal(manifest.images.succeeded, 2);
    });
  });

  test('a pull whose md5 does not match fails with FJ_WEIGHTS_CHECKSUM_MISMATCH and caches nothing', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-mismatch-'));
    const result = await runCli(
      ['models', 'pull', 'vgg16', '--url', weightsUrl, '--md5', '0'.repeat(32), '--progress', 'none'],
      { env: env(cacheDir) },
    );
    assertExit(result, 1);
    assert.match(result.stderr, /FJ_WEIGHTS_CHECKSUM_MISMATCH/);
    assert.ok(result.stderr.includes(h5Md5), result.stderr);
    assert.deepEqual(await listCachedModels({ cacheDir }), []);
    assert.deepEqual(await readdir(join(cacheDir, 'downloads')), []);
    await assert.rejects(readdir(join(cacheDir, 'models')), { code: 'ENOENT' });
  });

  test('an unreachable weights URL fails with a message naming the URL and the offline alternatives', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-offline-'));
    const result = await runCli(['models', 'pull', 'vgg16', '--url', closedUrl], { env: env(cacheDir) });
    assertExit(result, 1);
    assert.match(result.stderr, /FJ_WEIGHTS_UNAVAILABLE/);
    assert.ok(result.stderr.includes(closedUrl), result.stderr);
    assert.ok(
      result.stderr.includes('featurejob models pull vgg16 --from ./vgg16_weights_tf_dim_ordering_tf_kernels.h5'),
      result.stderr,
    );
    assert.ok(result.stderr.includes('--weights ./vgg16_weights_tf_dim_ordering_tf_kernels.h5'), result.stderr);
    assert.deepEqual(await listCachedModels({ cacheDir }), []);
  });

  test('an HTTP error from the weights server fails with FJ_WEIGHTS_UNAVAILABLE and the status', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-404-'));
    const result = await runCli(['models', 'pull', 'vgg16', '--url', weightsUrl.replace('vgg16.h5', 'missing.h5')], {
      env: env(cacheDir),
    });
    assertExit(result, 1);
    assert.match(result.stderr, /FJ_WEIGHTS_UNAVAILABLE: .*HTTP 404/);
  });

  test('pull --from a local h5 works without network and run --weights imagenet then uses it', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-from-'));
    const offline = { FEATUREJOB_VGG16_URL: closedUrl, FEATUREJOB_VGG16_MD5: h5Md5 };
    const pulled = await runCli(['models', 'pull', 'vgg16', '--from', h5Path], { env: env(cacheDir, offline) });
    assertExit(pulled, 0);
    const [model, ...others] = await listCachedModels({ cacheDir });
    assert.ok(model !== undefined);
    assert.deepEqual(others, []);
    assert.equal(model.alias, 'imagenet');
    assert.equal(model.sourceSha256, h5Sha256);

    const out = join(root, 'out-imagenet');
    const result = await runCli(['run', images, '--out', out, '--weights', 'imagenet', '--progress', 'none'], {
      env: env(cacheDir, offline),
    });
    assertExit(result, 0);
    const manifest = await readManifest(out);
    assert.equal(manifest.model.sha256, model.sha256);
    assert.match(manifest.model.weights, /^imagenet /);
  });

  test('pull --from a file whose md5 is not the published one is refused and caches nothing', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-from-wrong-'));
    const result = await runCli(['models', 'pull', 'vgg16', '--from', h5Path], { env: env(cacheDir) });
    assertExit(result, 1);
    assert.match(result.stderr, /FJ_WEIGHTS_CHECKSUM_MISMATCH: .*expected 64373286793e3c8b2b4e3219cbf3544b/);
    assert.deepEqual(await listCachedModels({ cacheDir }), []);
  });

  test('run --weights file.h5 converts once, caches by sha256 and names the file in the manifest', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-file-'));
    const first = join(root, 'out-h5-1');
    const result = await runCli(['run', images, '--out', first, '--weights', h5Path, '--progress', 'none'], {
      env: env(cacheDir),
    });
    assertExit(result, 0);
    const [model, ...others] = await listCachedModels({ cacheDir });
    assert.ok(model !== undefined);
    assert.deepEqual(others, []);
    assert.equal(model.sourceSha256, h5Sha256);
    const manifest = await readManifest(first);
    assert.equal(manifest.model.sha256, model.sha256);
    assert.ok(manifest.model.weights.includes(h5Path), manifest.model.weights);
    assert.equal(manifest.images.succeeded, 2);

    const cached = await stat(model.path);
    const second = join(root, 'out-h5-2');
    const again = await runCli(['run', images, '--out', second, '--weights', h5Path, '--progress', 'none'], {
      env: env(cacheDir),
    });
    assertExit(again, 0);
    const afterwards = await stat(model.path);
    assert.equal(afterwards.ino, cached.ino);
    assert.equal(afterwards.mtimeMs, cached.mtimeMs);
    assert.equal((await listCachedModels({ cacheDir })).length, 1);
    assert.equal((await readManifest(second)).model.sha256, model.sha256);
  });

  test('run with the default weights falls back to random weights with a warning when ImageNet cannot be fetched', async () => {
    // The suite's shared cache already holds the random model; no ImageNet entry has this md5.
    const cacheDir = testCacheDir('featurejob-cache');
    const out = join(root, 'out-fallback');
    const result = await runCli(['run', images, '--out', out, '--progress', 'none'], {
      env: env(cacheDir, { FEATUREJOB_VGG16_URL: closedUrl, FEATUREJOB_VGG16_MD5: 'f'.repeat(32) }),
    });
    assertExit(result, 0);
    assert.match(result.stderr, /warning: .*RANDOM weights/);
    assert.ok(result.stderr.includes(closedUrl), result.stderr);
    assert.match(result.stderr, /using RANDOM weights/);
    const manifest = await readManifest(out);
    assert.match(manifest.model.weights, /^random/);
  });

  test('run --weights imagenet never falls back to random weights', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-explicit-'));
    const out = join(root, 'out-explicit');
    const result = await runCli(['run', images, '--out', out, '--weights', 'imagenet', '--progress', 'none'], {
      env: env(cacheDir, { FEATUREJOB_VGG16_URL: closedUrl }),
    });
    assertExit(result, 1);
    assert.match(result.stderr, /FJ_WEIGHTS_UNAVAILABLE/);
    assert.ok(result.stderr.includes(closedUrl), result.stderr);
    await assert.rejects(stat(join(out, 'manifest.json')), { code: 'ENOENT' });
  });

  test('models pull with an unknown model name or a malformed md5 is an invalid argument (exit 2)', async () => {
    const cacheDir = await mkdtemp(join(root, 'cache-args-'));
    for (const args of [
      ['models', 'pull', 'resnet50'],
      ['models', 'pull', 'vgg16', '--md5', 'xyz'],
      ['models', 'pull', 'vgg16', '--from', h5Path, '--url', weightsUrl],
      ['models', 'frobnicate'],
    ]) {
      const result = await runCli(args, { env: env(cacheDir) });
      assertExit(result, 2);
      assert.match(result.stderr, /FJ_INVALID_ARGUMENT/);
      assert.match(result.stderr, /featurejob models --help/);
    }
  });

  describe('weights in S3 (MinIO)', () => {
    let minio: MinioServer;
    before(async () => {
      minio = await startMinio();
      await minio.createBucket('models');
      await new S3Store({ client: minio.client, bucket: 'models', prefix: 'keras' }).put(
        'vgg16.h5',
        await readFile(h5Path),
      );
    });
    after(async () => {
      await minio?.stop();
    });

    test('run --weights s3://…h5 reads the file through S3, converts it and names the URI in the manifest', async () => {
      const cacheDir = await mkdtemp(join(root, 'cache-s3-'));
      const out = join(root, 'out-s3');
      const uri = 's3://models/keras/vgg16.h5';
      const result = await runCli(
        ['run', images, '--out', out, '--weights', uri, '--progress', 'none', '--s3-endpoint', minio.endpoint],
        {
          env: env(cacheDir, minio.env()),
        },
      );
      assertExit(result, 0);
      const [model, ...others] = await listCachedModels({ cacheDir });
      assert.ok(model !== undefined);
      assert.deepEqual(others, []);
      assert.equal(model.sourceSha256, h5Sha256);
      const manifest = await readManifest(out);
      assert.equal(manifest.model.sha256, model.sha256);
      assert.ok(manifest.model.weights.includes(uri), manifest.model.weights);
    });

    test('a missing S3 weights object is FJ_MODEL_NOT_FOUND', async () => {
      const cacheDir = await mkdtemp(join(root, 'cache-s3-missing-'));
      const result = await runCli(
        [
          'run',
          images,
          '--out',
          join(root, 'out-s3-missing'),
          '--weights',
          's3://models/keras/nope.h5',
          '--progress',
          'none',
        ],
        {
          env: env(cacheDir, minio.env()),
        },
      );
      assertExit(result, 1);
      assert.match(result.stderr, /FJ_MODEL_NOT_FOUND: .*s3:\/\/models\/keras\/nope\.h5/);
    });
  });
});
