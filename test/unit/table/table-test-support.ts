/** Shared pieces of the table unit tests: a FileStore on a fresh temp folder, and error matchers. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ErrorCode, isFeatureJobError } from '../../../executor/errors.js';
import { FileStore } from '../../../executor/storage/file-store.js';

/** A matcher for assert.throws / assert.rejects: a FeatureJobError with `code` whose message matches `pattern`. */
export function hasCode(code: ErrorCode, pattern?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isFeatureJobError(error), `expected a FeatureJobError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  };
}

/** Temp folders for one describe block: `fresh()` gives a FileStore on a new one; `cleanUp` removes them all. */
export function tempStores(name: string): { fresh: () => Promise<FileStore>; cleanUp: () => Promise<void> } {
  const roots: string[] = [];
  return {
    fresh: async () => {
      const root = await mkdtemp(join(tmpdir(), `fj-${name}-`));
      roots.push(root);
      return new FileStore({ dir: root });
    },
    cleanUp: async () => {
      await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
    },
  };
}

export const MODEL_SHA = 'a'.repeat(64);
