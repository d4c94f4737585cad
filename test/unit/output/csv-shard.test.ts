import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';
import { encodeCsvShard, formatFloat32, quoteCsvField } from '../../../executor/output/csv-shard.js';

const decoder = new TextDecoder();

function significantDigits(text: string): string {
  const mantissa = text.replace(/^-/, '').split('e')[0]!.replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '');
}

/** Whether some decimal with `digits` significant digits reads back as the float32 `value`. */
function someShorterReadsBack(value: number, digits: number): boolean {
  if (digits < 1) return false;
  const [mantissa = '', exponent = ''] = Math.abs(value)
    .toExponential(digits - 1)
    .split('e');
  const nearest = BigInt(mantissa.replace('.', ''));
  const scale = Number(exponent) - (digits - 1);
  // The rounding interval holds value, so if any such decimal is in it, one of these is.
  return [nearest - 1n, nearest, nearest + 1n].some(
    (candidate) => Math.fround(Number(`${candidate}e${scale}`)) === Math.abs(value),
  );
}

function assertShortestRoundTrip(value: number): void {
  const text = formatFloat32(value);
  const back = Math.fround(Number(text));
  assert.ok(Object.is(back, value), `${text} reads back as ${back}, not ${value}`);
  // String(-0) is '0', so the notation check leaves negative zero to the exact cases.
  if (!Object.is(value, -0)) assert.equal(text, String(Number(text)), `${text} is not in JavaScript number notation`);
  const digits = significantDigits(text).length;
  assert.ok(!someShorterReadsBack(value, digits - 1), `${text} for ${value} is not the shortest`);
}

function float32FromBits(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

describe('csv feature shard', () => {
  it('formats tricky float32 values as their shortest round-tripping decimal', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '-0'],
      [Math.fround(0.1), '0.1'],
      [float32FromBits(1), '1e-45'], // smallest subnormal
      [float32FromBits(0x007fffff), '1.1754942e-38'], // largest subnormal
      [float32FromBits(0x00800000), '1.1754944e-38'], // smallest normal
      [float32FromBits(0x7f7fffff), '3.4028235e+38'], // largest finite
      [Math.fround(16777217), '16777216'],
      [Math.fround(1e21), '1e+21'],
      [Math.fround(123456789012), '123456790000'],
      [Math.fround(1e-7), '1e-7'],
      [Math.fround(0.000001), '0.000001'],
      [Math.fround(Math.PI), '3.1415927'],
      [Math.fround(-2.5), '-2.5'],
      [2 ** -10, '0.0009765625'],
      [2 ** 90, '1.2379401e+27'],
      [180861.625, '180861.62'], // exactly between two 8-digit decimals: the even one
      [64508.0625, '64508.062'],
    ];
    for (const [value, expected] of cases) {
      assert.equal(formatFloat32(value), expected, `formatting ${value}`);
      assertShortestRoundTrip(value);
    }
  });

  it('round-trips every power of two, whose lower neighbour is twice as close', () => {
    for (let exponent = -149; exponent <= 127; exponent++) assertShortestRoundTrip(2 ** exponent);
  });

  it('round-trips random float32 bit patterns across the whole range with the shortest decimal', () => {
    let state = 12345;
    for (let index = 0; index < 50_000; index++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const value = float32FromBits(state);
      if (Number.isFinite(value)) assertShortestRoundTrip(value);
    }
  });

  it('writes the reference header dim_0 … dim_{d-1}, path', () => {
    const rows = buildFeatureRows({ paths: ['a/1.jpg'], features: new Float32Array(4096), dimensions: 4096 });
    const [header = '', line = '', end] = decoder.decode(encodeCsvShard(rows, { header: true })).split('\n');
    const names = header.split(',');
    assert.equal(names.length, 4097);
    assert.equal(names[0], 'dim_0');
    assert.equal(names[4095], 'dim_4095');
    assert.equal(names[4096], 'path');
    assert.equal(line, `${Array(4096).fill('0').join(',')},a/1.jpg`);
    assert.equal(end, '');
  });

  it('leaves the header out when asked to', () => {
    const rows = buildFeatureRows({ paths: ['a/1.jpg'], features: Float32Array.of(1.5, 0), dimensions: 2 });
    assert.equal(decoder.decode(encodeCsvShard(rows, { header: false })), '1.5,0,a/1.jpg\n');
  });

  it('quotes paths holding a comma, quote or line break as RFC 4180 says', () => {
    assert.equal(quoteCsvField('Plum 5/r0_12.jpg'), 'Plum 5/r0_12.jpg');
    assert.equal(quoteCsvField('a,b/c.jpg'), '"a,b/c.jpg"');
    assert.equal(quoteCsvField('say "hi"/c.jpg'), '"say ""hi""/c.jpg"');
    assert.equal(quoteCsvField('two\nlines.jpg'), '"two\nlines.jpg"');
    assert.equal(quoteCsvField('cr\r.jpg'), '"cr\r.jpg"');
    const rows = buildFeatureRows({ paths: ['a,"b"/ü.jpg'], features: Float32Array.of(0.25), dimensions: 1 });
    assert.equal(decoder.decode(encodeCsvShard(rows, { header: true })), 'dim_0,path\n0.25,"a,""b""/ü.jpg"\n');
  });

  it('writes rows whose values read back as the same float32 bits', () => {
    const dimensions = 4096;
    const paths = ['x/0.jpg', 'y/1.jpg', '2.jpg'];
    const features = new Float32Array(paths.length * dimensions);
    let state = 99;
    for (let index = 0; index < features.length; index++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      features[index] = state & 1 ? 0 : (state / 2 ** 32) * 8;
    }
    const text = decoder.decode(encodeCsvShard(buildFeatureRows({ paths, features, dimensions }), { header: true }));
    const lines = text.split('\n').slice(1, -1);
    assert.equal(lines.length, paths.length);
    lines.forEach((line, row) => {
      const fields = line.split(',');
      assert.equal(fields.pop(), paths[row]);
      const back = Float32Array.from(fields, Number);
      assert.deepEqual(back, features.subarray(row * dimensions, (row + 1) * dimensions));
    });
  });
});
