import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import { computeRandomModelPath, defaultCacheDir, resolveModel } from '../../../executor/model/resolve-model.js';

describe('resolveModel with a model path', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-resolve-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the absolute path and the sha256 of the file', async () => {
    const bytes = Buffer.from('not really a model, resolveModel does not parse it');
    const path = join(dir, 'vgg16-fc2.onnx');
    await writeFile(path, bytes);
    const model = await resolveModel({ weights: relative(process.cwd(), path) });
    assert.equal(model.path, path);
    assert.deepEqual(model.info, {
      name: 'vgg16',
      layer: 'fc2',
      dimensions: 4096,
      weights: path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('refuses a missing file with FJ_MODEL_NOT_FOUND', async () => {
    await assert.rejects(
      resolveModel({ weights: join(dir, 'missing.onnx') }),
      (error) => isFeatureJobError(error) && error.code === 'FJ_MODEL_NOT_FOUND' && error.kind === 'terminal',
    );
  });

  it('refuses a directory holding neither a TensorFlow.js model nor a SavedModel with FJ_MODEL_INVALID', async () => {
    await assert.rejects(
      resolveModel({ weights: dir }),
      (error) =>
        isFeatureJobError(error) &&
        error.code === 'FJ_MODEL_INVALID' &&
        /neither model\.json nor saved_model\.pb/.test(error.message),
    );
  });

  it('refuses a negative or fractional seed for random weights', async () => {
    for (const seed of [-1, 1.5]) {
      await assert.rejects(
        resolveModel({ weights: 'random', seed, cacheDir: dir }),
        (error) => isFeatureJobError(error) && error.code === 'FJ_INVALID_ARGUMENT',
      );
    }
  });
});

describe('model cache location', () => {
  it('names the random model file after its seed under models/', () => {
    assert.equal(computeRandomModelPath('/cache', 7), '/cache/models/vgg16-fc2-random-v1-seed7.onnx');
  });

  it('defaults to $FEATUREJOB_CACHE when it is set', () => {
    const saved = process.env.FEATUREJOB_CACHE;
    try {
      process.env.FEATUREJOB_CACHE = '/somewhere/else';
      assert.equal(defaultCacheDir(), '/somewhere/else');
      delete process.env.FEATUREJOB_CACHE;
      assert.match(defaultCacheDir(), /\.cache[/\\]featurejob$/);
    } finally {
      if (saved === undefined) delete process.env.FEATUREJOB_CACHE;
      else process.env.FEATUREJOB_CACHE = saved;
    }
  });
});
