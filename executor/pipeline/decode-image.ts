import sharp from 'sharp';
import type { Metadata, SharpOptions } from 'sharp';
import { DECODE_CONVERTING_PATH_BYTES_PER_PIXEL, DECODE_RGB_PATH_BYTES_PER_PIXEL } from '../config/limits.js';
import { FeatureJobError } from '../errors.js';
import { readGifTransparentColour } from './gif-transparent-colour.js';
import { sniffImageFormat } from './sniff-image-format.js';
import type { RgbImage } from './rgb-image.js';

/**
 * Formats for which sharp's decode is verified to equal Pillow's. Others sharp can read
 * either have no Pillow reader (SVG, PDF, FITS) or a different decoder and colour
 * conversion (HEIF/AVIF: libheif here, libavif in Pillow), so Keras would not have seen the
 * same pixels; they are treated as unrecognized rather than silently differing.
 */
const SUPPORTED_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);

export interface DecodeImageOptions {
  /** Reject images whose header declares more than this many pixels, before decoding. */
  maxPixels: number;
}

let sharpConfigured = false;

/**
 * Each image is decoded exactly once, so libvips' operation cache would only hold memory
 * (up to 50 MB per process by default) without ever getting a hit.
 */
function ensureSharpConfigured(): void {
  if (sharpConfigured) return;
  sharp.cache(false);
  sharpConfigured = true;
}

/**
 * What the header says of an image, read before any pixel is decoded: enough to refuse it
 * (too large) and to know how many bytes its decode will hold (`decodeBytes`, which a
 * worker's decode budget charges before the decode starts: see util/byte-budget.ts).
 */
export interface ImageHeader {
  readonly width: number;
  /** The first page's height: the only page decoded. */
  readonly height: number;
  /**
   * The bytes a full-resolution decode of this image holds at its peak: the decoder's image
   * (width x height x channels x bytes per sample, which libvips holds whole for interlaced
   * PNGs, progressive JPEGs and TIFFs) plus our 8-bit RGB copy and any conversion buffer.
   */
  readonly decodeBytes: number;
  readonly input: Buffer;
  readonly metadata: Header;
  /** The pixel limit it was read under; libvips enforces it again while decoding. */
  readonly maxPixels: number;
}

/**
 * Decodes an encoded image at full resolution into 8-bit RGB, the way Pillow's
 * `Image.open(f).convert('RGB')` does: alpha dropped (not composited), palette expanded,
 * grayscale replicated, no EXIF rotation, embedded ICC profiles ignored, first frame only.
 *
 * Each stage throws its own stable code: FJ_IMAGE_EMPTY (no bytes), FJ_IMAGE_UNRECOGNIZED
 * (header unreadable or not a supported format), FJ_IMAGE_TOO_LARGE (declared size over
 * maxPixels, checked from the header so a decompression bomb is never inflated),
 * FJ_IMAGE_CORRUPT (the pixel data does not decode, including truncated files, which
 * Pillow also refuses).
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions): Promise<RgbImage> {
  return decodeImagePixels(await readImageHeader(bytes, options));
}

/** The header stage of decodeImage: FJ_IMAGE_EMPTY, FJ_IMAGE_UNRECOGNIZED, FJ_IMAGE_TOO_LARGE. */
export async function readImageHeader(bytes: Uint8Array, options: DecodeImageOptions): Promise<ImageHeader> {
  const { maxPixels } = options;
  if (!Number.isSafeInteger(maxPixels) || maxPixels < 1) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `maxPixels must be a positive integer, got ${maxPixels}`);
  }
  if (bytes.byteLength === 0) {
    throw new FeatureJobError('FJ_IMAGE_EMPTY', 'image file is empty');
  }
  ensureSharpConfigured();
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const metadata = await readHeader(input);
  const width = metadata.width;
  // For multi-page images `height` may cover every page; we decode only the first.
  const height = metadata.pageHeight ?? metadata.height;
  if (width * height > maxPixels) {
    throw new FeatureJobError(
      'FJ_IMAGE_TOO_LARGE',
      `image is ${width}x${height} = ${width * height} pixels, more than the limit of ${maxPixels}`,
    );
  }
  return { width, height, decodeBytes: computeDecodeBytes(metadata, width * height), input, metadata, maxPixels };
}

/** Bytes per sample of each libvips band format; an unknown one counts as the widest. */
const BYTES_PER_SAMPLE: Readonly<Record<string, number>> = {
  uchar: 1,
  char: 1,
  ushort: 2,
  short: 2,
  uint: 4,
  int: 4,
  float: 4,
  complex: 8,
  double: 8,
  dpcomplex: 16,
};

/** The charge of a decode (see ImageHeader.decodeBytes), from the header's band format and path. */
function computeDecodeBytes(metadata: Header, pixels: number): number {
  const channels = metadata.channels ?? 4;
  const sample = BYTES_PER_SAMPLE[metadata.depth ?? ''] ?? 16;
  const converting =
    metadata.space === 'cmyk' || metadata.format === 'gif' || (metadata.space === 'grey16' && metadata.channels === 1);
  return (
    pixels *
    (channels * sample + (converting ? DECODE_CONVERTING_PATH_BYTES_PER_PIXEL : DECODE_RGB_PATH_BYTES_PER_PIXEL))
  );
}

/** The pixel stage of decodeImage: FJ_IMAGE_CORRUPT when the pixels do not decode. */
export async function decodeImagePixels(header: ImageHeader): Promise<RgbImage> {
  const { input, metadata, maxPixels } = header;
  const decodeOptions: SharpOptions = {
    // The least strict level that still refuses truncation: Pillow raises on truncated
    // files but decodes through libjpeg's recoverable warnings.
    failOn: 'truncated',
    limitInputPixels: maxPixels,
    page: 0,
    pages: 1,
    autoOrient: false,
    // Pillow's convert('RGB') never applies colour profiles.
    ignoreIcc: true,
  };
  try {
    if (metadata.space === 'cmyk') return await decodeCmyk(input, decodeOptions);
    if (metadata.space === 'grey16' && metadata.channels === 1) return await decodeGrey16(input, decodeOptions);
    if (metadata.format === 'gif') return await decodeGif(input, decodeOptions);
    return await decodeRgb(input, decodeOptions);
  } catch (error) {
    throw new FeatureJobError('FJ_IMAGE_CORRUPT', `image data could not be decoded: ${describe(error)}`, {
      cause: error,
    });
  }
}

type Header = Metadata & { width: number; height: number };

async function readHeader(input: Buffer): Promise<Header> {
  const sniffed = sniffImageFormat(input);
  if (sniffed === undefined) {
    throw new FeatureJobError(
      'FJ_IMAGE_UNRECOGNIZED',
      `not a JPEG, PNG, WebP, GIF or TIFF file: its first bytes are ${input.subarray(0, 8).toString('hex') || 'missing'}`,
    );
  }
  let metadata: Metadata;
  try {
    // No pixel limit here: the header alone is read, and the size check below must see a
    // bomb's dimensions to report it as too large rather than unrecognized.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new FeatureJobError('FJ_IMAGE_UNRECOGNIZED', `not a recognized image: ${describe(error)}`, {
      cause: error,
    });
  }
  if (!SUPPORTED_FORMATS.has(metadata.format) || metadata.format !== sniffed) {
    throw new FeatureJobError('FJ_IMAGE_UNRECOGNIZED', `unsupported image format: ${metadata.format}`);
  }
  const { width, height } = metadata;
  if (!(width > 0) || !(height > 0)) {
    throw new FeatureJobError('FJ_IMAGE_UNRECOGNIZED', 'image header has no dimensions');
  }
  return metadata as Header;
}

async function decodeRgb(input: Buffer, options: SharpOptions): Promise<RgbImage> {
  const { data, info } = await sharp(input, options)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  assertChannels(info.channels, 3);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * A GIF's transparent pixels get the colour Pillow shows for them (its palette entry);
 * every other pixel is opaque and decodes exactly like Pillow's palette lookup.
 */
async function decodeGif(input: Buffer, options: SharpOptions): Promise<RgbImage> {
  const transparent = readGifTransparentColour(input);
  if (transparent === undefined) return decodeRgb(input, options);
  const { data, info } = await sharp(input, options)
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  assertChannels(info.channels, 4);
  const pixels = info.width * info.height;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p += 1) {
    const isTransparent = data[p * 4 + 3] === 0;
    for (let c = 0; c < 3; c += 1) {
      out[p * 3 + c] = isTransparent ? (transparent[c] as number) : (data[p * 4 + c] as number);
    }
  }
  return { width: info.width, height: info.height, data: out };
}

/**
 * libvips converts CMYK through an ICC profile; Pillow uses a plain formula, which gives
 * colours over a hundred levels apart. Both undo Adobe's inverted CMYK identically, so we
 * take sharp's raw CMYK samples and apply Pillow's cmyk2rgb (libImaging/Convert.c).
 */
async function decodeCmyk(input: Buffer, options: SharpOptions): Promise<RgbImage> {
  const { data, info } = await sharp(input, options)
    .pipelineColourspace('cmyk')
    .toColourspace('cmyk')
    .raw()
    .toBuffer({ resolveWithObject: true });
  assertChannels(info.channels, 4);
  const pixels = info.width * info.height;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p += 1) {
    const inverseBlack = 255 - (data[p * 4 + 3] as number);
    for (let c = 0; c < 3; c += 1) {
      out[p * 3 + c] = inverseBlack - mulDiv255(data[p * 4 + c] as number, inverseBlack);
    }
  }
  return { width: info.width, height: info.height, data: out };
}

/** Pillow's MULDIV255: a * b / 255, rounded, in integer arithmetic. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/**
 * Pillow opens a 16-bit grayscale image (no alpha) as mode I;16, and convert('RGB') clips
 * each sample to 255 instead of scaling it (libvips would shift right by 8). Keras sees
 * the clipped values, so we reproduce them from sharp's 16-bit samples.
 */
async function decodeGrey16(input: Buffer, options: SharpOptions): Promise<RgbImage> {
  const { data, info } = await sharp(input, options)
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  assertChannels(info.channels, 1);
  // Copy into an aligned buffer: sharp's output may start at an odd offset.
  const samples = new Uint16Array(Uint8Array.from(data).buffer);
  const out = new Uint8Array(samples.length * 3);
  for (let p = 0; p < samples.length; p += 1) {
    const value = Math.min(samples[p] as number, 255);
    out[p * 3] = value;
    out[p * 3 + 1] = value;
    out[p * 3 + 2] = value;
  }
  return { width: info.width, height: info.height, data: out };
}

function assertChannels(actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(`decoder produced ${actual} channels, expected ${expected}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
