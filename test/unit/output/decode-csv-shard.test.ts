import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeCsvShard } from '../../../executor/output/csv-shard.js';
import { decodeCsvShard } from '../../../executor/output/decode-csv-shard.js';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';

describe('decodeCsvShard', () => {
  test('reads back exactly what the CSV writer wrote, awkward paths included', () => {
    const rows = buildFeatureRows({
      paths: ['Plum 5/r0_1.jpg', 'a,b/"quoted".png', 'line\nbreak/x.jpg', 'top.jpg'],
      features: Float32Array.of(0.1, -0, 3.4028234663852886e38, 1e-45, 7, 8, 0, 0.333333343267, 1, 2, 3, 4),
      dimensions: 3,
    });
    const decoded = decodeCsvShard(encodeCsvShard(rows, { header: true }));
    assert.deepEqual(decoded, rows);
  });

  test('a shard with no rows keeps its width', () => {
    const decoded = decodeCsvShard(
      encodeCsvShard(buildFeatureRows({ paths: [], features: new Float32Array(0), dimensions: 4 }), { header: true }),
    );
    assert.equal(decoded.dimensions, 4);
    assert.equal(decoded.paths.length, 0);
  });

  test('anything but the reference layout is FJ_OUTPUT_INVALID naming the line', () => {
    const bad = (text: string): void =>
      assert.throws(() => decodeCsvShard(new TextEncoder().encode(text), 's.csv'), { code: 'FJ_OUTPUT_INVALID' });
    bad('a,b,path\n1,2,x\n');
    bad('dim_0,dim_1,path\n1,x\n');
    bad('dim_0,dim_1,path\n1,nope,x\n');
    bad('dim_0,dim_1,path\n1,2,"unterminated\n');
    assert.throws(() => decodeCsvShard(new TextEncoder().encode('dim_0,path\n1,a\n2,b,c\n'), 's.csv'), {
      message: /line 3/,
    });
  });
});
