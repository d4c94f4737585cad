import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifestText, type Manifest } from '../../executor/output/manifest-schema.js';
import { decodeParquetShard } from '../../executor/output/parquet-shard.js';
import { decodePcaModel, type PcaModel } from '../../executor/reduce/pca-model.js';

/** What `reduce` left in a local output: the manifest, pca/model.json and every reduced row by path. */
export async function readReducedOutput(
  dir: string,
): Promise<{ manifest: Manifest; model: PcaModel; rows: Map<string, Float32Array>; labels: Map<string, string> }> {
  const manifest = parseManifestText(await readFile(join(dir, 'manifest.json'), 'utf8'));
  if (manifest.pca === undefined) throw new Error(`${dir}/manifest.json has no pca block`);
  const model = decodePcaModel(await readFile(join(dir, 'pca', 'model.json')), 'pca/model.json');
  const rows = new Map<string, Float32Array>();
  const labels = new Map<string, string>();
  for (const partition of manifest.pca.partitions) {
    const shard = decodeParquetShard(await readFile(partition.uri));
    shard.paths.forEach((path, row) => {
      rows.set(path, shard.features.slice(row * shard.dimensions, (row + 1) * shard.dimensions));
      labels.set(path, shard.labels[row]!);
    });
  }
  return { manifest, model, rows, labels };
}
