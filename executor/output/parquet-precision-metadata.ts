/**
 * The precision a Parquet feature shard was made with, in its schema metadata next to
 * `featurejob.dimensions`: `featurejob.precision` is `fp32` or `int8`, and an int8 shard adds
 * `featurejob.int8_sha256`, the int8 model's sha256. A reader of the files alone (pyarrow's
 * `schema.metadata`, Spark, DuckDB) can tell what each file holds without the manifest.
 */
import { tableFromIPC } from 'apache-arrow';
import { readSchema } from 'parquet-wasm';
import { FeatureJobError } from '../errors.js';
import { Sha256HexSchema } from './manifest-schema.js';
import type { ShardPrecision } from './shard-precision.js';

export const PRECISION_METADATA_KEY = 'featurejob.precision';
export const INT8_SHA256_METADATA_KEY = 'featurejob.int8_sha256';

/** The schema metadata entries that state `precision`. */
export function buildPrecisionMetadata(precision: ShardPrecision): Array<[string, string]> {
  return precision.precision === 'int8'
    ? [
        [PRECISION_METADATA_KEY, 'int8'],
        [INT8_SHA256_METADATA_KEY, precision.int8Sha256],
      ]
    : [[PRECISION_METADATA_KEY, 'fp32']];
}

/**
 * The precision stated in a schema's metadata; undefined when it states none (a shard written
 * before precisions were recorded, or by another tool). Throws FJ_OUTPUT_INVALID on a value
 * featurejob never writes.
 */
export function parsePrecisionMetadata(metadata: ReadonlyMap<string, string>): ShardPrecision | undefined {
  const stated = metadata.get(PRECISION_METADATA_KEY);
  const sha256 = metadata.get(INT8_SHA256_METADATA_KEY);
  if (stated === undefined && sha256 === undefined) return undefined;
  if (stated === 'fp32' && sha256 === undefined) return { precision: 'fp32' };
  if (stated === 'int8' && Sha256HexSchema.safeParse(sha256).success)
    return { precision: 'int8', int8Sha256: sha256 as string };
  throw new FeatureJobError(
    'FJ_OUTPUT_INVALID',
    `feature shard: schema metadata ${PRECISION_METADATA_KEY}=${String(stated)}, ` +
      `${INT8_SHA256_METADATA_KEY}=${String(sha256)} is not fp32, or int8 with a sha256`,
  );
}

/** Reads only the schema of a Parquet shard (not its rows) and returns the precision it states. */
export function readParquetShardPrecision(bytes: Uint8Array): ShardPrecision | undefined {
  let metadata: Map<string, string>;
  try {
    // intoIPCStream consumes the wasm schema: nothing is left to free.
    metadata = tableFromIPC(readSchema(bytes).intoIPCStream()).schema.metadata;
  } catch (error) {
    throw new FeatureJobError('FJ_OUTPUT_INVALID', `not a readable Parquet file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parsePrecisionMetadata(metadata);
}
