import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { link, mkdir, open, opendir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { FeatureJobError, type ErrorCode } from '../errors.js';
import { undefinedIfMissing, type ObjectStore, type StoredObject } from './object-store.js';

export interface FileStoreOptions {
  /** The root directory; keys are paths relative to it. Made absolute. */
  readonly dir: string;
}

// Temp files live next to their target (so rename/link stay on one file system) and are
// never listed, so a concurrent or crashed write is invisible to readers.
const TEMP_MARKER = '.featurejob-tmp-';
const STAT_BATCH = 64;

/** Orders keys as S3 does (by UTF-8 bytes), so both stores list in the same order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const MISSING_ERRNOS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const FORBIDDEN_ERRNOS = new Set(['EACCES', 'EPERM']);
const UNSUPPORTED_ERRNOS = new Set(['ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function readError(key: string, path: string, error: unknown): FeatureJobError {
  const errno = errnoOf(error);
  let code: ErrorCode = 'FJ_OBJECT_READ_FAILED';
  if (errno !== undefined && MISSING_ERRNOS.has(errno)) code = 'FJ_OBJECT_MISSING';
  else if (errno !== undefined && FORBIDDEN_ERRNOS.has(errno)) code = 'FJ_OBJECT_FORBIDDEN';
  return new FeatureJobError(code, `cannot read ${key} (${path}): ${errno ?? String(error)}`, { cause: error });
}

function storageError(action: string, path: string, error: unknown): FeatureJobError {
  const errno = errnoOf(error);
  let code: ErrorCode = 'FJ_STORAGE_FAILED';
  if (errno === 'ENOENT' || errno === 'ENOTDIR') code = 'FJ_STORAGE_NOT_FOUND';
  else if (errno !== undefined && FORBIDDEN_ERRNOS.has(errno)) code = 'FJ_STORAGE_ACCESS_DENIED';
  else if (errno === 'EROFS') code = 'FJ_STORAGE_ACCESS_DENIED';
  return new FeatureJobError(code, `cannot ${action} ${path}: ${errno ?? String(error)}`, { cause: error });
}

interface DirectoryEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly tag: string;
}

function toBuffer(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** A file's content tag: its modification time in whole milliseconds (see StoredObject.tag). */
function fileTag(mtimeMs: number): string {
  return `m${Math.trunc(mtimeMs)}`;
}

/** An ObjectStore over a local directory tree; keys are '/'-separated relative paths. */
export class FileStore implements ObjectStore {
  readonly uri: string;
  private readonly dir: string;
  private rootReal: Promise<string> | undefined;

  constructor(options: FileStoreOptions) {
    this.dir = resolve(options.dir);
    this.uri = this.dir;
  }

  uriOf(key: string): string {
    return this.pathOf(key);
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    // Start at the deepest directory the prefix names; the rest of the prefix filters names.
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash);
    const start = base === '' ? this.dir : this.pathOf(base);
    for await (const object of this.walk(start, base, new Set())) {
      if (object.key.startsWith(prefix)) yield object;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      if (!(await this.isInsideRoot(await realpath(path)))) {
        throw new FeatureJobError('FJ_OBJECT_FORBIDDEN', `${path} leads outside ${this.dir} through a symbolic link`);
      }
      return await readFile(path);
    } catch (error) {
      if (error instanceof FeatureJobError) throw error;
      throw readError(key, path, error);
    }
  }

  getIfExists(key: string): Promise<Uint8Array | undefined> {
    return undefinedIfMissing(this.get(key));
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(path, body);
    try {
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw storageError('write', path, error);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const path = this.pathOf(key);
    // The full body goes to a temp file first; link() then creates the final name only if
    // it is absent, atomically, so a crash never leaves a half-written object behind.
    const temp = await this.writeTemp(path, body);
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      const errno = errnoOf(error);
      // An existing name with our exact bytes is our own earlier write (a retried create).
      if (errno === 'EEXIST') return isSameContent(path, body);
      if (errno !== undefined && UNSUPPORTED_ERRNOS.has(errno)) {
        throw new FeatureJobError(
          'FJ_CONDITIONAL_WRITE_UNSUPPORTED',
          `cannot create ${path} exclusively: the file system does not support hard links (${errno})`,
          { cause: error },
        );
      }
      throw storageError('create', path, error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      // Clean-up never follows a symlinked folder: what lies behind it is not this store's.
      if (!(await this.isReachedWithoutLinks(dirname(path)))) return;
      await unlink(path);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'ENOENT' || errno === 'ENOTDIR') return;
      throw storageError('delete', path, error);
    }
  }

  /** The absolute path of a key; rejects empty, '.' and '..' segments, so no key leaves the root. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    if (key === '' || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `invalid object key "${key}"`);
    }
    return join(this.dir, ...segments);
  }

  private async writeTemp(path: string, body: Uint8Array | string): Promise<string> {
    const parent = dirname(path);
    const temp = join(parent, `${TEMP_MARKER}${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(parent, { recursive: true });
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(toBuffer(body));
        // Durable before it becomes visible: a rename or link after a crash must not expose an empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      return temp;
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw storageError('write', path, error);
    }
  }

  /**
   * Yields the files under `dir` in UTF-8 byte order of their keys. Sorting a directory's
   * entries by `name` for files and `name + '/'` for directories gives the global key order
   * while holding one directory listing at a time, not the whole tree.
   */
  private async *walk(dir: string, keyBase: string, ancestors: Set<string>): AsyncGenerator<StoredObject> {
    const listing = await this.readDirectory(dir);
    // A symlink back to an ancestor would otherwise loop forever.
    if (listing === undefined || ancestors.has(listing.real)) return;
    ancestors.add(listing.real);
    try {
      for (const entry of listing.entries) {
        const key = keyBase === '' ? entry.name : `${keyBase}/${entry.name}`;
        if (entry.isDirectory) yield* this.walk(join(dir, entry.name), key, ancestors);
        else yield { key, size: entry.size, tag: entry.tag };
      }
    } finally {
      ancestors.delete(listing.real);
    }
  }

  /**
   * A directory's sorted entries, or undefined when it does not exist: like an S3 prefix
   * with no objects, a missing directory (the root included) lists as empty. Only a root
   * that is a regular file is an error.
   */
  private async readDirectory(dir: string): Promise<{ real: string; entries: DirectoryEntry[] } | undefined> {
    const entries: DirectoryEntry[] = [];
    let real: string;
    try {
      real = await realpath(dir);
      const dirents: Dirent[] = [];
      for await (const dirent of await opendir(dir)) {
        if (!dirent.name.startsWith(TEMP_MARKER)) dirents.push(dirent);
      }
      // Sizes need a stat per file; a bounded batch keeps a 100k-file folder from taking minutes.
      for (let start = 0; start < dirents.length; start += STAT_BATCH) {
        const batch = dirents.slice(start, start + STAT_BATCH);
        for (const entry of await Promise.all(batch.map((dirent) => this.describe(dir, dirent)))) {
          if (entry !== undefined) entries.push(entry);
        }
      }
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'ENOENT' || (errno === 'ENOTDIR' && dir !== this.dir)) return undefined;
      throw storageError('list', dir, error);
    }
    const sortKey = (entry: DirectoryEntry): string => (entry.isDirectory ? `${entry.name}/` : entry.name);
    entries.sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
    return { real, entries };
  }

  /** The root's real path (the root itself while it does not exist yet). */
  private realRoot(): Promise<string> {
    this.rootReal ??= realpath(this.dir).catch(() => this.dir);
    return this.rootReal;
  }

  private async isInsideRoot(real: string): Promise<boolean> {
    const root = await this.realRoot();
    return real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
  }

  /** Whether `dir` (under the root) is reached without passing through a symbolic link. */
  private async isReachedWithoutLinks(dir: string): Promise<boolean> {
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined) return true;
    return real === join(await this.realRoot(), relative(this.dir, dir));
  }

  /**
   * File or directory (following symlinks that stay inside the root) with its size; undefined
   * for anything else, and for a link that leads out of the root: an input folder's listing
   * never reaches files elsewhere on the machine.
   */
  private async describe(dir: string, dirent: Dirent): Promise<DirectoryEntry | undefined> {
    if (dirent.isDirectory()) return { name: dirent.name, isDirectory: true, size: 0, tag: '' };
    if (!dirent.isFile() && !dirent.isSymbolicLink()) return undefined;
    const path = join(dir, dirent.name);
    try {
      if (dirent.isSymbolicLink() && !(await this.isInsideRoot(await realpath(path)))) return undefined;
      const info = await stat(path);
      if (info.isDirectory()) return { name: dirent.name, isDirectory: true, size: 0, tag: '' };
      if (info.isFile()) return { name: dirent.name, isDirectory: false, size: info.size, tag: fileTag(info.mtimeMs) };
      return undefined;
    } catch (error) {
      // Deleted since readdir, or a dangling symlink: not an object.
      if (MISSING_ERRNOS.has(errnoOf(error) ?? '')) return undefined;
      throw storageError('list', path, error);
    }
  }
}

/** Whether the file at `path` holds exactly `body`; a file that vanished or cannot be read does not. */
async function isSameContent(path: string, body: Uint8Array | string): Promise<boolean> {
  const stored = await readFile(path).catch(() => undefined);
  return stored !== undefined && Buffer.compare(stored, Buffer.from(toBuffer(body))) === 0;
}
