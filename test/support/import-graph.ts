/**
 * The import graph of the TypeScript sources, read with the compiler's own pre-processor
 * (static imports, re-exports, `import type` and dynamic `import()` alike), so the layer
 * test sees every edge the code has, including those erased from the built JavaScript.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export interface SourceImports {
  /** Repository-relative path with `/`, e.g. `executor/model/locate-model.ts`. */
  readonly file: string;
  /** Repository-relative paths of the source files it imports. */
  readonly files: readonly string[];
  /** Bare specifiers: packages and `node:` built-ins. */
  readonly packages: readonly string[];
}

export function readImportGraph(root: string, topFolders: readonly string[]): SourceImports[] {
  return topFolders.flatMap((top) => listTypeScript(join(root, top))).map((path) => readImports(root, path));
}

function readImports(root: string, path: string): SourceImports {
  const file = toPosix(relative(root, path));
  const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
  const files: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (fileName.startsWith('.')) {
      files.push(posix.normalize(posix.join(posix.dirname(file), fileName)).replace(/\.js$/, '.ts'));
    } else {
      packages.push(fileName);
    }
  }
  return { file, files, packages };
}

function listTypeScript(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTypeScript(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** The folder a source file is in: `executor/model/x.ts` -> `executor/model`. */
export function computeFolder(file: string): string {
  return dirname(file).split(sep).join('/');
}
