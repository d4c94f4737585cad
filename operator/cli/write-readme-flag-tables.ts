/**
 * `npm run docs:cli`: rewrites the option tables in README.md from the CLI's flag tables.
 * Run it after changing a file under executor/cli/flags/ or operator/cli/operator-flags.ts,
 * and commit the result.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { README_PATH, renderReadmeFlagTables } from './readme-flag-tables.js';

await writeFile(README_PATH, renderReadmeFlagTables(await readFile(README_PATH, 'utf8')));
console.log(`wrote the option tables in ${README_PATH}`);
