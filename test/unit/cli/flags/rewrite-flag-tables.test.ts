import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rewriteFlagTables } from '../../../../executor/cli/flags/rewrite-flag-tables.js';

describe('rewriteFlagTables', () => {
  test('replaces what lies between the markers and keeps the prose around them', () => {
    const before =
      'Intro.\n\n<!-- flags:run -->\n| old |\n<!-- /flags -->\n\nMore prose.\n<!-- flags:reduce -->\n<!-- /flags -->\n';
    assert.equal(
      rewriteFlagTables(before, { run: '| new |\n', reduce: '| r |' }),
      'Intro.\n\n<!-- flags:run -->\n| new |\n<!-- /flags -->\n\nMore prose.\n<!-- flags:reduce -->\n| r |\n<!-- /flags -->\n',
    );
  });

  test('refuses a marker that names no table, and a table marked never or twice', () => {
    assert.throws(() => rewriteFlagTables('<!-- flags:zap -->\n<!-- /flags -->\n', {}), /flags:zap/);
    assert.throws(() => rewriteFlagTables('no markers\n', { run: '|x|' }), /found 0/);
    assert.throws(
      () =>
        rewriteFlagTables('<!-- flags:run -->\n<!-- /flags -->\n<!-- flags:run -->\n<!-- /flags -->\n', { run: '|x|' }),
      /found 2/,
    );
  });
});
