/**
 * The colour Pillow shows for the transparent pixels of a GIF's first frame.
 *
 * Pillow opens a GIF as palette image and `convert('RGB')` looks every index up in the
 * palette, so transparent pixels keep the colour stored at the transparency index. libvips
 * instead decodes them to (0, 0, 0, alpha 0). Reading the first frame's transparency
 * index and colour table from the file lets the decoder put Pillow's colour back.
 *
 * Returns undefined when the first frame declares no transparency or the file is not a
 * well-formed GIF up to its first image descriptor.
 */
export function readGifTransparentColour(bytes: Uint8Array): [number, number, number] | undefined {
  if (bytes.length < 13 || ascii(bytes, 0, 3) !== 'GIF') return undefined;
  const screenFlags = bytes[10] as number;
  let at = 13;
  let globalTable: Uint8Array | undefined;
  if (screenFlags & 0x80) {
    const size = 3 * 2 ** ((screenFlags & 0x07) + 1);
    globalTable = bytes.subarray(at, at + size);
    at += size;
  }
  let transparentIndex: number | undefined;
  while (at < bytes.length) {
    const introducer = bytes[at];
    if (introducer === 0x21) {
      const label = bytes[at + 1];
      at += 2;
      // Graphic Control Extension: block size 4, flags, delay (2), transparency index.
      if (label === 0xf9 && bytes[at] === 4) {
        transparentIndex = (bytes[at + 1] as number) & 0x01 ? bytes[at + 4] : undefined;
      }
      at = skipSubBlocks(bytes, at);
      if (at < 0) return undefined;
    } else if (introducer === 0x2c) {
      if (transparentIndex === undefined) return undefined;
      const imageFlags = bytes[at + 9];
      if (imageFlags === undefined) return undefined;
      let table = globalTable;
      if (imageFlags & 0x80) {
        const size = 3 * 2 ** ((imageFlags & 0x07) + 1);
        table = bytes.subarray(at + 10, at + 10 + size);
      }
      // Pillow pads a short palette with black.
      const entry = (i: number): number => table?.[(transparentIndex as number) * 3 + i] ?? 0;
      return [entry(0), entry(1), entry(2)];
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Skips a chain of data sub-blocks (length byte + data, ended by a zero length). */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
  let position = at;
  while (position < bytes.length) {
    const length = bytes[position] as number;
    position += 1;
    if (length === 0) return position;
    position += length;
  }
  return -1;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}
