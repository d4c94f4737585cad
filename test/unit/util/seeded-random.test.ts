import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { SeededRandom, splitmix64 } from '../../../executor/util/seeded-random.js';

function littleEndianSha256(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return createHash('sha256').update(bytes).digest('hex');
}

describe('SeededRandom', () => {
  it('seeds from splitmix64, whose first outputs for seed 0 are the published ones', () => {
    const words = splitmix64(0);
    assert.equal(words.next().value.toString(16), 'e220a8397b1dcdaf');
    assert.equal(words.next().value.toString(16), '6e789e6aa1b965f4');
  });

  it('produces the xoshiro128** stream of the reference C implementation', () => {
    // Reference: Vigna's xoshiro128starstar.c, state = two splitmix64(42) words, low half first.
    const random = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => random.nextUint32());
    assert.deepEqual(first, [1776835114, 4165204688, 17111135, 2317295270, 2792088233]);
  });

  it('gives bit-identical normals for a seed on every run and machine', () => {
    const values = new SeededRandom(7).fillNormal(new Float32Array(1001));
    assert.equal(values[0], Math.fround(-0.8523932099342346));
    assert.equal(littleEndianSha256(values), '90d66d603628a9f5ee0fd8d22a9ba5a6ad26ef5834874c86dd6a66810ebc7b64');
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const values = new SeededRandom(3).fillNormal(new Float32Array(200_000), 2.5);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(variance) - 2.5) < 0.025, `std ${Math.sqrt(variance)}`);
    assert.ok(values.every(Number.isFinite));
  });

  it('gives uniform floats in [0, 1)', () => {
    const random = new SeededRandom(11);
    const values = Array.from({ length: 10_000 }, () => random.nextFloat());
    assert.ok(values.every((v) => v >= 0 && v < 1));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });

  it('refuses a seed that is not a safe integer', () => {
    assert.throws(() => new SeededRandom(1.5), RangeError);
    assert.throws(() => new SeededRandom(2 ** 60), RangeError);
  });
});
