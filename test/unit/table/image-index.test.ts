/**
 * The image index of a version is written in shards of IMAGE_INDEX_SHARD_LINES and read back
 * whole, in order: what the next version diffs its listing against. A shard that is gone or a
 * line that does not parse is FJ_TABLE_INVALID, never a silently shorter index.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { imageIndexShardKey } from '../../../executor/plan/partition-naming.js';
import {
  encodeImageIndexLines,
  IMAGE_INDEX_SHARD_LINES,
  type ImageIndexEntry,
  isErrorEntry,
  isRowEntry,
  readImageIndex,
  writeImageIndex,
} from '../../../executor/table/image-index.js';
import { hasCode, tempStores } from './table-test-support.js';

const entries: ImageIndexEntry[] = [
  { path: 'Apple/1.jpg', size: 100, tag: '"etag-1"', file: 'features/part-00000-a.parquet' },
  { path: 'Apple/2.jpg', size: 0, tag: 'm1718000000000', code: 'FJ_IMAGE_EMPTY', message: 'the file is empty' },
  { path: 'Plum 5/é😀.jpg', size: 7, tag: '', file: 'features/v1-rewrite-0123.parquet' },
];

const many = (count: number): ImageIndexEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    path: `L/${String(i).padStart(6, '0')}.jpg`,
    size: i,
    tag: 't',
    file: 'f',
  }));

describe('the image index', () => {
  const stores = tempStores('image-index');
  after(stores.cleanUp);

  it('reads back what was written, rows and errors alike, under the version folder', async () => {
    const output = await stores.fresh();
    assert.equal(await writeImageIndex(output, 2, entries), 1);
    assert.equal(imageIndexShardKey(2, 0), '_featurejob/versions/2/images/part-00000.jsonl');
    const read = await readImageIndex(output, 2, 1);
    assert.deepEqual(read, entries);
    assert.deepEqual(read.map(isRowEntry), [true, false, true]);
    assert.deepEqual(read.map(isErrorEntry), [false, true, false]);
  });

  it('writes an empty index as one empty shard', async () => {
    const output = await stores.fresh();
    assert.equal(await writeImageIndex(output, 0, []), 1);
    assert.equal((await output.get(imageIndexShardKey(0, 0))).byteLength, 0);
    assert.deepEqual(await readImageIndex(output, 0, 1), []);
  });

  it('fills a shard to IMAGE_INDEX_SHARD_LINES, starts another past it, and reads them back in order', async () => {
    const output = await stores.fresh();
    const full = many(IMAGE_INDEX_SHARD_LINES);
    assert.equal(await writeImageIndex(output, 1, full), 1);

    const over = many(IMAGE_INDEX_SHARD_LINES + 1);
    assert.equal(await writeImageIndex(output, 3, over), 2);
    const second = Buffer.from(await output.get(imageIndexShardKey(3, 1))).toString('utf8');
    assert.equal(second, encodeImageIndexLines(over.slice(-1)));
    const read = await readImageIndex(output, 3, 2);
    assert.equal(read.length, over.length);
    assert.equal(encodeImageIndexLines(read), encodeImageIndexLines(over));
  });

  it('refuses a missing shard with FJ_TABLE_INVALID naming it and the shard count', async () => {
    const output = await stores.fresh();
    await writeImageIndex(output, 1, entries);
    await assert.rejects(
      readImageIndex(output, 1, 2),
      hasCode('FJ_TABLE_INVALID', /versions\/1\/images\/part-00001\.jsonl is missing: .* version 1 has 2 shards/),
    );
  });

  it('refuses a line that is not an index entry with FJ_TABLE_INVALID naming the shard and line', async () => {
    const lines = [
      '{"path":"a"',
      '{"path":"a","size":1,"tag":"t"}',
      '{"path":"a","size":1,"tag":"t","file":"f","code":"FJ_IMAGE_EMPTY","message":"m"}',
      '{"path":"a","size":-1,"tag":"t","file":"f"}',
      '{"path":"a","size":1,"tag":"t","code":"not a code","message":"m"}',
    ];
    for (const line of lines) {
      const output = await stores.fresh();
      await output.put(imageIndexShardKey(1, 0), `${encodeImageIndexLines(entries)}${line}\n`);
      await assert.rejects(
        readImageIndex(output, 1, 1),
        hasCode('FJ_TABLE_INVALID', /versions\/1\/images\/part-00000\.jsonl line 4/),
        line,
      );
    }
  });
});
