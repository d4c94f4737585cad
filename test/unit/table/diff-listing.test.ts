/**
 * A later version processes only what changed since the one before it (docs "Diff rules"):
 * new and changed images, and failed images whose error may not happen again; unchanged rows
 * and lasting errors are kept, gone images are removed, and `--full` plans everything. The walk
 * relies on both lists being in UTF-8 byte order, the order every store lists in.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareKeys, FileStore } from '../../../executor/storage/file-store.js';
import type { StoredObject } from '../../../executor/storage/object-store.js';
import { diffListing } from '../../../executor/table/diff-listing.js';
import type { ImageIndexEntry } from '../../../executor/table/image-index.js';
import { hasCode } from './table-test-support.js';

const image = (key: string, size = 10, tag = `t-${key}`): StoredObject => ({ key, size, tag });
const row = (path: string, size = 10, tag = `t-${path}`, file = 'features/part-00000-x.parquet'): ImageIndexEntry => ({
  path,
  size,
  tag,
  file,
});
const failed = (path: string, code: string, size = 10, tag = `t-${path}`): ImageIndexEntry => ({
  path,
  size,
  tag,
  code,
  message: `${code} happened`,
});
const keys = (objects: readonly StoredObject[]): string[] => objects.map((object) => object.key);

describe('diffListing', () => {
  it('plans new images and keeps unchanged rows out of the plan', () => {
    const diff = diffListing([row('A/1.jpg'), row('A/3.jpg')], [image('A/1.jpg'), image('A/2.jpg'), image('A/3.jpg')]);
    assert.deepEqual(keys(diff.planned), ['A/2.jpg']);
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(diff.changes, { new: 1, changed: 0, removed: 0, unchanged: 2, retried: 0, full: false });
  });

  it('plans an image again when its size or its content tag changed', () => {
    const previous = [row('A/1.jpg', 10, 'e1'), row('A/2.jpg', 10, 'e2'), row('A/3.jpg', 10, 'e3')];
    const listing = [image('A/1.jpg', 11, 'e1'), image('A/2.jpg', 10, 'e2-new'), image('A/3.jpg', 10, 'e3')];
    const diff = diffListing(previous, listing);
    assert.deepEqual(keys(diff.planned), ['A/1.jpg', 'A/2.jpg']);
    assert.deepEqual(diff.changes, { new: 0, changed: 2, removed: 0, unchanged: 1, retried: 0, full: false });
  });

  it('removes index keys the listing no longer holds: before, between and after the listed keys', () => {
    const previous = ['A/0.jpg', 'A/1.jpg', 'A/2.jpg', 'A/3.jpg', 'A/4.jpg', 'B/9.jpg'].map((path) => row(path));
    const diff = diffListing(previous, [image('A/1.jpg'), image('A/3.jpg')]);
    assert.deepEqual(diff.removed, ['A/0.jpg', 'A/2.jpg', 'A/4.jpg', 'B/9.jpg']);
    assert.deepEqual(diff.planned, []);
    assert.deepEqual(diff.changes, { new: 0, changed: 0, removed: 4, unchanged: 2, retried: 0, full: false });
  });

  it('removes every image of the index when the listing is empty, and plans every image of an empty index', () => {
    assert.deepEqual(diffListing([row('a'), row('b')], []).removed, ['a', 'b']);
    const fresh = diffListing([], [image('a'), image('b')]);
    assert.deepEqual(keys(fresh.planned), ['a', 'b']);
    assert.equal(fresh.changes.new, 2);
  });

  it('keeps an unchanged error that follows from the content, and retries one that may not happen again', () => {
    const previous = [
      failed('A/corrupt.jpg', 'FJ_IMAGE_CORRUPT'),
      failed('A/empty.jpg', 'FJ_IMAGE_EMPTY'),
      failed('A/forbidden.jpg', 'FJ_OBJECT_FORBIDDEN'),
      failed('A/huge.jpg', 'FJ_IMAGE_TOO_LARGE'),
      failed('A/missing.jpg', 'FJ_OBJECT_MISSING'),
      failed('A/readfail.jpg', 'FJ_OBJECT_READ_FAILED'),
      failed('A/text.jpg', 'FJ_IMAGE_UNRECOGNIZED'),
    ];
    const diff = diffListing(
      previous,
      previous.map((entry) => image(entry.path)),
    );
    assert.deepEqual(keys(diff.planned), ['A/forbidden.jpg', 'A/missing.jpg', 'A/readfail.jpg']);
    assert.deepEqual(diff.changes, { new: 0, changed: 0, removed: 0, unchanged: 4, retried: 3, full: false });
  });

  it('plans a changed image with a lasting error again: new bytes may decode', () => {
    const diff = diffListing(
      [failed('A/corrupt.jpg', 'FJ_IMAGE_CORRUPT', 10, 'old')],
      [image('A/corrupt.jpg', 10, 'new')],
    );
    assert.deepEqual(keys(diff.planned), ['A/corrupt.jpg']);
    assert.equal(diff.changes.changed, 1);
  });

  it('with full, plans every listed image and still counts what changed', () => {
    const previous = [
      row('a'),
      row('b', 10, 'old'),
      failed('c', 'FJ_IMAGE_CORRUPT'),
      failed('d', 'FJ_OBJECT_MISSING'),
      row('gone'),
    ];
    const listing = [image('a'), image('b', 10, 'new'), image('c'), image('d'), image('e')];
    const diff = diffListing(previous, listing, { full: true });
    assert.deepEqual(keys(diff.planned), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(diff.removed, ['gone']);
    assert.deepEqual(diff.changes, { new: 1, changed: 1, removed: 1, unchanged: 2, retried: 1, full: true });
  });

  it('plans the listed objects themselves, with their new size and tag', () => {
    const listed = image('a', 99, 'fresh');
    const diff = diffListing([row('a', 1, 'stale')], [listed]);
    assert.equal(diff.planned[0], listed);
  });

  describe('in UTF-8 byte order', () => {
    // UTF-16 order (JavaScript's `<`) puts '😀' (a surrogate pair, 0xD83D) before 'ｚ' (0xFF5A);
    // UTF-8 byte order, S3's, puts 'ｚ' (0xEF...) before '😀' (0xF0...).
    const names = ['Z.jpg', 'a.jpg', 'é.jpg', 'ｚ.jpg', '😀.jpg'];

    it('walks an index and a listing in the order a FileStore lists, which is compareKeys order', async () => {
      const root = await mkdtemp(join(tmpdir(), 'fj-diff-order-'));
      try {
        await mkdir(join(root, 'in', 'L'), { recursive: true });
        for (const name of [...names].reverse()) await writeFile(join(root, 'in', 'L', name), 'x');
        const listing: StoredObject[] = [];
        for await (const object of new FileStore({ dir: join(root, 'in') }).list()) listing.push(object);
        const expected = names.map((name) => `L/${name}`);
        assert.deepEqual(keys(listing), expected);
        assert.deepEqual([...expected].sort(compareKeys), expected, 'the names are given in byte order');
        assert.notDeepEqual([...expected].sort(), expected, 'UTF-16 order differs, so the test can tell them apart');

        const previous = listing
          .filter((object) => object.key !== 'L/é.jpg')
          .map((object) => row(object.key, object.size, object.tag));
        const diff = diffListing(previous, listing);
        assert.deepEqual(keys(diff.planned), ['L/é.jpg']);
        assert.deepEqual(diff.removed, []);
        assert.equal(diff.changes.unchanged, 4);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });

    it('finds a removed key between non-ASCII neighbours', () => {
      const previous = names.map((name) => row(name));
      const diff = diffListing(previous, [image('Z.jpg'), image('a.jpg'), image('é.jpg'), image('😀.jpg')]);
      assert.deepEqual(diff.removed, ['ｚ.jpg']);
      assert.deepEqual(diff.planned, []);
    });

    it('refuses an index in UTF-16 order, not byte order, with FJ_TABLE_INVALID', () => {
      const utf16 = [...names].sort();
      assert.throws(
        () =>
          diffListing(
            utf16.map((name) => row(name)),
            names.map((name) => image(name)),
          ),
        hasCode('FJ_TABLE_INVALID', /out of order at ｚ\.jpg/),
      );
    });
  });

  it('refuses an out-of-order or repeated index with FJ_TABLE_INVALID naming the path', () => {
    assert.throws(
      () => diffListing([row('b'), row('a')], [image('a'), image('b')]),
      hasCode('FJ_TABLE_INVALID', /out of order at a/),
    );
    assert.throws(() => diffListing([row('a'), row('a')], [image('a')]), hasCode('FJ_TABLE_INVALID', /out of order/));
    // Found while taking out removed keys, past the end of the listing too.
    assert.throws(
      () => diffListing([row('x'), row('c')], [image('a')]),
      hasCode('FJ_TABLE_INVALID', /out of order at c/),
    );
  });
});
