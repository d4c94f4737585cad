import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createS3Client } from '../../../executor/storage/s3-client.js';

const VARIABLES = ['AWS_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

describe('createS3Client', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    // No developer profile may supply a region to these tests.
    process.env.AWS_CONFIG_FILE = '/nonexistent/featurejob-test-aws-config';
  });
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('uses us-east-1 when neither the options nor the environment name a region', async () => {
    const client = createS3Client();
    assert.equal(await client.config.region(), 'us-east-1');
    client.destroy();
  });

  it('takes the region from AWS_REGION, and an explicit region over both', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const fromEnv = createS3Client();
    const explicit = createS3Client({ region: 'ap-south-1' });
    assert.equal(await fromEnv.config.region(), 'eu-west-1');
    assert.equal(await explicit.config.region(), 'ap-south-1');
    fromEnv.destroy();
    explicit.destroy();
  });

  it('addresses buckets by path for an explicit endpoint or AWS_ENDPOINT_URL_S3, by host for AWS', () => {
    const aws = createS3Client();
    const explicit = createS3Client({ endpoint: 'http://127.0.0.1:9000' });
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9000';
    const fromEnv = createS3Client();
    assert.equal(aws.config.forcePathStyle, false);
    assert.equal(explicit.config.forcePathStyle, true);
    assert.equal(fromEnv.config.forcePathStyle, true);
    for (const client of [aws, explicit, fromEnv]) client.destroy();
  });
});
