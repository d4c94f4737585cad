/**
 * The diff of a new listing against the image index of the version before it
 * (docs/versions.md, "Diff rules"): a walk over two lists sorted by key in UTF-8 byte order,
 * like a merge join, that never builds a set of either.
 */
import { FeatureJobError } from '../errors.js';
import { compareKeys } from '../storage/file-store.js';
import type { StoredObject } from '../storage/object-store.js';
import type { VersionChanges } from '../plan/plan-schema.js';
import { isRowEntry, type ImageIndexEntry } from './image-index.js';
import { isLastingImageError } from './is-lasting-image-error.js';

export interface ListingDiff {
  /** Images to process in the new version (new, changed, retried; all with `full`), sorted. */
  readonly planned: StoredObject[];
  /** Keys of the previous version that the listing no longer holds, sorted. */
  readonly removed: string[];
  readonly changes: VersionChanges;
}

/**
 * `previous` and `listing` sorted by key (the index is written sorted; both stores list in
 * key order). An unchanged image keeps its row, or its error when the error follows from its
 * content; a changed image (other size or content tag) is processed again.
 */
export function diffListing(
  previous: Iterable<ImageIndexEntry>,
  listing: readonly StoredObject[],
  options: { readonly full?: boolean } = {},
): ListingDiff {
  const full = options.full === true;
  const planned: StoredObject[] = [];
  const removed: string[] = [];
  const changes = { new: 0, changed: 0, removed: 0, unchanged: 0, retried: 0, full };
  const iterator = previous[Symbol.iterator]();
  let old = iterator.next();
  let lastOld: string | undefined;
  const advance = (): void => {
    lastOld = old.value?.path;
    old = iterator.next();
    if (!old.done && lastOld !== undefined && compareKeys(lastOld, old.value.path) >= 0)
      throw new FeatureJobError('FJ_TABLE_INVALID', `the image index is out of order at ${old.value.path}`);
  };
  for (const image of listing) {
    while (!old.done && compareKeys(old.value.path, image.key) < 0) {
      removed.push(old.value.path);
      changes.removed++;
      advance();
    }
    if (old.done || old.value.path !== image.key) {
      planned.push(image);
      changes.new++;
      continue;
    }
    const entry = old.value;
    advance();
    if (entry.size !== image.size || entry.tag !== image.tag) {
      planned.push(image);
      changes.changed++;
    } else if (!isRowEntry(entry) && !isLastingImageError(entry.code)) {
      planned.push(image);
      changes.retried++;
    } else if (full) {
      planned.push(image);
      changes.unchanged++;
    } else {
      changes.unchanged++;
    }
  }
  while (!old.done) {
    removed.push(old.value.path);
    changes.removed++;
    advance();
  }
  return { planned, removed, changes };
}
