import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ExecutorExitCodes } from '../../../executor/cluster/executor-exit-codes.js';
import { ErrorCatalog } from '../../../executor/errors.js';
import { findPackageRoot } from '../../../operator/errors-doc/find-package-root.js';
import { renderErrorsDoc } from '../../../operator/errors-doc/render-errors-doc.js';
import { OperatorReasons } from '../../../operator/errors.js';

const ERRORS_DOC_PATH = join(findPackageRoot(import.meta.url), 'docs', 'errors.md');

/** The cells of a Markdown table row, split on the `|` that are not escaped. */
function splitRow(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Rows of the committed page, keyed by their first cell without its backticks. */
function rowsByName(doc: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = splitRow(line);
    rows.set(cells[0]!.replaceAll('`', ''), cells);
  }
  return rows;
}

describe('docs/errors.md', () => {
  test('the committed page is what the two error registries render', async () => {
    const committed = await readFile(ERRORS_DOC_PATH, 'utf8');
    assert.ok(
      committed === renderErrorsDoc(),
      'docs/errors.md is out of date with executor/errors.ts and operator/errors.ts: run `npm run docs:errors` and commit the result',
    );
  });

  test('every data-plane code has a row with its reason, kind and meaning', async () => {
    const rows = rowsByName(await readFile(ERRORS_DOC_PATH, 'utf8'));
    for (const [code, spec] of Object.entries(ErrorCatalog)) {
      assert.deepEqual(
        rows.get(code),
        [`\`${code}\``, spec.reason, spec.kind, spec.meaning],
        `${code} is missing from docs/errors.md or its row is stale`,
      );
    }
  });

  test('every operator reason has a row with its kind and meaning', async () => {
    const rows = rowsByName(await readFile(ERRORS_DOC_PATH, 'utf8'));
    for (const [reason, spec] of Object.entries(OperatorReasons)) {
      assert.deepEqual(
        rows.get(reason),
        [`\`${reason}\``, spec.kind, spec.meaning],
        `${reason} is missing from docs/errors.md or its row is stale`,
      );
    }
  });

  test('a pipe or a line break in a meaning stays inside its table cell', () => {
    const doc = renderErrorsDoc({
      codes: { FJ_TEST: { reason: 'Test', kind: 'terminal', meaning: 'either a | b,\nthen c.' } },
      reasons: { Tested: { kind: 'info', meaning: 'x | y.' } },
    });
    const rows = rowsByName(doc);
    assert.deepEqual(rows.get('FJ_TEST'), ['`FJ_TEST`', 'Test', 'terminal', 'either a \\| b, then c.']);
    assert.deepEqual(rows.get('Tested'), ['`Tested`', 'info', 'x \\| y.']);
  });

  test("the exit codes it states are the executor's own", () => {
    const { transient, badConfiguration, crashed } = ExecutorExitCodes;
    const flat = renderErrorsDoc().replace(/\s+/g, ' ');
    for (const phrase of [
      `${transient} a transient code`,
      `${badConfiguration} a terminal code`,
      `${crashed} an unexpected crash`,
      `exit ${badConfiguration} into \`BadInput\``,
      `exit ${transient} into \`TransientFailure\``,
    ]) {
      assert.ok(flat.includes(phrase), `docs/errors.md should say "${phrase}"`);
    }
  });
});
