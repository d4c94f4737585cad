import type { ObjectStore, StoredObject } from '../storage/object-store.js';

/**
 * Extensions treated as images; everything else is counted as skipped (manifest
 * `input.skipped`), never read. BMP is not among them: sharp has no BMP loader, so listing
 * `.bmp` would only turn each into an error, and decoding it like Pillow is not built.
 */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
]);

export interface InputListing {
  /** Images (keys relative to the input root, with size and content tag), ascending by key. */
  readonly images: StoredObject[];
  /** Objects listed that are not images by extension. */
  readonly skipped: number;
  readonly listed: number;
}

export function isImageKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  if (dot <= slash || dot === key.length - 1) return false;
  return IMAGE_EXTENSIONS.has(key.slice(dot).toLowerCase());
}

/**
 * Lists the input once. `excludePrefix` keeps the job from reading its own output when the
 * output lies inside the input (e.g. `run ./images --out ./images/features`).
 */
export async function listInput(store: ObjectStore, options: { excludePrefix?: string } = {}): Promise<InputListing> {
  const images: StoredObject[] = [];
  let skipped = 0;
  let listed = 0;
  const exclude = options.excludePrefix;
  for await (const object of store.list()) {
    if (exclude !== undefined && object.key.startsWith(exclude)) continue;
    listed += 1;
    if (isImageKey(object.key)) images.push({ key: object.key, size: object.size, tag: object.tag });
    else skipped += 1;
  }
  return { images, skipped, listed };
}
