import { isFeatureJobError } from '../errors.js';

/**
 * The one storage abstraction of the data plane: a flat key space under a root (a local
 * directory or an S3 bucket + prefix). Keys are relative to the root and use '/'.
 * Only storage/ talks to S3 or the file system.
 */
export interface StoredObject {
  /** Key relative to the store's root, '/'-separated, e.g. `Plum 5/r0_12.jpg`. */
  readonly key: string;
  readonly size: number;
  /**
   * What changes when the content changes (with the size): the S3 ETag, or a file's
   * modification time in milliseconds (`m<ms>`). Growth compares it to find changed images.
   */
  readonly tag: string;
}

export interface ObjectStore {
  /** `s3://bucket/prefix` or an absolute directory path. */
  readonly uri: string;
  /** Every object under `prefix` (relative to the root), in ascending key order. */
  list(prefix?: string): AsyncIterable<StoredObject>;
  /**
   * Reads a whole object. Throws FeatureJobError FJ_OBJECT_MISSING (absent),
   * FJ_OBJECT_FORBIDDEN (403 / EACCES) or FJ_OBJECT_READ_FAILED (anything else, transient).
   */
  get(key: string): Promise<Uint8Array>;
  /** Reads an object, or undefined when it does not exist. */
  getIfExists(key: string): Promise<Uint8Array | undefined>;
  /** Writes (replaces) an object. Files: written to a temp name then renamed. */
  put(key: string, body: Uint8Array | string): Promise<void>;
  /**
   * Create-only write: S3 `PutObject` with `If-None-Match: *`, files: exclusive create.
   * Returns true when this call created the object, false when it already existed.
   */
  putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** The full URI of a key, for manifests and messages. */
  uriOf(key: string): string;
}

/** A read that answers undefined, instead of FJ_OBJECT_MISSING, when the object is absent. */
export async function undefinedIfMissing(read: Promise<Uint8Array>): Promise<Uint8Array | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isFeatureJobError(error) && error.code === 'FJ_OBJECT_MISSING') return undefined;
    throw error;
  }
}
