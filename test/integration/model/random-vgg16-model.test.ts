/**
 * The full-size random VGG16 (134M parameters) end to end: built and cached by resolveModel,
 * loaded by OnnxModelRunner. A handful of images only: each costs ~15 GFLOPs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OnnxModelRunner } from '../../../executor/model/onnx-model-runner.js';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import type { ResolvedModel } from '../../../executor/model/resolve-model.js';
import { SeededRandom } from '../../../executor/util/seeded-random.js';

const PER_IMAGE = 224 * 224 * 3;

function randomImages(count: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  const batch = new Float32Array(count * PER_IMAGE);
  // Uniform over roughly the range of BGR mean-subtracted pixels.
  for (let i = 0; i < batch.length; i += 1) batch[i] = random.nextFloat() * 255 - 120;
  return batch;
}

function maxAbs(values: Float32Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max;
}

describe('full-size random VGG16 model', () => {
  let cacheDir = '';
  let model: ResolvedModel;
  let runner: OnnxModelRunner;

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'fj-vgg16-'));
    model = await resolveModel({ weights: 'random', seed: 0, cacheDir });
    runner = await OnnxModelRunner.load({ modelPath: model.path, info: model.info, threads: 2 });
  });
  after(async () => {
    await runner?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('is cached under models/ and described by its seed', async () => {
    assert.equal(model.path, join(cacheDir, 'models', 'vgg16-fc2-random-v1-seed0.onnx'));
    assert.equal(model.info.weights, 'random(he-normal, seed=0)');
    assert.deepEqual(runner.info, model.info);
    // ~134M float32 parameters plus a few kilobytes of graph.
    const { size } = await stat(model.path);
    assert.ok(size > 537_000_000 && size < 537_100_000, `model file is ${size} bytes`);
  });

  it('reads the cached file on the next resolve instead of rebuilding it', async () => {
    const before = await stat(model.path);
    const again = await resolveModel({ weights: 'random', seed: 0, cacheDir });
    const afterwards = await stat(model.path);
    assert.deepEqual(again, model);
    assert.equal(afterwards.ino, before.ino);
    assert.equal(afterwards.mtimeMs, before.mtimeMs);
  });

  it('builds byte-identical models from the same seed', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'fj-vgg16-again-'));
    try {
      const rebuilt = await resolveModel({ weights: 'random', seed: 0, cacheDir: otherDir });
      assert.equal(rebuilt.info.sha256, model.info.sha256);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('gives 4096 non-negative features per image, the same in a batch as one by one', async () => {
    const images = randomImages(3, 99);
    const single: Float32Array[] = [];
    for (let n = 0; n < 3; n += 1) {
      const features = await runner.run(images.subarray(n * PER_IMAGE, (n + 1) * PER_IMAGE), 1);
      assert.equal(features.length, 4096);
      single.push(Float32Array.from(features));
    }
    const batched = await runner.run(images, 3);
    assert.equal(batched.length, 3 * 4096);
    for (let n = 0; n < 3; n += 1) {
      const alone = single[n] as Float32Array;
      const inBatch = batched.subarray(n * 4096, (n + 1) * 4096);
      assert.ok(
        inBatch.every((v) => v >= 0 && Number.isFinite(v)),
        'ReLU output is non-negative and finite',
      );
      assert.ok(
        inBatch.some((v) => v > 0),
        'features are not all zero',
      );
      const scale = maxAbs(alone);
      let maxDiff = 0;
      for (let j = 0; j < 4096; j += 1)
        maxDiff = Math.max(maxDiff, Math.abs((inBatch[j] as number) - (alone[j] as number)));
      assert.ok(maxDiff <= 1e-5 * scale, `image ${n}: batch differs from one-by-one by ${maxDiff} (scale ${scale})`);
    }
    // Different images give different features.
    assert.notDeepEqual(single[0], single[1]);
  });
});
