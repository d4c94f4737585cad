import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { decompressionBombPng } from './encode-png.js';

/** What each generated file must become: a feature row, an error code, or skipped. */
export type Expectation = 'row' | 'skipped' | `FJ_${string}`;

function gradient(width: number, height: number, channels: 1 | 3 | 4, seed: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        data[(y * width + x) * channels + c] =
          c === 3 ? 128 + ((x + y) % 128) : (x * (c + 1) * 3 + y * 2 + seed * 17) % 256;
      }
    }
  }
  return data;
}

function raw(width: number, height: number, channels: 1 | 3 | 4, seed = 0): Sharp {
  return sharp(gradient(width, height, channels, seed), { raw: { width, height, channels } });
}

/** A few plain labelled photos-to-be: `count` JPEG/PNG images spread over `labels`. */
export async function writePlainImages(
  dir: string,
  options: { count: number; labels?: string[] },
): Promise<Map<string, Expectation>> {
  const labels = options.labels ?? ['Apple', 'Banana', 'Plum 5'];
  const expected = new Map<string, Expectation>();
  for (let i = 0; i < options.count; i += 1) {
    const label = labels[i % labels.length] as string;
    const png = i % 4 === 3;
    const key = `${label}/r0_${i}.${png ? 'png' : 'jpg'}`;
    const image = raw(60 + (i % 7) * 20, 50 + (i % 5) * 30, 3, i);
    await writeAt(dir, key, png ? await image.png().toBuffer() : await image.jpeg({ quality: 92 }).toBuffer());
    expected.set(key, 'row');
  }
  return expected;
}

/** Unusual but valid images (each must yield a row) and bad input (each an error line). */
export async function writeEdgeCaseImages(dir: string): Promise<Map<string, Expectation>> {
  const validJpeg = await raw(120, 90, 3, 1).jpeg().toBuffer();
  const files: [string, Promise<Buffer> | Buffer, Expectation][] = [
    ['Odd/alpha.png', raw(80, 64, 4).png().toBuffer(), 'row'],
    ['Odd/gray.jpg', raw(70, 70, 1).jpeg().toBuffer(), 'row'],
    ['Odd/gray.png', raw(70, 50, 1).png().toBuffer(), 'row'],
    ['Odd/palette.png', raw(64, 64, 3).png({ palette: true, colours: 16 }).toBuffer(), 'row'],
    ['Odd/deep16.png', raw(48, 40, 3).toColourspace('rgb16').png().toBuffer(), 'row'],
    ['Odd/cmyk.jpg', raw(64, 48, 3).toColourspace('cmyk').jpeg().toBuffer(), 'row'],
    ['Odd/image.webp', raw(90, 60, 3).webp({ lossless: true }).toBuffer(), 'row'],
    ['Odd/tiny.jpg', raw(20, 30, 3).jpeg().toBuffer(), 'row'],
    ['Odd/huge.jpg', raw(4000, 3000, 3).jpeg({ quality: 70 }).toBuffer(), 'row'],
    ['Odd/wide.png', raw(500, 120, 3).png().toBuffer(), 'row'],
    ['Bad/empty.jpg', Buffer.alloc(0), 'FJ_IMAGE_EMPTY'],
    ['Bad/truncated.jpg', validJpeg.subarray(0, Math.floor(validJpeg.length / 2)), 'FJ_IMAGE_CORRUPT'],
    [
      'Bad/random.jpg',
      Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251)),
      'FJ_IMAGE_UNRECOGNIZED',
    ],
    ['Bad/text.png', Buffer.from('hello, I am a text file\n'), 'FJ_IMAGE_UNRECOGNIZED'],
    ['Bad/bomb.png', decompressionBombPng(100_000, 100_000), 'FJ_IMAGE_TOO_LARGE'],
    ['notes.txt', Buffer.from('not an image\n'), 'skipped'],
    ['Odd/labels.csv', Buffer.from('a,b\n'), 'skipped'],
  ];
  const expected = new Map<string, Expectation>();
  for (const [key, body, expectation] of files) {
    await writeAt(dir, key, await body);
    expected.set(key, expectation);
  }
  return expected;
}

async function writeAt(dir: string, key: string, body: Buffer): Promise<void> {
  const path = join(dir, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
}
