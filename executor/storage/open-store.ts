import type { S3Client } from '@aws-sdk/client-s3';
import { FileStore } from './file-store.js';
import { parseLocation, type Location } from './location.js';
import type { ObjectStore } from './object-store.js';
import { createS3Client } from './s3-client.js';
import { S3Store } from './s3-store.js';

export interface OpenStoreOptions {
  /** Supplies the process's one S3 client; called only for an s3:// location. */
  readonly s3Client?: () => S3Client;
}

let processS3Client: S3Client | undefined;

/** The process-wide client from the environment, created on first use (one client per process). */
export function defaultS3Client(): S3Client {
  processS3Client ??= createS3Client();
  return processS3Client;
}

/** The store for a location (parsed, or a CLI argument to parse): a directory or S3. */
export function openStore(location: Location | string, options: OpenStoreOptions = {}): ObjectStore {
  const parsed = typeof location === 'string' ? parseLocation(location) : location;
  if (parsed.kind === 'file') return new FileStore({ dir: parsed.dir });
  const client = (options.s3Client ?? defaultS3Client)();
  return new S3Store({ client, bucket: parsed.bucket, prefix: parsed.prefix });
}
