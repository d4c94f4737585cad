/**
 * `npm run docs:errors`: writes docs/errors.md from the two error registries. Run it after
 * changing executor/errors.ts or operator/errors.ts, and commit the result.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPackageRoot } from './find-package-root.js';
import { renderErrorsDoc } from './render-errors-doc.js';

const path = join(findPackageRoot(import.meta.url), 'docs', 'errors.md');
await writeFile(path, renderErrorsDoc());
console.log(`wrote ${path}`);
