/**
 * The table's image index (docs/versions.md, "The image index"): one JSON line per image of
 * the input as of a version, sorted by path in UTF-8 byte order, with the listed size and
 * content tag that growth compares and where the image ended: a row in a data file, or an
 * error. The Delta log says which files are current; the index says which image is in which
 * file, so the next version finds new, changed and removed images without reading any
 * data file, and rewrites only the files that lose a row.
 */
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import { StableCodeSchema } from '../output/error-record.js';
import { imageIndexShardKey, versionRoot } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseTableJsonLines } from './parse-json-lines.js';

/** Lines per index shard: about 15 MB of JSON, read and written whole. */
export const IMAGE_INDEX_SHARD_LINES = 100_000;

const base = {
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  tag: z.string().max(1024),
};

export const ImageIndexEntrySchema = z.union([
  /** A row of `file` (a data file key relative to the output root). */
  z.strictObject({ ...base, file: z.string().min(1) }),
  z.strictObject({ ...base, code: StableCodeSchema, message: z.string() }),
]);
export type ImageIndexEntry = z.infer<typeof ImageIndexEntrySchema>;

export function isRowEntry(entry: ImageIndexEntry): entry is Extract<ImageIndexEntry, { file: string }> {
  return 'file' in entry;
}

export function isErrorEntry(entry: ImageIndexEntry): entry is Extract<ImageIndexEntry, { code: string }> {
  return 'code' in entry;
}

export function encodeImageIndexLines(entries: readonly ImageIndexEntry[]): string {
  let text = '';
  for (const entry of entries) text += `${JSON.stringify(entry)}\n`;
  return text;
}

/** Writes version `version`'s index in shards of IMAGE_INDEX_SHARD_LINES; returns the shard count. */
export async function writeImageIndex(
  output: ObjectStore,
  version: number,
  entries: readonly ImageIndexEntry[],
): Promise<number> {
  const shards = Math.max(1, Math.ceil(entries.length / IMAGE_INDEX_SHARD_LINES));
  for (let shard = 0; shard < shards; shard++) {
    const slice = entries.slice(shard * IMAGE_INDEX_SHARD_LINES, (shard + 1) * IMAGE_INDEX_SHARD_LINES);
    await output.put(imageIndexShardKey(version, shard), encodeImageIndexLines(slice));
  }
  return shards;
}

/**
 * Version `version`'s index, every shard in order; `shards` is the count its manifest recorded,
 * so a missing shard is an error, never a silently shorter index. A missing shard or a line
 * that is not an entry is FJ_TABLE_INVALID (the index is the table's run state).
 */
export async function readImageIndex(output: ObjectStore, version: number, shards: number): Promise<ImageIndexEntry[]> {
  const entries: ImageIndexEntry[] = [];
  for (let shard = 0; shard < shards; shard++) {
    const key = imageIndexShardKey(version, shard);
    const bytes = await output.getIfExists(key);
    if (bytes === undefined) {
      throw new FeatureJobError(
        'FJ_TABLE_INVALID',
        `${output.uriOf(key)} is missing: the image index of version ${version} has ${shards} shards`,
      );
    }
    for (const entry of parseTableJsonLines(
      Buffer.from(bytes).toString('utf8'),
      output.uriOf(key),
      ImageIndexEntrySchema,
    ))
      entries.push(entry);
  }
  return entries;
}

/** The folder of version `version`'s index, for messages. */
export function imageIndexFolder(version: number): string {
  return `${versionRoot(version)}images/`;
}
