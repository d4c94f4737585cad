/**
 * Copy-on-write: an earlier data file that loses rows is written again without them, keeping
 * every other row's features byte for byte (never computed again) and the precision its rows
 * were made with, under a name a retried merge writes again; the old file stays for time travel.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';
import { readParquetShardPrecision } from '../../../executor/output/parquet-precision-metadata.js';
import { decodeParquetShard, encodeParquetShard } from '../../../executor/output/parquet-shard.js';
import type { ShardPrecision } from '../../../executor/output/shard-precision.js';
import { rewriteDataFile } from '../../../executor/table/rewrite-data-file.js';
import { tempStores } from './table-test-support.js';

const DIMENSIONS = 8;
const PATHS = ['Apple/1.jpg', 'Apple/2.jpg', 'Plum 5/é😀.jpg', 'top.jpg'];
const OLD = 'features/part-00000-a1.parquet';
const INT8: ShardPrecision = { precision: 'int8', int8Sha256: 'c'.repeat(64) };

const features = Float32Array.from({ length: PATHS.length * DIMENSIONS }, (_, i) => i * 0.25 - 3);
const shard = (precision?: ShardPrecision): Uint8Array =>
  encodeParquetShard(
    buildFeatureRows({ paths: PATHS, features, dimensions: DIMENSIONS }),
    precision === undefined ? {} : { precision },
  );

describe('rewriteDataFile', () => {
  const stores = tempStores('rewrite');
  after(stores.cleanUp);

  it('writes the file again without the dropped rows, the kept rows as they were', async () => {
    const output = await stores.fresh();
    const original = shard();
    await output.put(OLD, original);
    const rewritten = await rewriteDataFile(output, OLD, new Set(['Apple/2.jpg', 'top.jpg']), 2);
    assert.ok(rewritten !== undefined);
    assert.match(rewritten.key, /^features\/v2-rewrite-[0-9a-f]{16}\.parquet$/);
    assert.deepEqual(rewritten.paths, ['Apple/1.jpg', 'Plum 5/é😀.jpg']);
    const bytes = await output.get(rewritten.key);
    assert.equal(rewritten.bytes, bytes.byteLength);
    const rows = decodeParquetShard(bytes);
    assert.deepEqual(rows.paths, ['Apple/1.jpg', 'Plum 5/é😀.jpg']);
    assert.deepEqual(rows.labels, ['Apple', 'Plum 5']);
    assert.deepEqual(
      [...rows.features],
      [...features.subarray(0, DIMENSIONS), ...features.subarray(2 * DIMENSIONS, 3 * DIMENSIONS)],
    );
    assert.deepEqual(Buffer.from(await output.get(OLD)), Buffer.from(original), 'the old file stays for time travel');
  });

  it('writes the same key when the merge is retried, and another key for another file', async () => {
    const output = await stores.fresh();
    await output.put(OLD, shard());
    await output.put('features/part-00001-b2.parquet', shard());
    const first = await rewriteDataFile(output, OLD, new Set(['top.jpg']), 1);
    const again = await rewriteDataFile(output, OLD, new Set(['top.jpg']), 1);
    const other = await rewriteDataFile(output, 'features/part-00001-b2.parquet', new Set(['top.jpg']), 1);
    assert.equal(again?.key, first?.key);
    assert.notEqual(other?.key, first?.key);
  });

  it('keeps the precision the file states: an int8 file stays int8, an fp32 one fp32', async () => {
    for (const precision of [INT8, { precision: 'fp32' } as const]) {
      const output = await stores.fresh();
      await output.put(OLD, shard(precision));
      const rewritten = await rewriteDataFile(output, OLD, new Set(['Apple/1.jpg']), 1);
      assert.ok(rewritten !== undefined);
      assert.deepEqual(readParquetShardPrecision(await output.get(rewritten.key)), precision);
    }
  });

  it('writes nothing when every row is dropped', async () => {
    const output = await stores.fresh();
    await output.put(OLD, shard());
    assert.equal(await rewriteDataFile(output, OLD, new Set(PATHS), 1), undefined);
    const keys: string[] = [];
    for await (const object of output.list('features/')) keys.push(object.key);
    assert.deepEqual(keys, [OLD]);
  });
});
