import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS } from '../../../executor/config/limits.js';
import { decodeImage } from '../../../executor/pipeline/decode-image.js';
import { decompressionBombPng } from '../../support/encode-png.js';

const options = { maxPixels: DEFAULT_MAX_PIXELS };

/** A photo-like JPEG with enough entropy that half of it stops mid-scan. */
async function noisyJpeg(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('decodeImage on bad input', () => {
  it('reports a zero-byte file as FJ_IMAGE_EMPTY', async () => {
    await assert.rejects(decodeImage(new Uint8Array(0), options), { code: 'FJ_IMAGE_EMPTY', kind: 'terminal' });
  });

  it('reports random bytes as FJ_IMAGE_UNRECOGNIZED whatever the file is called', async () => {
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251));
    await assert.rejects(decodeImage(random, options), { code: 'FJ_IMAGE_UNRECOGNIZED' });
  });

  it('refuses an SVG named .png by its first bytes, before any decoder parses it', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
    await assert.rejects(decodeImage(Buffer.from(svg), options), (error: unknown) => {
      const { code, message } = error as { code: string; message: string };
      assert.equal(code, 'FJ_IMAGE_UNRECOGNIZED');
      assert.match(message, /not a JPEG, PNG, WebP, GIF or TIFF file: its first bytes are 3c737667/);
      return true;
    });
  });

  it('reports a PNG signature followed by something else as FJ_IMAGE_UNRECOGNIZED', async () => {
    const fake = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<svg/>')]);
    await assert.rejects(decodeImage(fake, options), { code: 'FJ_IMAGE_UNRECOGNIZED' });
  });

  it('reports a text file as FJ_IMAGE_UNRECOGNIZED', async () => {
    await assert.rejects(decodeImage(Buffer.from('hello, I am a text file\n'), options), {
      code: 'FJ_IMAGE_UNRECOGNIZED',
    });
  });

  it('reports an SVG as FJ_IMAGE_UNRECOGNIZED because Pillow cannot read it', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
    await assert.rejects(decodeImage(Buffer.from(svg), options), { code: 'FJ_IMAGE_UNRECOGNIZED' });
  });

  it('reports a JPEG cut in half as FJ_IMAGE_CORRUPT, as Pillow refuses truncated files', async () => {
    const jpeg = await noisyJpeg(400, 300);
    await decodeImage(jpeg, options); // the whole file is fine
    await assert.rejects(decodeImage(jpeg.subarray(0, jpeg.length >> 1), options), { code: 'FJ_IMAGE_CORRUPT' });
  });

  it('still decodes a JPEG with extraneous bytes before a marker, as Pillow does', async () => {
    const jpeg = await noisyJpeg(64, 48);
    const eoi = jpeg.length - 2;
    const damaged = Buffer.concat([jpeg.subarray(0, eoi), Buffer.from([0x00, 0x11, 0x22]), jpeg.subarray(eoi)]);
    const image = await decodeImage(damaged, options);
    assert.deepEqual(image.data, (await decodeImage(jpeg, options)).data);
  });

  it('reports a PNG cut in half as FJ_IMAGE_CORRUPT', async () => {
    const data = Buffer.alloc(300 * 200 * 3);
    for (let i = 0; i < data.length; i += 1) data[i] = (Math.imul(i, 40503) >>> 8) & 0xff;
    const png = await sharp(data, { raw: { width: 300, height: 200, channels: 3 } })
      .png()
      .toBuffer();
    await assert.rejects(decodeImage(png.subarray(0, png.length >> 1), options), { code: 'FJ_IMAGE_CORRUPT' });
  });

  it('rejects a decompression bomb from its header as FJ_IMAGE_TOO_LARGE without allocating its pixels', async () => {
    // 100000 x 100000 RGB would be 30 GB decoded; the file itself is a few hundred kB.
    const bomb = decompressionBombPng(100_000, 100_000);
    global.gc?.();
    const before = process.memoryUsage().rss;
    await assert.rejects(decodeImage(bomb, options), { code: 'FJ_IMAGE_TOO_LARGE', kind: 'terminal' });
    const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
    assert.ok(grownMb < 200, `resident memory grew by ${grownMb.toFixed(0)} MB`);
  });

  it('applies the maxPixels option to the declared width times height', async () => {
    const png = await sharp({ create: { width: 20, height: 30, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    await assert.rejects(decodeImage(png, { maxPixels: 599 }), { code: 'FJ_IMAGE_TOO_LARGE' });
    const image = await decodeImage(png, { maxPixels: 600 });
    assert.deepEqual([image.width, image.height], [20, 30]);
  });

  it("uses Pillow's decompression-bomb threshold of twice Image.MAX_IMAGE_PIXELS by default", () => {
    assert.equal(DEFAULT_MAX_PIXELS, 2 * 89_478_485);
  });

  it('rejects a maxPixels that is not a positive integer as an invalid argument', async () => {
    await assert.rejects(decodeImage(Buffer.from([1]), { maxPixels: 0 }), { code: 'FJ_INVALID_ARGUMENT' });
  });
});
