/**
 * Limits that both the configuration (defaults of flags and of the executor config) and the
 * data plane read. They live here, below every other folder, so that config never imports
 * the pipeline (docs/architecture.md, "Layers").
 */

/**
 * Pillow raises DecompressionBombError when width * height exceeds twice
 * `Image.MAX_IMAGE_PIXELS` (2 * 89,478,485), so Keras' `load_img` refuses exactly the
 * images above this count; anything at or below it Keras would decode.
 */
export const DEFAULT_MAX_PIXELS = 178_956_970;

/**
 * The largest object an executor fetches (from the size the listing gave, before any read):
 * a fetch holds the whole object in memory, up to --fetch-concurrency of them at once. A
 * larger object becomes an error line, FJ_OBJECT_TOO_LARGE. 256 MiB holds every JPEG and
 * most PNGs within --max-pixels (a 178-megapixel 8-bit RGB PNG compresses to well under it).
 */
export const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;

/**
 * Bytes per pixel a full-resolution decode holds beside the decoder's own image (which is
 * width x height x channels x bytes per sample, held whole for interlaced PNGs, progressive
 * JPEGs and TIFFs; measured: a 8000x8000 interlaced 16-bit PNG raised RSS by 572 MB = 6 + 3
 * bytes a pixel, a progressive JPEG by 381 MB). The RGB path holds sharp's 3-byte output;
 * CMYK, GIF and 16-bit grey take 4 (or 2 + an aligned copy of 2) bytes from sharp and write 3.
 */
export const DECODE_RGB_PATH_BYTES_PER_PIXEL = 3;
export const DECODE_CONVERTING_PATH_BYTES_PER_PIXEL = 7;

/**
 * The deepest decode of an ordinary image: four 16-bit channels (8 bytes) on a converting
 * path (7), i.e. a 16-bit CMYK TIFF. A 16-bit RGBA PNG holds 11 bytes a pixel, an 8-bit
 * JPEG 3 to 6. Float and double TIFFs can hold more (then they decode alone, see below).
 */
export const DEEPEST_DECODE_BYTES_PER_PIXEL = 4 * 2 + DECODE_CONVERTING_PATH_BYTES_PER_PIXEL;

/**
 * The default budget of decoded bytes per worker process (`--decode-budget`): the decode of
 * the largest image `--max-pixels` admits by default, in the deepest ordinary format
 * (178,956,970 x 15 = 2,684,354,550 bytes, 2.5 GiB). So any such image decodes within the
 * budget, several 13,000 x 13,000 16-bit PNGs (1.5 GB each) decode one at a time instead of
 * together, and ordinary photos (a 24-megapixel JPEG holds 72 to 144 MB) still decode as many
 * at once as there are decode slots. An image whose decode is larger than the budget (a
 * smaller budget, a raised `--max-pixels`) waits until nothing else is held and then decodes
 * alone.
 */
export const DEFAULT_DECODE_BUDGET_BYTES = DEFAULT_MAX_PIXELS * DEEPEST_DECODE_BYTES_PER_PIXEL;
