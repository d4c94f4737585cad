import { commitPartition } from '../../executor/commit/commit-partition.js';
import { mergeManifest } from '../../executor/commit/merge-manifest.js';
import type { OutputFormat } from '../../executor/config/run-config.js';
import { encodeCsvShard } from '../../executor/output/csv-shard.js';
import { buildFeatureRows } from '../../executor/output/feature-rows.js';
import { FP32_PRECISION } from '../../executor/output/shard-precision.js';
import type { Manifest } from '../../executor/output/manifest-schema.js';
import { encodeParquetShard } from '../../executor/output/parquet-shard.js';
import { attemptErrorsKey, planShardKey, shardKey } from '../../executor/plan/partition-naming.js';
import { encodeJson } from '../../executor/storage/read-json.js';
import type { PlanIndex } from '../../executor/plan/plan-schema.js';
import type { ObjectStore } from '../../executor/storage/object-store.js';

export interface SyntheticPartition {
  readonly paths: string[];
  /** paths.length × dimensions values. */
  readonly features: Float32Array;
}

/**
 * A finished output holding given features, as `featurejob run` leaves it (commit markers,
 * shards, errors.jsonl, manifest.json, the Delta table), written through the real commit and merge code: for
 * PCA tests on data with a known spectrum, which no image model can be asked to produce.
 */
export async function writeFeatureOutput(options: {
  output: ObjectStore;
  dimensions: number;
  partitions: readonly SyntheticPartition[];
  format?: OutputFormat;
}): Promise<Manifest> {
  const { partitions } = options;
  return writeGeneratedFeatureOutput({
    ...options,
    rowsPerPartition: partitions.map((partition) => partition.paths.length),
    makePartition: (index) => partitions[index]!,
  });
}

/** The same, with each partition's rows made only when it is written: outputs larger than memory. */
export async function writeGeneratedFeatureOutput(options: {
  output: ObjectStore;
  dimensions: number;
  rowsPerPartition: readonly number[];
  makePartition: (index: number) => SyntheticPartition;
  format?: OutputFormat;
}): Promise<Manifest> {
  const { output, dimensions } = options;
  const format = options.format ?? 'parquet';
  const images = options.rowsPerPartition.reduce((sum, rows) => sum + rows, 0);
  const plan: PlanIndex = {
    version: 1,
    inputUri: '/synthetic',
    outputUri: output.uri,
    format,
    model: { name: 'synthetic', layer: 'features', dimensions, weights: 'generated', sha256: '0'.repeat(64) },
    listed: images,
    images,
    skipped: 0,
    partitions: options.rowsPerPartition.map((rows, index) => ({ index, images: rows })),
    createdAt: new Date().toISOString(),
  };
  for (let index = 0; index < options.rowsPerPartition.length; index++) {
    const partition = options.makePartition(index);
    const rows = buildFeatureRows({ paths: partition.paths, features: partition.features, dimensions });
    const attempt = `a${index}`;
    // The plan shard, as the planner writes it: the merge reads it to build the table's image index.
    await output.put(planShardKey(index), encodeJson({ version: 1, index, keys: partition.paths }));
    await commitPartition(output, {
      index,
      attempt,
      shardKey: shardKey(index, attempt, format),
      shard: format === 'csv' ? encodeCsvShard(rows, { header: true }) : encodeParquetShard(rows),
      errorsKey: attemptErrorsKey(index, attempt),
      errorLines: '',
      rows: partition.paths.length,
      failed: 0,
      failuresByCode: {},
      precision: FP32_PRECISION,
    });
  }
  return (await mergeManifest({ output, plan })).manifest;
}
