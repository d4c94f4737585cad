import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeExcludedPrefix } from '../../../executor/plan/excluded-prefix.js';
import { parseLocation } from '../../../executor/storage/location.js';

const exclude = (input: string, output: string): string | undefined =>
  computeExcludedPrefix(parseLocation(input), parseLocation(output));

describe('computeExcludedPrefix', () => {
  test('excludes an output directory nested inside the input directory', () => {
    assert.equal(exclude('/data/photos', '/data/photos/features/run1'), 'features/run1/');
  });

  test('excludes an output prefix nested inside the input prefix of the same bucket', () => {
    assert.equal(exclude('s3://bkt/photos', 's3://bkt/photos/out'), 'out/');
    assert.equal(exclude('s3://bkt', 's3://bkt/out'), 'out/');
  });

  test('reports an output equal to the input as the empty prefix', () => {
    assert.equal(exclude('/data/photos', '/data/photos'), '');
    assert.equal(exclude('s3://bkt/p', 's3://bkt/p'), '');
  });

  test('excludes nothing when the output is elsewhere', () => {
    assert.equal(exclude('/data/photos', '/data/out'), undefined);
    assert.equal(exclude('/data/photos', '/data/photos-out'), undefined);
    assert.equal(exclude('s3://bkt/photos', 's3://bkt/photos-out'), undefined);
    assert.equal(exclude('s3://bkt/photos', 's3://other/photos/out'), undefined);
    assert.equal(exclude('/data/photos', 's3://bkt/photos'), undefined);
  });
});
