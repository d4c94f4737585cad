import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Compression, Encoding, ParquetFile, readParquet } from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { isFeatureJobError } from '../../../executor/errors.js';
import { buildEmptyFeatureRows, buildFeatureRows, type FeatureRows } from '../../../executor/output/feature-rows.js';
import {
  DIMENSIONS_METADATA_KEY,
  PARQUET_ROW_GROUP_ROWS,
  decodeParquetShard,
  encodeParquetShard,
} from '../../../executor/output/parquet-shard.js';

const DIMENSIONS = 4096;
const PATHS = ['Plum 5/r0_12.jpg', 'Äpfel, rot/"quoted" 🍎.jpg', 'top-level.png'];

/** Deterministic ReLU-like values: about half zeros, the rest spread over many exponents. */
function reluLike(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[index] = state & 1 ? 0 : (state / 2 ** 32) * 2 ** ((state % 20) - 10);
  }
  return values;
}

async function columnChunks(
  bytes: Uint8Array,
): Promise<Array<{ path: string; compression: Compression; encodings: Encoding[] }>> {
  const file = await ParquetFile.fromFile(new Blob([bytes]));
  try {
    return file
      .metadata()
      .rowGroups()
      .flatMap((group) =>
        group.columns().map((column) => ({
          path: column.columnPath().join('.'),
          compression: column.compression(),
          encodings: column.encodings(),
        })),
      );
  } finally {
    file.free();
  }
}

function assertSameRows(actual: FeatureRows, expected: FeatureRows): void {
  assert.deepEqual(actual.paths, expected.paths);
  assert.deepEqual(actual.labels, expected.labels);
  assert.equal(actual.dimensions, expected.dimensions);
  // Compare bits, so -0 and NaN payloads count too.
  assert.deepEqual(
    new Uint32Array(actual.features.buffer, actual.features.byteOffset, actual.features.length),
    new Uint32Array(expected.features.buffer, expected.features.byteOffset, expected.features.length),
  );
}

describe('parquet feature shard', () => {
  it('decodes to the same paths, labels and float32 bits it encoded', () => {
    const features = reluLike(PATHS.length * DIMENSIONS, 7);
    features[1] = -0;
    features[2] = 1e-45;
    features[3] = 3.4028234663852886e38;
    const rows = buildFeatureRows({ paths: PATHS, features, dimensions: DIMENSIONS });
    assert.deepEqual(rows.labels, ['Plum 5', 'Äpfel, rot', '']);
    assertSameRows(decodeParquetShard(encodeParquetShard(rows)), rows);
  });

  it('compresses every column chunk with zstd', async () => {
    const rows = buildFeatureRows({
      paths: PATHS,
      features: reluLike(PATHS.length * DIMENSIONS, 1),
      dimensions: DIMENSIONS,
    });
    const chunks = await columnChunks(encodeParquetShard(rows));
    assert.deepEqual(
      chunks.map((chunk) => chunk.path),
      ['path', 'label', 'features.list.item'],
    );
    for (const chunk of chunks) assert.equal(Compression[chunk.compression], 'ZSTD', chunk.path);
  });

  it('dictionary-encodes only the label column', async () => {
    const rows = buildFeatureRows({
      paths: PATHS,
      features: reluLike(PATHS.length * DIMENSIONS, 2),
      dimensions: DIMENSIONS,
    });
    const chunks = await columnChunks(encodeParquetShard(rows));
    const dictionary = chunks
      .filter((chunk) => chunk.encodings.includes(Encoding.RLE_DICTIONARY))
      .map((chunk) => chunk.path);
    assert.deepEqual(dictionary, ['label']);
  });

  it('splits a shard into row groups of PARQUET_ROW_GROUP_ROWS rows', async () => {
    const count = PARQUET_ROW_GROUP_ROWS + 3;
    const dimensions = 4;
    const paths = Array.from({ length: count }, (_, index) => `class ${index % 3}/${index}.jpg`);
    const rows = buildFeatureRows({ paths, features: reluLike(count * dimensions, 3), dimensions });
    const bytes = encodeParquetShard(rows);
    const file = await ParquetFile.fromFile(new Blob([bytes]));
    try {
      assert.deepEqual(
        file
          .metadata()
          .rowGroups()
          .map((group) => group.numRows()),
        [PARQUET_ROW_GROUP_ROWS, 3],
      );
    } finally {
      file.free();
    }
    assertSameRows(decodeParquetShard(bytes), rows);
  });

  it('writes a valid shard with the full schema when a partition has no rows', () => {
    const bytes = encodeParquetShard(buildEmptyFeatureRows(DIMENSIONS));
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    assert.equal(table.numRows, 0);
    assert.deepEqual(
      table.schema.fields.map((field) => [field.name, String(field.type), field.nullable]),
      [
        ['path', 'Utf8', false],
        ['label', 'Utf8', false],
        ['features', 'List<Float32>', false],
      ],
    );
    assert.equal(table.schema.metadata.get(DIMENSIONS_METADATA_KEY), String(DIMENSIONS));
    assertSameRows(decodeParquetShard(bytes), buildEmptyFeatureRows(DIMENSIONS));
  });

  it('refuses rows whose features do not match paths × dimensions', () => {
    const rows: FeatureRows = { paths: ['a/1.jpg'], labels: ['a'], features: new Float32Array(3), dimensions: 4 };
    assert.throws(
      () => encodeParquetShard(rows),
      (error) => isFeatureJobError(error) && error.code === 'FJ_INVALID_ARGUMENT',
    );
  });

  it('reports bytes that are not Parquet as FJ_OUTPUT_INVALID', () => {
    assert.throws(
      () => decodeParquetShard(new TextEncoder().encode('dim_0,path\n1,a.jpg\n')),
      (error) => isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID',
    );
  });
});
