/**
 * The second pass of PCA for one committed partition: read its feature shard, project every
 * row onto the fitted components and write `pca/part-NNNNN.parquet` (path, label, features of
 * K values). The key is deterministic, so rerunning the projection replaces, never duplicates.
 */
import { createHash } from 'node:crypto';
import { readCommitMarker } from '../commit/commit-partition.js';
import { FeatureJobError } from '../errors.js';
import { encodeParquetShard } from '../output/parquet-shard.js';
import { readFeatureShard } from '../output/read-feature-shard.js';
import { shardPrecisionOf } from '../output/shard-precision.js';
import { reducedShardKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { PcaProjector } from './project-features.js';

export interface ReducedShard {
  readonly index: number;
  readonly uri: string;
  readonly rows: number;
  readonly sha256: string;
  readonly bytes: number;
}

export async function projectPartition(options: {
  readonly output: ObjectStore;
  readonly index: number;
  readonly projector: PcaProjector;
}): Promise<ReducedShard> {
  const { output, index, projector } = options;
  const marker = await readCommitMarker(output, index);
  if (marker === undefined)
    throw new FeatureJobError('FJ_PCA_NO_SHARDS', `partition ${index} of ${output.uri} has not committed`);
  const rows = await readFeatureShard(output, marker.shardKey);
  if (rows.dimensions !== projector.dimensions) {
    throw new FeatureJobError(
      'FJ_PCA_MIXED_DIMENSIONS',
      `${output.uriOf(marker.shardKey)} holds ${rows.dimensions}-dimensional features, the PCA model ${projector.dimensions}`,
    );
  }
  // The projected shard states the precision of the features it was projected from.
  const shard = encodeParquetShard(
    {
      paths: rows.paths,
      labels: rows.labels,
      features: projector.project(rows.features),
      dimensions: projector.components,
    },
    { precision: shardPrecisionOf(marker) },
  );
  const key = reducedShardKey(index);
  await output.put(key, shard);
  return {
    index,
    uri: output.uriOf(key),
    rows: rows.paths.length,
    sha256: createHash('sha256').update(shard).digest('hex'),
    bytes: shard.byteLength,
  };
}
