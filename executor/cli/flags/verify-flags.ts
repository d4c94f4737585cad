/** `featurejob verify`: its flag table. */
import { defineCommand } from './flag-table.js';
import { REGION_FLAG, S3_ENDPOINT_FLAG } from './shared-flags.js';

export const VERIFY_COMMAND = defineCommand({
  command: 'verify',
  usage: ['featurejob verify <output> [options]'],
  about: `Audits a finished output without changing it: every file the manifest lists exists with its
sha256 and row count, every planned image is exactly one feature row or one error line, the
manifest's counts agree with the files, and no stray data file sits in features/ or pca/.
Exits 0 when all holds, 1 with what is wrong.`,
  positional: {
    name: 'output',
    help: 'the directory or s3:// prefix of a finished run',
    readme: 'the directory or `s3://bucket/prefix` of a finished run',
  },
  flags: {
    json: { type: 'boolean', help: 'print the report as one JSON object' },
    's3-endpoint': S3_ENDPOINT_FLAG,
    region: REGION_FLAG,
  },
});
