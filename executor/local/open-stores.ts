import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../storage/s3-client.js';
import { parseLocation } from '../storage/location.js';
import { openStore } from '../storage/open-store.js';
import type { ObjectStore } from '../storage/object-store.js';

/** The input and output stores of a process, sharing one lazily created S3 client. */
export function openStores(settings: { input: string; output: string; s3Endpoint?: string; region?: string }): {
  input: ObjectStore;
  output: ObjectStore;
} {
  let client: S3Client | undefined;
  const s3Client = (): S3Client => {
    const created =
      client ??
      createS3Client({
        ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint }),
        ...(settings.region === undefined ? {} : { region: settings.region }),
      });
    client = created;
    return created;
  };
  return {
    input: openStore(parseLocation(settings.input), { s3Client }),
    output: openStore(parseLocation(settings.output), { s3Client }),
  };
}
