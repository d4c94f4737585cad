/**
 * Where a shard's precision is recorded, read back: its commit marker (old markers without
 * the field still parse, as fp32) and its Parquet schema metadata `featurejob.precision`,
 * which leaves the columns exactly as they were.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { isFeatureJobError } from '../../../executor/errors.js';
import { parseCommitMarker } from '../../../executor/output/commit-marker-schema.js';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';
import {
  INT8_SHA256_METADATA_KEY,
  PRECISION_METADATA_KEY,
  parsePrecisionMetadata,
  readParquetShardPrecision,
} from '../../../executor/output/parquet-precision-metadata.js';
import {
  DIMENSIONS_METADATA_KEY,
  decodeParquetShard,
  encodeParquetShard,
} from '../../../executor/output/parquet-shard.js';
import {
  FP32_PRECISION,
  describeShardPrecision,
  shardPrecisionFields,
  shardPrecisionOf,
  type ShardPrecision,
} from '../../../executor/output/shard-precision.js';

const INT8: ShardPrecision = { precision: 'int8', int8Sha256: 'ab'.repeat(32) };

const marker = {
  version: 1,
  partition: 2,
  attempt: 'a1',
  planId: 'p0123456789',
  shardKey: 'features/part-00002-a1.parquet',
  errorsKey: '_featurejob/errors/part-00002-a1.jsonl',
  rows: 3,
  failed: 0,
  failuresByCode: {},
  sha256: '0'.repeat(64),
  bytes: 10,
  committedAt: '2026-12-02T10:00:00.000Z',
};

function rows() {
  return buildFeatureRows({
    paths: ['Plum 5/a.jpg', 'Plum 5/b.jpg', 'top.png'],
    features: Float32Array.from({ length: 12 }, (_, i) => i / 7),
    dimensions: 4,
  });
}

function schemaOf(bytes: Uint8Array) {
  return tableFromIPC(readParquet(bytes).intoIPCStream()).schema;
}

describe('commit marker precision', () => {
  it('round-trips int8 with its model sha256, and fp32', () => {
    for (const precision of [INT8, FP32_PRECISION]) {
      const parsed = parseCommitMarker(JSON.parse(JSON.stringify({ ...marker, ...shardPrecisionFields(precision) })));
      assert.deepEqual(shardPrecisionOf(parsed), precision);
    }
  });

  it('still parses a marker written before precisions were recorded, as fp32', () => {
    const parsed = parseCommitMarker(marker);
    assert.equal(parsed.precision, undefined);
    assert.deepEqual(shardPrecisionOf(parsed), FP32_PRECISION);
  });

  it('refuses int8 without a model sha256, a sha256 without int8, and unknown precisions', () => {
    for (const bad of [
      { ...marker, precision: 'int8' },
      { ...marker, precision: 'fp32', int8Sha256: INT8.precision === 'int8' ? INT8.int8Sha256 : '' },
      { ...marker, precision: 'fp16' },
      { ...marker, precision: 'int8', int8Sha256: 'not hex' },
    ]) {
      assert.throws(
        () => parseCommitMarker(bad),
        (error) => isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID',
        JSON.stringify(bad),
      );
    }
  });

  it('names int8 with the start of its model sha256 in messages', () => {
    assert.equal(describeShardPrecision(INT8), `int8 (model sha256 ${'ab'.repeat(6)}…)`);
    assert.equal(describeShardPrecision(FP32_PRECISION), 'fp32');
  });
});

describe('Parquet shard precision metadata', () => {
  it('states int8 and its model sha256 next to the dimensions, read back from the schema alone', () => {
    const bytes = encodeParquetShard(rows(), { precision: INT8 });
    assert.deepEqual(readParquetShardPrecision(bytes), INT8);
    const metadata = schemaOf(bytes).metadata;
    assert.equal(metadata.get(PRECISION_METADATA_KEY), 'int8');
    assert.equal(metadata.get(INT8_SHA256_METADATA_KEY), 'ab'.repeat(32));
    assert.equal(metadata.get(DIMENSIONS_METADATA_KEY), '4');
  });

  it('states fp32 without a model sha256', () => {
    const bytes = encodeParquetShard(rows(), { precision: FP32_PRECISION });
    assert.deepEqual(readParquetShardPrecision(bytes), FP32_PRECISION);
    assert.equal(schemaOf(bytes).metadata.has(INT8_SHA256_METADATA_KEY), false);
  });

  it('states nothing when not told, and a reader takes no statement as unknown', () => {
    const bytes = encodeParquetShard(rows());
    assert.equal(readParquetShardPrecision(bytes), undefined);
    assert.deepEqual([...schemaOf(bytes).metadata.keys()], [DIMENSIONS_METADATA_KEY]);
  });

  it('keeps the columns and rows exactly as without the metadata', () => {
    const plain = schemaOf(encodeParquetShard(rows()));
    const stated = schemaOf(encodeParquetShard(rows(), { precision: INT8 }));
    assert.deepEqual(
      stated.fields.map((field) => [field.name, String(field.type), field.nullable]),
      plain.fields.map((field) => [field.name, String(field.type), field.nullable]),
    );
    const decoded = decodeParquetShard(encodeParquetShard(rows(), { precision: INT8 }));
    assert.deepEqual(decoded.paths, rows().paths);
    assert.deepEqual([...decoded.features], [...rows().features]);
  });

  it('refuses metadata featurejob never writes', () => {
    for (const entries of [
      [[PRECISION_METADATA_KEY, 'fp16']],
      [[PRECISION_METADATA_KEY, 'int8']],
      [
        [PRECISION_METADATA_KEY, 'fp32'],
        [INT8_SHA256_METADATA_KEY, 'ab'.repeat(32)],
      ],
    ] as Array<Array<[string, string]>>) {
      assert.throws(
        () => parsePrecisionMetadata(new Map(entries)),
        (error) => isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID',
      );
    }
  });
});
