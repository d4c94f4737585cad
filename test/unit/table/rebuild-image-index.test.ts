/**
 * A new version's image index is the previous one with this version's outcomes laid over it
 * and its removed keys taken out; the files that lost rows, and which rows, are what the merge
 * rewrites (copy-on-write), so a wrong answer here either keeps a stale row or loses a good one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageIndexEntry } from '../../../executor/table/image-index.js';
import { moveRowsToRewrittenFiles, rebuildImageIndex } from '../../../executor/table/rebuild-image-index.js';
import { hasCode } from './table-test-support.js';

const OLD_A = 'features/part-00000-a.parquet';
const OLD_B = 'features/part-00001-b.parquet';
const NEW = 'features/v1-part-00000-c.parquet';

const row = (path: string, file: string, tag = 'old'): ImageIndexEntry => ({ path, size: 10, tag, file });
const failed = (path: string, code: string, tag = 'old'): ImageIndexEntry => ({
  path,
  size: 10,
  tag,
  code,
  message: 'it failed',
});
const paths = (entries: readonly ImageIndexEntry[]): string[] => entries.map((entry) => entry.path);
const droppedOf = (dropped: ReadonlyMap<string, ReadonlySet<string>>): Record<string, string[]> =>
  Object.fromEntries([...dropped].map(([file, set]) => [file, [...set]]));

describe('rebuildImageIndex', () => {
  const previous = [
    row('A/1.jpg', OLD_A),
    row('A/2.jpg', OLD_A),
    row('A/3.jpg', OLD_A),
    failed('B/1.jpg', 'FJ_OBJECT_MISSING'),
    row('B/2.jpg', OLD_B),
    row('B/3.jpg', OLD_B),
  ];

  it('keeps every previous entry, in order, when nothing changed', () => {
    const rebuilt = rebuildImageIndex(previous, [], []);
    assert.deepEqual(rebuilt.entries, previous);
    assert.equal(rebuilt.dropped.size, 0);
  });

  it('replaces the entries of processed images with their outcomes and merges new ones in path order', () => {
    const outcomes = [
      row('A/0.jpg', NEW, 'new'),
      row('A/2.jpg', NEW, 'new'),
      row('B/1.jpg', NEW, 'new'),
      failed('B/2.jpg', 'FJ_IMAGE_CORRUPT', 'new'),
      row('C/1.jpg', NEW, 'new'),
    ];
    const rebuilt = rebuildImageIndex(previous, outcomes, []);
    assert.deepEqual(rebuilt.entries, [
      row('A/0.jpg', NEW, 'new'),
      row('A/1.jpg', OLD_A),
      row('A/2.jpg', NEW, 'new'),
      row('A/3.jpg', OLD_A),
      row('B/1.jpg', NEW, 'new'),
      failed('B/2.jpg', 'FJ_IMAGE_CORRUPT', 'new'),
      row('B/3.jpg', OLD_B),
      row('C/1.jpg', NEW, 'new'),
    ]);
    // A retried error held no row, so no file loses one for it.
    assert.deepEqual(droppedOf(rebuilt.dropped), { [OLD_A]: ['A/2.jpg'], [OLD_B]: ['B/2.jpg'] });
  });

  it('takes removed keys out and names the files and paths that lost rows', () => {
    const rebuilt = rebuildImageIndex(previous, [], ['A/1.jpg', 'A/3.jpg', 'B/1.jpg', 'B/3.jpg']);
    assert.deepEqual(paths(rebuilt.entries), ['A/2.jpg', 'B/2.jpg']);
    assert.deepEqual(droppedOf(rebuilt.dropped), { [OLD_A]: ['A/1.jpg', 'A/3.jpg'], [OLD_B]: ['B/3.jpg'] });
  });

  it('empties the index when every key is removed', () => {
    const rebuilt = rebuildImageIndex(previous, [], paths(previous));
    assert.deepEqual(rebuilt.entries, []);
    assert.deepEqual(droppedOf(rebuilt.dropped), {
      [OLD_A]: ['A/1.jpg', 'A/2.jpg', 'A/3.jpg'],
      [OLD_B]: ['B/2.jpg', 'B/3.jpg'],
    });
  });

  it('lays outcomes and removals over the index together, in UTF-8 byte order', () => {
    const before = [row('Z', OLD_A), row('a', OLD_A), row('é', OLD_A), row('ｚ', OLD_B), row('😀', OLD_B)];
    const rebuilt = rebuildImageIndex(before, [row('é', NEW, 'new'), row('😀', NEW, 'new')], ['a', 'ｚ']);
    assert.deepEqual(rebuilt.entries, [row('Z', OLD_A), row('é', NEW, 'new'), row('😀', NEW, 'new')]);
    assert.deepEqual(droppedOf(rebuilt.dropped), { [OLD_A]: ['a', 'é'], [OLD_B]: ['ｚ', '😀'] });
  });

  it('refuses a removed key the previous index does not hold, with FJ_TABLE_INVALID naming it', () => {
    assert.throws(() => rebuildImageIndex(previous, [], ['A/15.jpg']), hasCode('FJ_TABLE_INVALID', /A\/15\.jpg/));
    assert.throws(() => rebuildImageIndex(previous, [], ['0-first']), hasCode('FJ_TABLE_INVALID', /0-first/));
    assert.throws(() => rebuildImageIndex(previous, [], ['Z/last.jpg']), hasCode('FJ_TABLE_INVALID', /Z\/last\.jpg/));
    assert.throws(() => rebuildImageIndex([], [], ['A/1.jpg']), hasCode('FJ_TABLE_INVALID', /A\/1\.jpg/));
  });
});

describe('moveRowsToRewrittenFiles', () => {
  it('points the kept rows of a rewritten file at its replacement and leaves the rest as they are', () => {
    const entries = [
      row('A/1.jpg', OLD_A),
      failed('A/2.jpg', 'FJ_IMAGE_CORRUPT'),
      row('B/2.jpg', OLD_B),
      row('C', NEW),
    ];
    const moved = moveRowsToRewrittenFiles(entries, new Map([[OLD_A, 'features/v1-rewrite-0123.parquet']]));
    assert.deepEqual(moved, [
      row('A/1.jpg', 'features/v1-rewrite-0123.parquet'),
      failed('A/2.jpg', 'FJ_IMAGE_CORRUPT'),
      row('B/2.jpg', OLD_B),
      row('C', NEW),
    ]);
    assert.deepEqual(entries[0], row('A/1.jpg', OLD_A), 'the input entries are not changed');
  });
});
