import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ErrorCatalog } from '../../../executor/errors.js';
import { findPackageRoot } from '../../../operator/errors-doc/find-package-root.js';
import { OperatorReasons } from '../../../operator/errors.js';

const ROOT = findPackageRoot(import.meta.url);

/**
 * The registries themselves and the page rendered from them name every code and reason,
 * so they cannot show that one is used.
 */
const ERRORS_MODULE = ['executor/errors.ts', 'operator/errors.ts', 'operator/errors-doc/'];

interface SourceFile {
  readonly path: string;
  readonly text: string;
}

function readSources(folder: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (ERRORS_MODULE.some((excluded) => path === excluded || `${path}/` === excluded)) continue;
    if (entry.isDirectory()) files.push(...readSources(path));
    else if (entry.isFile() && entry.name.endsWith('.ts'))
      files.push({ path, text: readFileSync(join(ROOT, path), 'utf8') });
  }
  return files;
}

const SOURCES = [...readSources('executor'), ...readSources('operator')];

/** A string literal holding exactly `name`, in any of the three quotes. */
function isQuotedIn(name: string, text: string): boolean {
  return new RegExp(`['"\`]${name}['"\`]`).test(text);
}

describe('the error registries against the sources', () => {
  test('the sources hold .ts files from both sides', () => {
    assert.ok(
      SOURCES.some((f) => f.path.startsWith('executor/pipeline/')),
      'no executor sources found',
    );
    assert.ok(
      SOURCES.some((f) => f.path.startsWith('operator/controller/')),
      'no operator sources found',
    );
  });

  test('every data-plane code is raised somewhere outside the catalog', () => {
    const unused = Object.keys(ErrorCatalog).filter((code) => !SOURCES.some((f) => isQuotedIn(code, f.text)));
    assert.deepEqual(unused, [], `codes declared in executor/errors.ts but raised nowhere: ${unused.join(', ')}`);
  });

  test('every code the sources write is in the catalog', () => {
    const undeclared = new Set<string>();
    for (const file of SOURCES) {
      for (const match of file.text.matchAll(/['"`](FJ_[A-Z0-9_]+)['"`]/g)) {
        if (!Object.hasOwn(ErrorCatalog, match[1]!)) undeclared.add(`${match[1]} (${file.path})`);
      }
    }
    assert.deepEqual([...undeclared], [], 'add these codes to executor/errors.ts so docs/errors.md explains them');
  });

  test('every operator reason is written somewhere outside operator/errors.ts', () => {
    const operatorSources = SOURCES.filter((f) => f.path.startsWith('operator/'));
    const unused = Object.keys(OperatorReasons).filter(
      (reason) => !operatorSources.some((f) => isQuotedIn(reason, f.text)),
    );
    assert.deepEqual(unused, [], `reasons declared in operator/errors.ts but written nowhere: ${unused.join(', ')}`);
  });

  test('codes and reasons are stable names, each reason used once', () => {
    for (const code of Object.keys(ErrorCatalog)) assert.match(code, /^FJ_[A-Z0-9_]+$/);
    const reasons = [...Object.values(ErrorCatalog).map((spec) => spec.reason), ...Object.keys(OperatorReasons)];
    for (const reason of reasons) assert.match(reason, /^[A-Z][A-Za-z0-9]*$/, `${reason} is not CamelCase`);
    const codeReasons = Object.values(ErrorCatalog).map((spec) => spec.reason);
    assert.equal(new Set(codeReasons).size, codeReasons.length, 'two codes share a reason');
    // A terminal code the operator meets itself ends the job with the code's own reason, so a
    // condition reason must name one thing whichever registry it comes from.
    const shared = codeReasons.filter((reason) => Object.hasOwn(OperatorReasons, reason));
    assert.deepEqual(shared, [], 'an operator reason and a code share a name');
  });

  test('every code and reason has a meaning that is a sentence', () => {
    const meanings = [...Object.entries(ErrorCatalog), ...Object.entries(OperatorReasons)];
    for (const [name, spec] of meanings) {
      assert.ok(
        spec.meaning.length >= 20 && spec.meaning.endsWith('.'),
        `${name}: the meaning should say what happened and what to do, as a sentence`,
      );
    }
  });
});
