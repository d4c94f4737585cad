import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCycles } from '../../support/find-cycles.js';

const graphOf = (pairs: ReadonlyArray<readonly [string, string]>): Map<string, Set<string>> => {
  const edges = new Map<string, Set<string>>();
  for (const [from, to] of pairs) edges.set(from, new Set([...(edges.get(from) ?? []), to]));
  return edges;
};

describe('findCycles', () => {
  it('finds nothing in a graph whose edges all point one way', () => {
    assert.deepEqual(
      findCycles(
        graphOf([
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'c'],
        ]),
      ),
      [],
    );
  });

  it('reports a loop through three nodes as one cycle, and a node that imports itself', () => {
    const cycles = findCycles(
      graphOf([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['c', 'd'],
        ['e', 'e'],
      ]),
    );
    assert.deepEqual(cycles.sort(), [['a', 'b', 'c'], ['e']]);
  });
});
