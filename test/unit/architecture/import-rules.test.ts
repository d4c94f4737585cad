import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findCycles } from '../../support/find-cycles.js';
import { computeFolder, readImportGraph } from '../../support/import-graph.js';
import { REPO_ROOT } from '../../support/repo-root.js';

const SOURCE_ROOTS = ['crds', 'executor', 'operator'] as const;
const graph = readImportGraph(REPO_ROOT, SOURCE_ROOTS);

/** The folders of docs/architecture.md's `layers` block, top (may import all below) first. */
function readDocumentedLayers(): string[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/architecture.md has no ```layers block');
  return (block[1] ?? '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

function addEdge(edges: Map<string, Set<string>>, from: string, to: string): void {
  const targets = edges.get(from) ?? new Set<string>();
  targets.add(to);
  edges.set(from, targets);
}

describe('import rules (docs/architecture.md, "Layers")', () => {
  it('has no cycle between source files, type-only imports included', () => {
    const edges = new Map<string, Set<string>>();
    for (const { file, files } of graph) for (const target of files) addEdge(edges, file, target);
    assert.deepEqual(findCycles(edges), []);
  });

  it('has no cycle between folders, type-only imports included', () => {
    const edges = new Map<string, Set<string>>();
    for (const { file, files } of graph) {
      for (const target of files) {
        if (computeFolder(file) !== computeFolder(target)) addEdge(edges, computeFolder(file), computeFolder(target));
      }
    }
    assert.deepEqual(findCycles(edges), []);
  });

  it('lists every source folder in the documented layers, each once', () => {
    const layers = readDocumentedLayers();
    const folders = [...new Set(graph.map(({ file }) => computeFolder(file)))].sort();
    assert.deepEqual([...layers].sort(), folders);
    assert.equal(new Set(layers).size, layers.length);
  });

  it('imports only from folders below in the documented layers', () => {
    const layers = readDocumentedLayers();
    const upward: string[] = [];
    for (const { file, files } of graph) {
      const from = layers.indexOf(computeFolder(file));
      for (const target of files) {
        const to = layers.indexOf(computeFolder(target));
        if (to !== from && to < from) upward.push(`${file} -> ${target}`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it('keeps crds/ free of the code that uses it: packages and crds/ only', () => {
    const outside = graph
      .filter(({ file }) => file.startsWith('crds/'))
      .flatMap(({ file, files }) =>
        files.filter((target) => !target.startsWith('crds/')).map((t) => `${file} -> ${t}`),
      );
    assert.deepEqual(outside, []);
  });

  it('never lets the data plane (executor/) import the control plane (operator/)', () => {
    const upward = graph
      .filter(({ file }) => file.startsWith('executor/'))
      .flatMap(({ file, files }) =>
        files.filter((target) => target.startsWith('operator/')).map((t) => `${file} -> ${t}`),
      );
    assert.deepEqual(upward, []);
  });

  it('never imports test code from the sources', () => {
    const intoTests = graph.flatMap(({ file, files }) =>
      files.filter((target) => target.startsWith('test/')).map((t) => `${file} -> ${t}`),
    );
    assert.deepEqual(intoTests, []);
  });

  it('resolves every relative import to a source file that exists', () => {
    const known = new Set(graph.map(({ file }) => file));
    const missing = graph.flatMap(({ file, files }) =>
      files.filter((target) => !known.has(target) && !target.startsWith('test/')).map((t) => `${file} -> ${t}`),
    );
    assert.deepEqual(missing, []);
  });
});
