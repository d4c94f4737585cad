/**
 * `--max-object-bytes`: a planned image larger than the limit, by the size its listing gave,
 * becomes an error line (FJ_OBJECT_TOO_LARGE) and is never fetched, since a fetch holds the
 * whole object in memory (docs/reliability.md, "Memory per executor"). Plans written before
 * sizes were recorded fetch everything.
 */
import type { ErrorRecord } from '../output/error-record.js';
import type { PlannedImage } from '../plan/plan-schema.js';

export function splitOversizedImages(
  images: readonly PlannedImage[],
  maxObjectBytes: number | undefined,
): { readonly fetchable: string[]; readonly oversized: ErrorRecord[] } {
  const fetchable: string[] = [];
  const oversized: ErrorRecord[] = [];
  for (const image of images) {
    if (maxObjectBytes !== undefined && image.size !== undefined && image.size > maxObjectBytes) {
      oversized.push({
        path: image.key,
        code: 'FJ_OBJECT_TOO_LARGE',
        message: `the object is ${image.size} bytes, more than --max-object-bytes ${maxObjectBytes}; it was not fetched`,
      });
    } else fetchable.push(image.key);
  }
  return { fetchable, oversized };
}
