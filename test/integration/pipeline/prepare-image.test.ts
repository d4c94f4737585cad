import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS } from '../../../executor/config/limits.js';
import { decodeImage } from '../../../executor/pipeline/decode-image.js';
import { prepareImage } from '../../../executor/pipeline/prepare-image.js';
import { KERAS_INPUT_SIZE, KERAS_VALUES_PER_IMAGE } from '../../../executor/pipeline/preprocess-keras.js';
import { resizeNearest } from '../../../executor/pipeline/resize-nearest.js';
import type { RgbImage } from '../../../executor/pipeline/rgb-image.js';
import { maxAbsDifference, pilLoadRgb } from '../../support/pil-reference.js';
import { runPython } from '../../support/python-venv.js';

/** The reference pipeline, verbatim: load_img + img_to_array + vgg16.preprocess_input. */
const KERAS_SCRIPT = `
import base64, json, sys
import numpy as np
from PIL import Image
out = []
for path in json.loads(sys.stdin.read()):
    img = Image.open(path)
    if img.mode != 'RGB':
        img = img.convert('RGB')
    if img.size != (224, 224):
        img = img.resize((224, 224), Image.NEAREST)
    x = np.asarray(img, dtype=np.float32)[..., ::-1].copy()
    mean = [103.939, 116.779, 123.68]
    x[..., 0] -= mean[0]
    x[..., 1] -= mean[1]
    x[..., 2] -= mean[2]
    out.append(base64.b64encode(x.astype('<f4').tobytes()).decode())
print(json.dumps(out))
`;

function gradientNoise(width: number, height: number, channels: 3 | 4, seed: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let state = seed + 1;
  for (let i = 0; i < data.length; i += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const p = Math.floor(i / channels);
    data[i] = ((p % width) * 3 + Math.floor(p / width) * 2 + (state >>> 28) * 5 + (i % channels) * 70) % 256;
  }
  return data;
}

async function encode(
  width: number,
  height: number,
  format: 'png' | 'jpeg',
  seed: number,
  channels: 3 | 4 = 3,
): Promise<Buffer> {
  const image = sharp(gradientNoise(width, height, channels, seed), { raw: { width, height, channels } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 88 }).toBuffer();
}

describe('prepareImage end to end against Pillow and Keras', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fj-prepare-'));
  let files: Record<string, Buffer> = {};

  before(async () => {
    files = {
      // 256 and 64 hit exact boundaries where Pillow's accumulated mapping leaves the closed form.
      'boundary-256.png': await encode(256, 256, 'png', 1),
      'upscale-64x100.png': await encode(64, 100, 'png', 2),
      'down-875.png': await encode(875, 875, 'png', 3),
      'wide-300x150.png': await encode(300, 150, 'png', 4),
      'tiny-20x30.png': await encode(20, 30, 'png', 5),
      'alpha-333x222.png': await encode(333, 222, 'png', 6, 4),
      'already-224.png': await encode(224, 224, 'png', 7),
      'photo-640x480.jpg': await encode(640, 480, 'jpeg', 8),
      'tall-481x1023.jpg': await encode(481, 1023, 'jpeg', 9),
      'large-4000x3000.jpg': await encode(4000, 3000, 'jpeg', 10),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("decodes and resizes to exactly what Pillow's convert and NEAREST resize give", async (t) => {
    const names = Object.keys(files);
    const references = pilLoadRgb(
      names.map((name) => join(dir, name)),
      { resize: KERAS_INPUT_SIZE },
    );
    for (const [i, name] of names.entries()) {
      const decoded = await decodeImage(files[name] as Buffer, { maxPixels: DEFAULT_MAX_PIXELS });
      const resized = resizeNearest(decoded, KERAS_INPUT_SIZE, KERAS_INPUT_SIZE);
      const difference = maxAbsDifference(resized, references[i] as RgbImage);
      t.diagnostic(`${name}: max abs difference to Pillow ${difference}`);
      // Zero for JPEG too: sharp's mozjpeg and Pillow's libjpeg-turbo decode identically.
      assert.equal(difference, 0, name);
    }
  });

  it('writes the same float32 tensor as load_img, img_to_array and vgg16.preprocess_input', async () => {
    const names = Object.keys(files);
    const expected = (
      JSON.parse(runPython(KERAS_SCRIPT, { input: JSON.stringify(names.map((n) => join(dir, n))) })) as string[]
    ).map((b64) => Buffer.from(b64, 'base64'));
    // Fill one batch tensor slot by slot, as the partition loop does.
    const batch = new Float32Array(names.length * KERAS_VALUES_PER_IMAGE);
    for (const [i, name] of names.entries()) {
      const written = await prepareImage(files[name] as Buffer, { out: batch, offset: i * KERAS_VALUES_PER_IMAGE });
      assert.equal(written.length, KERAS_VALUES_PER_IMAGE);
      assert.equal(written.byteOffset, batch.byteOffset + i * KERAS_VALUES_PER_IMAGE * 4, 'a view into the batch');
    }
    for (const [i, name] of names.entries()) {
      const slot = batch.subarray(i * KERAS_VALUES_PER_IMAGE, (i + 1) * KERAS_VALUES_PER_IMAGE);
      // Bit-identical float32, compared as bytes (the venv and Node are both little-endian).
      assert.ok(Buffer.from(slot.buffer, slot.byteOffset, slot.byteLength).equals(expected[i] as Buffer), name);
    }
  });

  it('returns a fresh tensor when no output buffer is given', async () => {
    const tensor = await prepareImage(files['tiny-20x30.png'] as Buffer);
    assert.equal(tensor.length, KERAS_VALUES_PER_IMAGE);
  });

  it('leaves the batch slot untouched and reports the image error when an image is bad', async () => {
    const batch = new Float32Array(KERAS_VALUES_PER_IMAGE).fill(7);
    await assert.rejects(prepareImage(Buffer.from('not an image'), { out: batch, offset: 0 }), {
      code: 'FJ_IMAGE_UNRECOGNIZED',
    });
    assert.ok(batch.every((v) => v === 7));
  });

  it('rejects a slot outside the batch before decoding anything', async () => {
    const batch = new Float32Array(KERAS_VALUES_PER_IMAGE);
    await assert.rejects(prepareImage(new Uint8Array(0), { out: batch, offset: 3 }), { code: 'FJ_INVALID_ARGUMENT' });
  });
});
