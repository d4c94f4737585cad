/**
 * Gathers what `featurejob inspect` shows about an output: its manifest, and when PCA has been
 * fitted the model and the first two reduced coordinates of every row with its label (read
 * shard by shard; only those two values per row are kept).
 */
import { decodeParquetShard } from '../output/parquet-shard.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY, reducedShardKey } from '../plan/partition-naming.js';
import { decodePcaModel, type PcaModel } from '../reduce/pca-model.js';
import { readManifestForReduce } from '../reduce/reduce-manifest.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface InspectedPca {
  readonly model: PcaModel;
  /** First and second component of each reduced row (y is empty when K = 1). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly labels: string[];
  /** Rows per label, most frequent first. */
  readonly labelCounts: Array<[label: string, rows: number]>;
}

export interface InspectedOutput {
  readonly manifest: Manifest;
  readonly pca: InspectedPca | undefined;
}

export async function inspectOutput(output: ObjectStore): Promise<InspectedOutput> {
  const manifest = await readManifestForReduce(output);
  if (manifest.pca === undefined) return { manifest, pca: undefined };
  const model = decodePcaModel(await output.get(PCA_MODEL_KEY), output.uriOf(PCA_MODEL_KEY));
  const rows = manifest.pca.rows;
  const x = new Float32Array(rows);
  const y = new Float32Array(model.components >= 2 ? rows : 0);
  const labels: string[] = [];
  const counts = new Map<string, number>();
  for (const partition of manifest.pca.partitions) {
    const shard = decodeParquetShard(await output.get(reducedShardKey(partition.index)));
    const k = shard.dimensions;
    for (let row = 0; row < shard.paths.length; row++) {
      const at = labels.length;
      x[at] = shard.features[row * k]!;
      if (k >= 2) y[at] = shard.features[row * k + 1]!;
      const label = shard.labels[row]!;
      labels.push(label);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  const labelCounts = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    manifest,
    pca: {
      model,
      x: x.subarray(0, labels.length),
      y: y.subarray(0, model.components >= 2 ? labels.length : 0),
      labels,
      labelCounts,
    },
  };
}
