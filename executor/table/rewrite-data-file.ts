/**
 * Copy-on-write: an earlier data file that holds rows a new version replaces or removes is
 * written again without them, under a name derived from the file it replaces (so a retried
 * merge writes the same key), and the new version's commit removes the old file. Kept rows
 * are copied as they are: their features are never computed again. The old file stays in
 * place for time travel.
 */
import { createHash } from 'node:crypto';
import { readParquetShardPrecision } from '../output/parquet-precision-metadata.js';
import { decodeParquetShard, encodeParquetShard } from '../output/parquet-shard.js';
import { rewrittenShardKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface RewrittenFile {
  readonly key: string;
  readonly bytes: number;
  readonly paths: string[];
}

/** Writes `key` without the rows of `drop`; undefined when no row is left (nothing is written). */
export async function rewriteDataFile(
  output: ObjectStore,
  key: string,
  drop: ReadonlySet<string>,
  version: number,
): Promise<RewrittenFile | undefined> {
  const bytes = await output.get(key);
  const rows = decodeParquetShard(bytes);
  const precision = readParquetShardPrecision(bytes);
  const keep: number[] = [];
  rows.paths.forEach((path, row) => {
    if (!drop.has(path)) keep.push(row);
  });
  if (keep.length === 0) return undefined;
  const { dimensions } = rows;
  const features = new Float32Array(keep.length * dimensions);
  keep.forEach((row, position) => {
    features.set(rows.features.subarray(row * dimensions, (row + 1) * dimensions), position * dimensions);
  });
  const paths = keep.map((row) => rows.paths[row] as string);
  const body = encodeParquetShard(
    { paths, labels: keep.map((row) => rows.labels[row] as string), features, dimensions },
    // The rewritten file states the precision its rows were made with, as the file it replaces did.
    precision === undefined ? {} : { precision },
  );
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const rewritten = rewrittenShardKey(version, digest);
  await output.put(rewritten, body);
  return { key: rewritten, bytes: body.byteLength, paths };
}
