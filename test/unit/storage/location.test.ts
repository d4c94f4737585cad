import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { FeatureJobError } from '../../../executor/errors.js';
import { formatLocation, parseLocation } from '../../../executor/storage/location.js';

function assertInvalid(arg: string): void {
  assert.throws(
    () => parseLocation(arg),
    (error: unknown) =>
      error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT' && error.message.includes(arg),
  );
}

describe('parseLocation', () => {
  it('reads an s3 URI as a bucket and a prefix', () => {
    assert.deepEqual(parseLocation('s3://images/fruit/2024'), { kind: 's3', bucket: 'images', prefix: 'fruit/2024' });
  });

  it('gives a bare bucket an empty prefix', () => {
    assert.deepEqual(parseLocation('s3://images'), { kind: 's3', bucket: 'images', prefix: '' });
    assert.deepEqual(parseLocation('s3://images/'), { kind: 's3', bucket: 'images', prefix: '' });
  });

  it('strips leading and trailing slashes from the prefix but keeps inner ones', () => {
    assert.deepEqual(parseLocation('s3://images//a//b///'), { kind: 's3', bucket: 'images', prefix: 'a//b' });
  });

  it('keeps spaces and special characters of the prefix as they are', () => {
    assert.deepEqual(parseLocation('s3://my.bucket-1/Plum 5/x?y#z'), {
      kind: 's3',
      bucket: 'my.bucket-1',
      prefix: 'Plum 5/x?y#z',
    });
  });

  it('rejects an s3 URI without a bucket', () => {
    assertInvalid('s3://');
    assertInvalid('s3:///images');
  });

  it('rejects bucket names S3 does not allow', () => {
    for (const bucket of ['ab', 'Images', 'under_score', '-dash', 'dot.', 'a..b', '192.168.1.1', 'x'.repeat(64)]) {
      assertInvalid(`s3://${bucket}/prefix`);
    }
  });

  it('rejects an upper-case scheme and other URI schemes instead of treating them as directories', () => {
    assertInvalid('S3://images/a');
    assertInvalid('s3a://images/a');
    assertInvalid('gs://images/a');
    assertInvalid('https://example.com/images');
  });

  it('rejects an empty argument', () => {
    assertInvalid('');
    assertInvalid('  ');
  });

  it('makes a relative directory absolute against the working directory', () => {
    assert.deepEqual(parseLocation('./images/../out'), { kind: 'file', dir: resolve('out') });
  });

  it('keeps an absolute directory and drops its trailing slash', () => {
    assert.deepEqual(parseLocation('/data/images/'), { kind: 'file', dir: '/data/images' });
  });

  it('accepts a file URL as a directory', () => {
    assert.deepEqual(parseLocation(pathToFileURL('/data/my images').href), { kind: 'file', dir: '/data/my images' });
  });
});

describe('formatLocation', () => {
  it('writes s3 locations with and without a prefix', () => {
    assert.equal(formatLocation({ kind: 's3', bucket: 'images', prefix: 'a/b' }), 's3://images/a/b');
    assert.equal(formatLocation({ kind: 's3', bucket: 'images', prefix: '' }), 's3://images');
  });

  it('writes a directory as its absolute path', () => {
    assert.equal(formatLocation({ kind: 'file', dir: '/data/images' }), '/data/images');
  });

  it('round-trips what parseLocation reads', () => {
    for (const arg of ['s3://images/a/b', 's3://images', '/data/images']) {
      assert.equal(formatLocation(parseLocation(arg)), arg);
    }
  });
});
