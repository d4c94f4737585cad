/**
 * Whether an image's error follows from its content, so that the same bytes fail the same way
 * and a later version keeps the error instead of retrying (docs/versions.md, "Diff rules").
 * Anything else (a missing or forbidden object, a failure of the store) is retried.
 */
const CONTENT_CODES: ReadonlySet<string> = new Set([
  'FJ_IMAGE_EMPTY',
  'FJ_IMAGE_UNRECOGNIZED',
  'FJ_IMAGE_CORRUPT',
  'FJ_IMAGE_TOO_LARGE',
]);

export function isLastingImageError(code: string): boolean {
  return CONTENT_CODES.has(code);
}
