import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeCsvShard } from '../../../executor/output/csv-shard.js';
import { buildEmptyFeatureRows, buildFeatureRows, type FeatureRows } from '../../../executor/output/feature-rows.js';
import { encodeParquetShard } from '../../../executor/output/parquet-shard.js';
import { FP32_PRECISION, type ShardPrecision } from '../../../executor/output/shard-precision.js';
import { ensurePythonVenv, runPython } from '../../support/python-venv.js';

/** How users' tools see a shard: pyarrow's schema text, codecs, and the values as numpy reads them. */
const READ_SHARD = `
import base64, json, sys
import numpy as np
import pyarrow.parquet as pq
table = pq.read_table(sys.argv[1])
meta = pq.ParquetFile(sys.argv[1]).metadata
features = table.column('features').combine_chunks()
print(json.dumps({
    'schema': table.schema.remove_metadata().to_string(),
    'metadata': {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items() if not k.startswith(b'ARROW')},
    'compression': sorted({meta.row_group(g).column(c).compression for g in range(meta.num_row_groups) for c in range(meta.num_columns)}),
    'rows': table.num_rows,
    'paths': table.column('path').to_pylist(),
    'labels': table.column('label').to_pylist(),
    'lengths': sorted(set(np.diff(features.offsets.to_numpy()).tolist())),
    'values': base64.b64encode(features.values.to_numpy().astype('<f4').tobytes()).decode(),
}))
`;

/** numpy reading the CSV with the standard csv module, plus numpy's own shortest digits. */
const READ_CSV = `
import base64, csv, json, sys
from decimal import Decimal
import numpy as np
with open(sys.argv[1], newline='', encoding='utf-8') as handle:
    rows = list(csv.reader(handle))
header, body = rows[0], rows[1:]
values = np.array([row[:-1] for row in body], dtype=np.float32)
shortest_mismatches = [
    text for row in body for text in row[:-1]
    if Decimal(text) != Decimal(np.format_float_positional(np.float32(text), unique=True, trim='-'))
]
print(json.dumps({
    'header': [header[0], header[-2], header[-1], len(header)],
    'paths': [row[-1] for row in body],
    'values': base64.b64encode(values.astype('<f4').tobytes()).decode(),
    'shortestMismatches': shortest_mismatches[:5],
}))
`;

function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function sampleRows(): FeatureRows {
  const dimensions = 4096;
  const paths = ['Plum 5/r0_12.jpg', 'Äpfel, rot/"quoted" 🍎.jpg', 'top-level.png'];
  const features = new Float32Array(paths.length * dimensions);
  let state = 2024;
  for (let index = 0; index < features.length; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    features[index] = state & 1 ? 0 : (state / 2 ** 32) * 2 ** ((state % 40) - 20);
  }
  features.set([-0, 1e-45, 3.4028234663852886e38, Math.fround(0.1)], 0);
  return buildFeatureRows({ paths, features, dimensions });
}

describe('pyarrow reads feature shards', () => {
  let dir = '';
  before(() => {
    ensurePythonVenv();
    dir = mkdtempSync(join(tmpdir(), 'featurejob-parquet-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function readWithPyarrow(
    rows: FeatureRows,
    precision?: ShardPrecision,
  ): {
    schema: string;
    metadata: Record<string, string>;
    compression: string[];
    rows: number;
    paths: string[];
    labels: string[];
    lengths: number[];
    values: string;
  } {
    const file = join(dir, `shard-${rows.paths.length}-${precision?.precision ?? 'none'}.parquet`);
    writeFileSync(file, encodeParquetShard(rows, precision === undefined ? {} : { precision }));
    return JSON.parse(runPython(READ_SHARD, { args: [file] }));
  }

  it('sees non-null path and label strings and a non-null list of non-null float32', () => {
    const seen = readWithPyarrow(sampleRows());
    assert.equal(
      seen.schema,
      [
        'path: string not null',
        'label: string not null',
        'features: list<item: float not null> not null',
        '  child 0, item: float not null',
      ].join('\n'),
    );
    assert.deepEqual(seen.metadata, { 'featurejob.dimensions': '4096' });
    assert.deepEqual(seen.compression, ['ZSTD']);
  });

  it('sees the precision the shard was made with in its schema metadata', () => {
    const int8Sha256 = 'e'.repeat(64);
    assert.deepEqual(readWithPyarrow(sampleRows(), { precision: 'int8', int8Sha256 }).metadata, {
      'featurejob.dimensions': '4096',
      'featurejob.precision': 'int8',
      'featurejob.int8_sha256': int8Sha256,
    });
    assert.deepEqual(readWithPyarrow(sampleRows(), FP32_PRECISION).metadata, {
      'featurejob.dimensions': '4096',
      'featurejob.precision': 'fp32',
    });
  });

  it('reads the same paths, labels and float32 bits that were written', () => {
    const rows = sampleRows();
    const seen = readWithPyarrow(rows);
    assert.equal(seen.rows, 3);
    assert.deepEqual(seen.paths, rows.paths);
    assert.deepEqual(seen.labels, ['Plum 5', 'Äpfel, rot', '']);
    assert.deepEqual(seen.lengths, [4096]);
    assert.deepEqual(bitsOf(float32FromBase64(seen.values)), bitsOf(rows.features));
  });

  it('reads a shard with no rows with the same schema', () => {
    const seen = readWithPyarrow(buildEmptyFeatureRows(4096));
    assert.equal(seen.rows, 0);
    assert.match(
      seen.schema,
      /^path: string not null\nlabel: string not null\nfeatures: list<item: float not null> not null/,
    );
  });

  it('reads the CSV layout back to the same float32 bits, with numpy’s shortest digits', () => {
    const rows = sampleRows();
    const file = join(dir, 'shard.csv');
    writeFileSync(file, encodeCsvShard(rows, { header: true }));
    const seen = JSON.parse(runPython(READ_CSV, { args: [file] }));
    assert.deepEqual(seen.header, ['dim_0', 'dim_4095', 'path', 4097]);
    assert.deepEqual(seen.paths, rows.paths);
    assert.deepEqual(bitsOf(float32FromBase64(seen.values)), bitsOf(rows.features));
    assert.deepEqual(seen.shortestMismatches, []);
  });
});
