import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ObjectStore } from '../../executor/storage/object-store.js';

/** Copies every file under `dir` to `store`, keys relative to `dir`. */
export async function uploadDirectory(dir: string, store: ObjectStore): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let count = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await store.put(relative(dir, path).split(sep).join('/'), await readFile(path));
    count += 1;
  }
  return count;
}
