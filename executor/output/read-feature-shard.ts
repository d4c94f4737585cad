/** Reads a committed feature shard, Parquet or CSV by its key's extension, from a store. */
import type { ObjectStore } from '../storage/object-store.js';
import { decodeCsvShard } from './decode-csv-shard.js';
import type { FeatureRows } from './feature-rows.js';
import { decodeParquetShard } from './parquet-shard.js';

export async function readFeatureShard(store: ObjectStore, key: string): Promise<FeatureRows> {
  const bytes = await store.get(key);
  return key.endsWith('.csv') ? decodeCsvShard(bytes, store.uriOf(key)) : decodeParquetShard(bytes);
}
