import { FeatureJobError, isFeatureJobError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface FetchOptions {
  readonly attempts: number;
  /** Waits between attempts; injected so tests need not sleep. */
  readonly delay: (ms: number) => Promise<void>;
}

export const defaultFetchOptions: FetchOptions = {
  attempts: 4,
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Reads one input object. Missing and forbidden objects are final answers (they become
 * error records); other failures are retried with backoff, then surface as transient so the
 * partition attempt fails and is retried rather than losing the image.
 */
export async function fetchObject(
  store: ObjectStore,
  key: string,
  options: FetchOptions = defaultFetchOptions,
): Promise<Uint8Array> {
  let lastError: unknown;
  for (let attempt = 0; attempt < options.attempts; attempt += 1) {
    try {
      return await store.get(key);
    } catch (error) {
      if (isFeatureJobError(error) && !error.isTransient) throw error;
      lastError = error;
      if (attempt + 1 < options.attempts) await options.delay(100 * 2 ** attempt);
    }
  }
  const message = lastError instanceof Error ? lastError.message : String(lastError);
  throw new FeatureJobError(
    'FJ_OBJECT_READ_FAILED',
    `reading ${store.uriOf(key)} failed ${options.attempts} times: ${message}`,
    { cause: lastError },
  );
}
