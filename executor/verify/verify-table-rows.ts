/**
 * The rows of a table version (docs/versions.md, "The image index"): every current data file
 * exists with the size its add action states, the image index names exactly the current
 * files, and each file's rows are exactly the index entries that name it, so every current
 * image is one row of the table or one error, once.
 */
import type { ImageIndexEntry } from '../table/image-index.js';
import { isErrorEntry, isRowEntry } from '../table/image-index.js';
import type { AddAction } from '../table/delta-actions.js';
import { readFeatureShard } from '../output/read-feature-shard.js';
import { compareKeys } from '../storage/file-store.js';
import type { ObjectStore, StoredObject } from '../storage/object-store.js';
import { messageOf, type ProblemList } from './problem-list.js';
import type { RunFindings } from './verify-run.js';

/**
 * Reads every current data file (by key relative to the output root) that exists with its
 * add action's size; returns the paths of its rows by key.
 */
export async function readCurrentDataFiles(
  output: ObjectStore,
  version: number,
  current: ReadonlyMap<string, AddAction>,
  dataFiles: ReadonlyMap<string, StoredObject>,
  found: ProblemList,
): Promise<Map<string, string[]>> {
  const rows = new Map<string, string[]>();
  for (const [key, add] of [...current].sort(([a], [b]) => compareKeys(a, b))) {
    const uri = output.uriOf(key);
    const object = dataFiles.get(key);
    if (object === undefined) {
      found.add(
        'table-file',
        `${uri} is a current data file of version ${version} (the log adds it) but does not exist`,
      );
      continue;
    }
    if (object.size !== add.size) {
      found.add('table-file', `${uri} holds ${object.size} bytes, its add action in the log says ${add.size}`);
      continue;
    }
    let paths: string[];
    try {
      paths = (await readFeatureShard(output, key)).paths;
    } catch (error) {
      found.add('table-file', `${uri} cannot be read: ${messageOf(error)}`);
      continue;
    }
    const stated = numRecordsOf(add);
    if (stated !== undefined && stated !== paths.length)
      found.add('table-file', `${uri} holds ${paths.length} rows, its add action's stats say ${stated}`);
    rows.set(key, paths);
  }
  return rows;
}

function numRecordsOf(add: AddAction): number | undefined {
  if (add.stats === undefined) return undefined;
  try {
    const value = (JSON.parse(add.stats) as { numRecords?: unknown }).numRecords;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface IndexCheck {
  readonly output: ObjectStore;
  readonly version: number;
  readonly index: readonly ImageIndexEntry[];
  readonly current: ReadonlyMap<string, AddAction>;
  /** The rows of each current data file that could be read. */
  readonly fileRows: ReadonlyMap<string, readonly string[]>;
  readonly run: RunFindings;
  readonly found: ProblemList;
}

/** The image index against the current files and their rows, and the version's run against the index. */
export function verifyImageIndex(check: IndexCheck): void {
  const { output, version, index, current, fileRows, run, found } = check;
  const ofVersion = `the image index of version ${version}`;
  const byPath = new Map<string, ImageIndexEntry>();
  const named = new Set<string>();
  let previous: string | undefined;
  for (const entry of index) {
    if (byPath.has(entry.path)) found.add('image-duplicated', `${entry.path} appears more than once in ${ofVersion}`);
    else if (previous !== undefined && compareKeys(previous, entry.path) > 0)
      found.add('image-index', `${ofVersion} is not sorted by path: ${entry.path} comes after ${previous}`);
    byPath.set(entry.path, entry);
    previous = entry.path;
    if (!isRowEntry(entry)) continue;
    named.add(entry.file);
    if (!current.has(entry.file)) {
      found.add(
        'image-index',
        `${ofVersion} puts ${entry.path} in ${output.uriOf(entry.file)}, which is not a current data file`,
      );
    }
  }
  for (const key of current.keys()) {
    if (!named.has(key))
      found.add('image-index', `${output.uriOf(key)} is a current data file, but no entry of ${ofVersion} names it`);
  }

  const filesOfRow = new Map<string, string[]>();
  for (const [key, paths] of fileRows) {
    for (const path of paths) {
      const files = filesOfRow.get(path);
      if (files === undefined) filesOfRow.set(path, [key]);
      else files.push(key);
    }
  }
  for (const [path, files] of filesOfRow) {
    if (files.length > 1) {
      found.add(
        'image-duplicated',
        `${path} is ${files.length} rows of the table (${files.map((key) => output.uriOf(key)).join(', ')}), ` +
          'yet every current image is one row',
      );
    }
    const entry = byPath.get(path);
    for (const key of new Set(files)) {
      if (entry !== undefined && isRowEntry(entry) && entry.file === key) continue;
      const says =
        entry === undefined
          ? `which is not in ${ofVersion}`
          : isRowEntry(entry)
            ? `which ${ofVersion} puts in ${output.uriOf(entry.file)}`
            : `which ${ofVersion} lists as failed (${entry.code})`;
      found.add('table-file', `${output.uriOf(key)} holds a row for ${path}, ${says}`);
    }
  }
  for (const entry of index) {
    if (isRowEntry(entry) && fileRows.has(entry.file) && !(filesOfRow.get(entry.path) ?? []).includes(entry.file))
      found.add(
        'image-index',
        `${ofVersion} puts ${entry.path} in ${output.uriOf(entry.file)}, which holds no row for it`,
      );
  }

  // The version's own run is in the table: its shards are current, its failures are the index's errors.
  for (const [key, paths] of run.shardPaths) {
    if (paths.length > 0 && !current.has(key)) {
      found.add(
        'table',
        `${output.uriOf(key)}, a shard of version ${version}'s run, is not a current data file: its rows are not in the table`,
      );
    }
  }
  for (const record of run.errors) {
    const entry = byPath.get(record.path);
    if (entry === undefined || !isErrorEntry(entry)) {
      found.add(
        'image-index',
        `${record.path} failed in version ${version}'s run, but ${ofVersion} ` +
          (entry === undefined ? 'does not list it' : `puts it in ${output.uriOf(entry.file)}`),
      );
    }
  }
}
