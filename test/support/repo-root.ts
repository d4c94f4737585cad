import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file compiled to dist/test/support/. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
