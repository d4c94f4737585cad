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
