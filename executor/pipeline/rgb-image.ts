/** A decoded image: 8-bit RGB, interleaved, row-major, no padding. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes: R, G, B per pixel. */
  readonly data: Uint8Array;
}
