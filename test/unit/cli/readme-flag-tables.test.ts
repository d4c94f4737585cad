import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { README_PATH, renderReadmeFlagTables } from '../../../operator/cli/readme-flag-tables.js';

describe("the README's option tables", () => {
  test('are what the flag tables generate', async () => {
    const committed = await readFile(README_PATH, 'utf8');
    assert.ok(
      committed === renderReadmeFlagTables(committed),
      'README.md option tables are out of date with executor/cli/flags/ and operator/cli/operator-flags.ts: run ' +
        '`npm run docs:cli` and commit the result',
    );
  });
});
