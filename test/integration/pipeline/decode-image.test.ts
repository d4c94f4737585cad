import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { DEFAULT_MAX_PIXELS } from '../../../executor/config/limits.js';
import { decodeImage } from '../../../executor/pipeline/decode-image.js';
import type { RgbImage } from '../../../executor/pipeline/rgb-image.js';
import { encodePng, PngColourType } from '../../support/encode-png.js';
import { maxAbsDifference, pilLoadRgb } from '../../support/pil-reference.js';

/**
 * Largest per-sample difference allowed between sharp's and Pillow's decode of the same
 * lossy file. Measured 0 for every JPEG and WebP here (sharp's mozjpeg and Pillow's
 * libjpeg-turbo share the IDCT and upsampling code; both use libwebp), so any drift shows.
 */
const LOSSY_TOLERANCE = 0;

/** Deterministic noise, so lossy encoders have real detail to get wrong. */
function noise(width: number, height: number, channels: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let state = seed * 2654435761 + 1;
  for (let i = 0; i < data.length; i += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    // Smooth gradient plus noise: photo-like, so JPEG keeps most of it.
    const p = Math.floor(i / channels);
    data[i] = ((p % width) + Math.floor(p / width) + (state >>> 27) * 4 + (i % channels) * 60) % 256;
  }
  return data;
}

function rawImage(width: number, height: number, channels: 1 | 3 | 4, seed: number): Sharp {
  return sharp(noise(width, height, channels, seed), { raw: { width, height, channels } });
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(i, i + 3));
}

const RGBA_SAMPLES = [
  [200, 100, 50, 0],
  [1, 2, 3, 255],
  [255, 0, 128, 17],
  [9, 8, 7, 128],
  [0, 0, 0, 0],
  [250, 251, 252, 1],
];
const GREY_SAMPLES = [0, 1, 127, 128, 254, 255];
const PALETTE = [10, 20, 30, 255, 0, 0, 0, 255, 0, 0, 0, 255];
const PALETTE_INDICES = [0, 1, 2, 3, 2, 1];
// Chosen to tell "high byte" (>> 8) from rounding (/ 257): 0x01ff -> 1 vs 2, 0xff80 -> 255 vs 254.
const RGB16_SAMPLES = [
  0x01ff, 0x80ff, 0xff80, 0x00ff, 0xffff, 0x0100, 0x7f80, 0x0000, 0x1234, 0xfedc, 0x8000, 0x00ff, 0x0001, 0xff00,
  0x5555, 0xaaaa, 0x0fff, 0xf000,
];
const GREY16_SAMPLES = [3, 255, 256, 9004, 65535, 0];

/** Every fixture: its file name and its bytes, written once so Pillow can read them too. */
async function buildFixtures(): Promise<Record<string, Buffer>> {
  const flat = (rows: number[][]): number[] => rows.flat();
  return {
    'rgba.png': encodePng({
      width: 3,
      height: 2,
      colourType: PngColourType.rgba,
      bitDepth: 8,
      samples: flat(RGBA_SAMPLES),
    }),
    'grey.png': encodePng({ width: 3, height: 2, colourType: PngColourType.grey, bitDepth: 8, samples: GREY_SAMPLES }),
    'grey.jpg': await rawImage(64, 48, 1, 1).jpeg({ quality: 90 }).toBuffer(),
    'palette.png': encodePng({
      width: 3,
      height: 2,
      colourType: PngColourType.palette,
      bitDepth: 8,
      samples: PALETTE_INDICES,
      palette: PALETTE,
    }),
    'sharp-palette.png': await sharp({
      create: { width: 40, height: 30, channels: 3, background: { r: 255, g: 0, b: 0 } },
    })
      .composite([
        {
          input: { create: { width: 20, height: 30, channels: 3, background: { r: 0, g: 64, b: 255 } } },
          left: 20,
          top: 0,
        },
      ])
      .png({ palette: true, colours: 4, dither: 0 })
      .toBuffer(),
    'rgb16.png': encodePng({
      width: 3,
      height: 2,
      colourType: PngColourType.rgb,
      bitDepth: 16,
      samples: RGB16_SAMPLES,
    }),
    'grey16.png': encodePng({
      width: 3,
      height: 2,
      colourType: PngColourType.grey,
      bitDepth: 16,
      samples: GREY16_SAMPLES,
    }),
    'cmyk.jpg': await rawImage(96, 64, 3, 2).toColourspace('cmyk').jpeg({ quality: 92 }).toBuffer(),
    'lossless.webp': await rawImage(30, 20, 3, 3).webp({ lossless: true }).toBuffer(),
    'lossy.webp': await rawImage(90, 60, 3, 4).webp({ quality: 80 }).toBuffer(),
    'small.png': await rawImage(20, 30, 3, 5).png().toBuffer(),
    'small.jpg': await rawImage(20, 30, 3, 5).jpeg({ quality: 90 }).toBuffer(),
    'large.jpg': await rawImage(4000, 3000, 3, 6).jpeg({ quality: 85 }).toBuffer(),
    'wide.png': await rawImage(500, 120, 4, 7).png().toBuffer(),
    'rotated.jpg': await rawImage(40, 20, 3, 8).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    'display-p3.png': await rawImage(30, 20, 3, 9).withIccProfile('p3').png().toBuffer(),
    'transparent.gif': await rawImage(30, 20, 4, 10).gif().toBuffer(),
    'animated.gif': await sharp(noise(30, 40, 3, 11), { raw: { width: 30, height: 40, channels: 3, pageHeight: 20 } })
      .gif({ loop: 0 })
      .toBuffer(),
    'two-pages.tif': await sharp(noise(30, 40, 3, 12), { raw: { width: 30, height: 40, channels: 3, pageHeight: 20 } })
      .tiff()
      .toBuffer(),
  };
}

describe('decodeImage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fj-decode-'));
  let files: Record<string, Buffer> = {};
  const pil = new Map<string, RgbImage>();

  before(async () => {
    files = await buildFixtures();
    const names = Object.keys(files);
    for (const name of names) writeFileSync(join(dir, name), files[name] as Buffer);
    const references = pilLoadRgb(names.map((name) => join(dir, name)));
    names.forEach((name, i) => pil.set(name, references[i] as RgbImage));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function decode(name: string): Promise<RgbImage> {
    return decodeImage(files[name] as Buffer, { maxPixels: DEFAULT_MAX_PIXELS });
  }

  /** Compares with Pillow's convert('RGB') and reports the measured difference. */
  function compareWithPil(
    t: { diagnostic: (message: string) => void },
    name: string,
    image: RgbImage,
    tolerance: number,
  ): void {
    const difference = maxAbsDifference(image, pil.get(name) as RgbImage);
    t.diagnostic(`${name}: max abs difference to Pillow ${difference}`);
    assert.ok(difference <= tolerance, `${name} differs from Pillow by ${difference} levels`);
  }

  it('drops the alpha of an RGBA PNG and keeps the colour under fully transparent pixels', async (t) => {
    const image = await decode('rgba.png');
    assert.equal(image.data.length, 3 * 2 * 3);
    assert.deepEqual(
      Array.from(image.data),
      RGBA_SAMPLES.flatMap(([r, g, b]) => [r, g, b]),
    );
    compareWithPil(t, 'rgba.png', image, 0);
  });

  it('replicates an 8-bit grayscale PNG into three equal channels', async (t) => {
    const image = await decode('grey.png');
    assert.deepEqual(
      Array.from(image.data),
      GREY_SAMPLES.flatMap((v) => [v, v, v]),
    );
    compareWithPil(t, 'grey.png', image, 0);
  });

  it('replicates a grayscale JPEG into three equal channels, as Pillow decodes it', async (t) => {
    const image = await decode('grey.jpg');
    assert.deepEqual([image.width, image.height], [64, 48]);
    for (let p = 0; p < image.width * image.height; p += 1) {
      assert.equal(image.data[p * 3], image.data[p * 3 + 1]);
      assert.equal(image.data[p * 3], image.data[p * 3 + 2]);
    }
    compareWithPil(t, 'grey.jpg', image, LOSSY_TOLERANCE);
  });

  it('expands palette PNGs to their palette colours', async (t) => {
    const image = await decode('palette.png');
    assert.deepEqual(
      Array.from(image.data),
      PALETTE_INDICES.flatMap((index) => PALETTE.slice(index * 3, index * 3 + 3)),
    );
    compareWithPil(t, 'palette.png', image, 0);

    const quantized = await decode('sharp-palette.png');
    assert.deepEqual(pixel(quantized, 0, 0), [255, 0, 0]);
    assert.deepEqual(pixel(quantized, 39, 29), [0, 64, 255]);
    compareWithPil(t, 'sharp-palette.png', quantized, 0);
  });

  it('keeps the high byte of each 16-bit RGB PNG sample, as Pillow does', async (t) => {
    const image = await decode('rgb16.png');
    assert.deepEqual(
      Array.from(image.data),
      RGB16_SAMPLES.map((v) => v >> 8),
    );
    compareWithPil(t, 'rgb16.png', image, 0);
  });

  it('clips 16-bit grayscale PNG samples to 255, as Pillow mode I;16 converts them', async (t) => {
    const image = await decode('grey16.png');
    assert.deepEqual(
      Array.from(image.data),
      GREY16_SAMPLES.flatMap((v) => Array(3).fill(Math.min(v, 255))),
    );
    compareWithPil(t, 'grey16.png', image, 0);
  });

  it("converts CMYK JPEGs with Pillow's formula rather than an ICC profile", async (t) => {
    const image = await decode('cmyk.jpg');
    assert.deepEqual([image.width, image.height], [96, 64]);
    compareWithPil(t, 'cmyk.jpg', image, LOSSY_TOLERANCE);
  });

  it('decodes lossless WebP to its exact pixels and lossy WebP as Pillow does', async (t) => {
    const lossless = await decode('lossless.webp');
    assert.deepEqual(Array.from(lossless.data), Array.from(noise(30, 20, 3, 3)));
    compareWithPil(t, 'lossless.webp', lossless, 0);
    compareWithPil(t, 'lossy.webp', await decode('lossy.webp'), LOSSY_TOLERANCE);
  });

  it('decodes small, large and non-square images at full resolution', async (t) => {
    const small = await decode('small.png');
    assert.deepEqual([small.width, small.height], [20, 30]);
    assert.deepEqual(Array.from(small.data), Array.from(noise(20, 30, 3, 5)));
    compareWithPil(t, 'small.jpg', await decode('small.jpg'), LOSSY_TOLERANCE);

    const large = await decode('large.jpg');
    assert.deepEqual([large.width, large.height], [4000, 3000]);
    assert.equal(large.data.length, 4000 * 3000 * 3);
    compareWithPil(t, 'large.jpg', large, LOSSY_TOLERANCE);

    const wide = await decode('wide.png');
    assert.deepEqual([wide.width, wide.height], [500, 120]);
    const source = noise(500, 120, 4, 7);
    for (const [x, y] of [
      [0, 0],
      [499, 0],
      [0, 119],
      [499, 119],
      [250, 60],
    ] as const) {
      const i = (y * 500 + x) * 4;
      assert.deepEqual(pixel(wide, x, y), Array.from(source.subarray(i, i + 3)), `${x},${y}`);
    }
    compareWithPil(t, 'wide.png', wide, 0);
  });

  it('ignores EXIF orientation, as load_img does', async (t) => {
    const image = await decode('rotated.jpg');
    assert.deepEqual([image.width, image.height], [40, 20]);
    compareWithPil(t, 'rotated.jpg', image, LOSSY_TOLERANCE);
  });

  it("ignores an embedded ICC profile, as Pillow's convert does", async (t) => {
    // Applying the Display P3 profile would move these pixels by up to ~100 levels.
    compareWithPil(t, 'display-p3.png', await decode('display-p3.png'), 0);
  });

  it('gives transparent GIF pixels their palette colour, as Pillow does', async (t) => {
    compareWithPil(t, 'transparent.gif', await decode('transparent.gif'), 0);
  });

  it('decodes only the first frame of animated GIFs and multi-page TIFFs', async (t) => {
    for (const name of ['animated.gif', 'two-pages.tif']) {
      const image = await decode(name);
      assert.deepEqual([image.width, image.height], [30, 20], name);
      compareWithPil(t, name, image, 0);
    }
  });
});
