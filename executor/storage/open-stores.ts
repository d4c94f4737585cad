import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from './s3-client.js';
import { parseLocation } from './location.js';
import { openStore } from './open-store.js';
import type { ObjectStore } from './object-store.js';

export interface StoreSettings {
  readonly input: string;
  readonly output: string;
  readonly s3Endpoint?: string;
  readonly region?: string;
}

/** The process's one S3 client, created on first use (a purely local job never makes one). */
export function createLazyS3Client(settings: { s3Endpoint?: string; region?: string }): () => S3Client {
  let client: S3Client | undefined;
  return () => {
    client ??= createS3Client({
      ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
    });
    return client;
  };
}

/** One store (a command's `<output>`, say) over its own lazily created S3 client. */
export function openOneStore(uri: string, settings: { s3Endpoint?: string; region?: string }): ObjectStore {
  return openStore(parseLocation(uri), { s3Client: createLazyS3Client(settings) });
}

/** The input and output stores of a process, sharing one lazily created S3 client. */
export function openStores(settings: StoreSettings): {
  input: ObjectStore;
  output: ObjectStore;
  s3Client: () => S3Client;
} {
  const s3Client = createLazyS3Client(settings);
  return {
    input: openStore(parseLocation(settings.input), { s3Client }),
    output: openStore(parseLocation(settings.output), { s3Client }),
    s3Client,
  };
}
