/**
 * The image index of a new version (docs/versions.md, "The image index"): the previous index
 * with this version's outcomes laid over it and its removed keys taken out, in one walk over
 * three lists sorted by path. It also says which earlier data files lost rows, so the merge
 * rewrites exactly those (copy-on-write) and leaves every other file as it is.
 */
import { FeatureJobError } from '../errors.js';
import { compareKeys } from '../storage/file-store.js';
import { isRowEntry, type ImageIndexEntry } from './image-index.js';

export interface RebuiltImageIndex {
  readonly entries: ImageIndexEntry[];
  /** Per earlier data file that lost rows: the paths it lost. */
  readonly dropped: Map<string, Set<string>>;
}

export function rebuildImageIndex(
  previous: readonly ImageIndexEntry[],
  outcomes: readonly ImageIndexEntry[],
  removed: readonly string[],
): RebuiltImageIndex {
  const entries: ImageIndexEntry[] = [];
  const dropped = new Map<string, Set<string>>();
  const drop = (entry: ImageIndexEntry): void => {
    if (!isRowEntry(entry)) return;
    const paths = dropped.get(entry.file) ?? new Set<string>();
    dropped.set(entry.file, paths);
    paths.add(entry.path);
  };
  let o = 0;
  let r = 0;
  for (const entry of previous) {
    while (o < outcomes.length && compareKeys((outcomes[o] as ImageIndexEntry).path, entry.path) < 0)
      entries.push(outcomes[o++] as ImageIndexEntry);
    if (r < removed.length && compareKeys(removed[r] as string, entry.path) < 0)
      throw new FeatureJobError('FJ_TABLE_INVALID', `removed key ${removed[r]} is not in the previous image index`);
    if (o < outcomes.length && (outcomes[o] as ImageIndexEntry).path === entry.path) {
      drop(entry);
      entries.push(outcomes[o++] as ImageIndexEntry);
    } else if (r < removed.length && removed[r] === entry.path) {
      drop(entry);
      r++;
    } else {
      entries.push(entry);
    }
  }
  while (o < outcomes.length) entries.push(outcomes[o++] as ImageIndexEntry);
  if (r < removed.length)
    throw new FeatureJobError('FJ_TABLE_INVALID', `removed key ${removed[r]} is not in the previous image index`);
  return { entries, dropped };
}

/** Points the kept rows of every rewritten file at its replacement. */
export function moveRowsToRewrittenFiles(
  entries: readonly ImageIndexEntry[],
  rewritten: ReadonlyMap<string, string>,
): ImageIndexEntry[] {
  return entries.map((entry) => {
    if (!isRowEntry(entry)) return entry;
    const replacement = rewritten.get(entry.file);
    return replacement === undefined ? entry : { ...entry, file: replacement };
  });
}
