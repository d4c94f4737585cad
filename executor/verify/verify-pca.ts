/** The `pca` block's checks: each reduced shard exists with its sha256 and row count, and no stray sits in pca/. */
import type { Manifest } from '../output/manifest-schema.js';
import { decodeParquetShard } from '../output/parquet-shard.js';
import { PCA_PREFIX } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { keyOf, listObjects } from './output-keys.js';
import type { ProblemList } from './problem-list.js';
import { sha256Of } from './verify-run.js';

export async function verifyPca(output: ObjectStore, manifest: Manifest, found: ProblemList): Promise<void> {
  const pca = manifest.pca;
  if (pca === undefined) return;
  const files = await listObjects(output, PCA_PREFIX);
  const listed = new Set<string>();
  let rows = 0;
  for (const partition of pca.partitions) {
    const key = keyOf(manifest, partition.uri);
    const where = `reduced partition ${partition.index}: ${output.uriOf(key)}`;
    listed.add(key);
    if (!files.has(key)) {
      found.add('pca', `${where} does not exist`);
      continue;
    }
    const bytes = await output.get(key);
    if (bytes.byteLength !== partition.bytes || sha256Of(bytes) !== partition.sha256) {
      found.add('pca', `${where} is not the file the manifest lists`);
      continue;
    }
    const shardRows = decodeParquetShard(bytes).paths.length;
    if (shardRows !== partition.rows)
      found.add('pca', `reduced partition ${partition.index}: ${shardRows} rows, the manifest says ${partition.rows}`);
    rows += shardRows;
  }
  if (rows !== pca.rows)
    found.add('pca', `the reduced shards hold ${rows} rows, the manifest's pca block says ${pca.rows}`);
  for (const key of files.keys()) {
    if (!listed.has(key) && key.endsWith('.parquet'))
      found.add('stray-file', `${output.uriOf(key)} is not in the manifest's pca block`);
  }
}
