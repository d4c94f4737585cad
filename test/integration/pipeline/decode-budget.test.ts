/**
 * The decode budget of a worker, end to end through extractFeatures with a real (narrow)
 * VGG16 in onnxruntime and real 16-bit PNGs: concurrent decodes never hold more than the
 * budget, an image larger than the whole budget decodes alone, and every image is a row.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS } from '../../../executor/config/limits.js';
import { OnnxModelRunner } from '../../../executor/model/onnx-model-runner.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Onnx } from '../../../executor/model/vgg16-graph.js';
import { readImageHeader } from '../../../executor/pipeline/decode-image.js';
import { extractFeatures } from '../../../executor/pipeline/extract-features.js';
import type { ObjectStore } from '../../../executor/storage/object-store.js';
import { openStore } from '../../../executor/storage/open-store.js';
import { ByteBudget } from '../../../executor/util/byte-budget.js';

const INFO = { name: 'vgg16', layer: 'fc2', dimensions: 16, weights: 'test' } as const;
const MiB = 2 ** 20;

/** A 16-bit RGB PNG (a pattern, so it compresses fast): libvips reads it as 3 ushort channels. */
async function writePng16(path: string, width: number, height: number, seed: number): Promise<void> {
  const strip = Buffer.alloc(width * 8 * 3);
  for (let i = 0; i < strip.length; i += 1) strip[i] = (i * 7 + seed * 31) & 255;
  const png = await sharp(strip, { raw: { width, height: 8, channels: 3 } })
    .resize(width, height, { kernel: 'nearest', fit: 'fill' })
    .toColourspace('rgb16')
    .png({ compressionLevel: 1 })
    .toBuffer();
  await writeFile(path, png);
}

describe('the decode budget of a worker', { timeout: 10 * 60_000 }, () => {
  let dir = '';
  let input: ObjectStore;
  let model: OnnxModelRunner;
  const large = ['large-0.png', 'large-1.png', 'large-2.png', 'large-3.png', 'large-4.png', 'large-5.png'];
  const huge = 'huge.png';
  const charges = new Map<string, number>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-decode-budget-'));
    for (const [seed, name] of large.entries()) await writePng16(join(dir, name), 2000, 1500, seed);
    await writePng16(join(dir, huge), 4000, 3000, 9);
    input = openStore(dir);
    for (const name of [...large, huge])
      charges.set(name, (await readImageHeader(await input.get(name), { maxPixels: DEFAULT_MAX_PIXELS })).decodeBytes);
    model = await OnnxModelRunner.load({
      modelBytes: buildVgg16Onnx(buildRandomVgg16Weights({ widths: { conv: [2, 4, 4, 8, 8], dense: 16 } })),
      info: INFO,
      threads: 1,
    });
  });
  after(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const extract = (keys: readonly string[], budget: ByteBudget) =>
    extractFeatures({
      input,
      keys,
      model,
      batchSize: 4,
      fetchConcurrency: 8,
      decodeConcurrency: 8,
      decodeBudget: budget,
      maxPixels: DEFAULT_MAX_PIXELS,
    });

  it('charges a decode from its header: pixels x (3 channels x 2 bytes + our 3-byte RGB)', () => {
    assert.equal(charges.get('large-0.png'), 2000 * 1500 * (3 * 2 + 3));
    assert.equal(charges.get(huge), 4000 * 3000 * (3 * 2 + 3));
  });

  it('decodes the large images several at once when the budget allows it (the control)', async () => {
    const budget = new ByteBudget(1024 * MiB);
    const extracted = await extract(large, budget);
    assert.equal(extracted.paths.length, large.length);
    assert.ok(budget.stats.peakHolders > 2, `peak holders ${budget.stats.peakHolders}: the decodes never overlapped`);
  });

  it('never holds more than a small budget at once, and every image still becomes a row', async () => {
    const one = charges.get('large-0.png') as number;
    const budget = new ByteBudget(2 * one + MiB);
    const extracted = await extract(large, budget);
    assert.deepEqual(extracted.paths, large);
    assert.deepEqual(extracted.errors, []);
    const { stats } = budget;
    assert.ok(stats.peakHeldBytes <= budget.capacityBytes, `held ${stats.peakHeldBytes} > ${budget.capacityBytes}`);
    assert.ok(stats.peakHolders <= 2);
    assert.equal(stats.granted, large.length);
    assert.ok(stats.waited > 0, 'some decodes had to wait for bytes');
    assert.equal(stats.heldBytes, 0);
  });

  it('decodes an image larger than the whole budget, alone', async () => {
    const budget = new ByteBudget(3 * (charges.get('large-0.png') as number));
    const hugeCharge = charges.get(huge) as number;
    assert.ok(hugeCharge > budget.capacityBytes);
    const keys = ['large-0.png', 'large-1.png', huge, 'large-2.png', 'large-3.png'];
    const extracted = await extract(keys, budget);
    assert.deepEqual(extracted.paths, keys);
    // Had anything been held beside it, the peak would be its charge plus that image's.
    assert.equal(budget.stats.peakHeldBytes, hugeCharge);
    assert.equal(budget.stats.granted, keys.length);
  });
});
