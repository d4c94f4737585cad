import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}

/** PNG colour types: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
export const PngColourType = { grey: 0, rgb: 2, palette: 3, greyAlpha: 4, rgba: 6 } as const;
export type PngColourType = (typeof PngColourType)[keyof typeof PngColourType];

const CHANNELS: Record<PngColourType, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface EncodePngOptions {
  width: number;
  height: number;
  colourType: PngColourType;
  bitDepth: 8 | 16;
  /** Row-major samples, channels interleaved; palette indices for colour type 3. */
  samples: ArrayLike<number>;
  /** RGB triplets for colour type 3. */
  palette?: ArrayLike<number>;
}

/**
 * A minimal PNG encoder (filter 0, no interlace) so tests control every stored sample
 * exactly, including 16-bit ones and palettes, without going through the decoder under test.
 */
export function encodePng(options: EncodePngOptions): Buffer {
  const { width, height, colourType, bitDepth, samples } = options;
  const channels = CHANNELS[colourType];
  const bytesPerSample = bitDepth / 8;
  const stride = 1 + width * channels * bytesPerSample;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    for (let i = 0; i < width * channels; i += 1) {
      const value = samples[y * width * channels + i] as number;
      const at = y * stride + 1 + i * bytesPerSample;
      if (bitDepth === 16) raw.writeUInt16BE(value, at);
      else raw[at] = value;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  const chunks = [chunk('IHDR', ihdr)];
  if (options.palette) chunks.push(chunk('PLTE', Uint8Array.from(options.palette)));
  chunks.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array()));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/**
 * A decompression bomb: a valid PNG header declaring `width` x `height` RGB pixels followed
 * by two rows of image data. A decoder that trusts the header allocates width * height * 3
 * bytes; ours must reject it from the header alone.
 */
export function decompressionBombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = PngColourType.rgb;
  const idat = deflateSync(Buffer.alloc((1 + width * 3) * 2));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array()),
  ]);
}
