import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../support/repo-root.js';

/**
 * The house line-length limit (docs/architecture.md, Layers): no line of the TypeScript and
 * JavaScript sources and tests under executor/, operator/, crds/ and test/ is longer than
 * 140 columns. Biome formats at 120 but leaves long string literals, template strings and
 * test names alone; this test catches those. Build output (dist/), node_modules and dot
 * folders are not read, nor generated YAML, JSON or markdown. The one exemption: a line that
 * is a URL alone, after an optional comment marker (`//`, `*`), since a URL cannot be split.
 */
const MAX_COLUMNS = 140;
const TOP_FOLDERS = ['executor', 'operator', 'crds', 'test'] as const;
const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/;
const SKIPPED_FOLDERS = new Set(['dist', 'node_modules']);
const URL_ALONE = /^\s*(\/\/|\/\*+|\*)?\s*<?https?:\/\/\S+>?\s*(\*\/)?\s*$/;

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return SKIPPED_FOLDERS.has(entry.name) || entry.name.startsWith('.') ? [] : listSources(path);
    return entry.isFile() && SOURCE.test(entry.name) ? [path] : [];
  });
}

/** `file:line:columns` for every line over the limit; columns count code points, as an editor does. */
function findLongLines(file: string, text: string, maxColumns = MAX_COLUMNS): string[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    const columns = [...line].length;
    return columns > maxColumns && !URL_ALONE.test(line) ? [`${file}:${i + 1}:${columns}`] : [];
  });
}

describe('line length', () => {
  it(`keeps every source and test line at most ${MAX_COLUMNS} columns`, () => {
    const files = TOP_FOLDERS.flatMap((top) => listSources(join(REPO_ROOT, top)));
    assert.ok(files.length > 100, `expected the repository's sources, found ${files.length} files`);
    const long = files.flatMap((path) =>
      findLongLines(relative(REPO_ROOT, path).split(sep).join('/'), readFileSync(path, 'utf8')),
    );
    assert.deepEqual(long, [], `lines over ${MAX_COLUMNS} columns (file:line:columns):\n${long.join('\n')}`);
  });

  it('reports a long line with its place and length, and exempts a URL alone', () => {
    const long = `const message = '${'x'.repeat(150)}';`;
    const url = `  // https://example.com/${'a'.repeat(150)}`;
    const prose = `  // see https://example.com/${'a'.repeat(150)} for details`;
    assert.deepEqual(findLongLines('a.ts', ['ok', long, url, prose].join('\n')), [
      `a.ts:2:${long.length}`,
      `a.ts:4:${prose.length}`,
    ]);
  });
});
