import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `from` (a file URL or path) holding a package.json: the
 * repository root, whether the code runs from its source folder or compiled under dist/.
 */
export function findPackageRoot(from: string | URL): string {
  let dir = dirname(from instanceof URL || from.startsWith('file:') ? fileURLToPath(from) : from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json at or above ${String(from)}`);
    dir = parent;
  }
}
