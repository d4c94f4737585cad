import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { FeatureJobError } from '../../../executor/errors.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { openStore } from '../../../executor/storage/open-store.js';
import { createS3Client } from '../../../executor/storage/s3-client.js';
import { S3Store } from '../../../executor/storage/s3-store.js';

describe('openStore', () => {
  it('opens a directory as a FileStore without creating an S3 client', () => {
    let created = 0;
    const store = openStore('./images', {
      s3Client: () => {
        created += 1;
        return createS3Client({ region: 'us-east-1' });
      },
    });
    assert.ok(store instanceof FileStore);
    assert.equal(store.uri, resolve('images'));
    assert.equal(created, 0);
  });

  it('opens an s3 URI as an S3Store over the client it is given', () => {
    const client = createS3Client({ region: 'us-east-1' });
    try {
      const store = openStore({ kind: 's3', bucket: 'images', prefix: 'fruit' }, { s3Client: () => client });
      assert.ok(store instanceof S3Store);
      assert.equal(store.uri, 's3://images/fruit');
      assert.equal(store.uriOf('Plum 5/r0_12.jpg'), 's3://images/fruit/Plum 5/r0_12.jpg');
    } finally {
      client.destroy();
    }
  });

  it('rejects a malformed location with FJ_INVALID_ARGUMENT', () => {
    assert.throws(
      () => openStore('s3:///images'),
      (error: unknown) => error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT',
    );
  });
});
