import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { storeCachedModel } from '../../../executor/model/model-cache.js';
import {
  computeModelSearchDirs,
  ensureImagenetModel,
  IMAGENET_VGG16_MD5,
  IMAGENET_VGG16_URL,
} from '../../../executor/model/resolve-model.js';

describe('read-only model directories (a model baked into the image)', () => {
  it('reads FEATUREJOB_MODEL_DIRS as a colon-separated list', () => {
    assert.deepEqual(computeModelSearchDirs({ FEATUREJOB_MODEL_DIRS: '/opt/featurejob/models::/more' }), [
      '/opt/featurejob/models',
      '/more',
    ]);
    assert.deepEqual(computeModelSearchDirs({}), []);
  });

  it('finds the ImageNet model there before downloading into the writable cache', async () => {
    const baked = await mkdtemp(join(tmpdir(), 'fj-baked-'));
    const writable = await mkdtemp(join(tmpdir(), 'fj-cache-'));
    try {
      const stored = await storeCachedModel({
        cacheDir: baked,
        record: {
          name: 'vgg16',
          layer: 'fc2',
          dimensions: 4096,
          weights: 'imagenet (test)',
          alias: 'imagenet',
          sourceSha256: 'a'.repeat(64),
          sourceMd5: IMAGENET_VGG16_MD5,
        },
        onnx: new Uint8Array([1, 2, 3]),
      });
      const refuse: typeof fetch = () => Promise.reject(new Error('no download expected'));
      const { model, origin } = await ensureImagenetModel({
        cacheDir: writable,
        searchDirs: [baked],
        source: { url: IMAGENET_VGG16_URL, md5: IMAGENET_VGG16_MD5 },
        fetch: refuse,
      });
      assert.equal(origin, 'cache');
      assert.equal(model.path, stored.path);
    } finally {
      await rm(baked, { recursive: true, force: true });
      await rm(writable, { recursive: true, force: true });
    }
  });
});
