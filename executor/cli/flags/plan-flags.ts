/** `featurejob plan`: its flag table. */
import { DEFAULT_IMAGES_PER_PARTITION } from '../../config/run-config.js';
import { defineCommand } from './flag-table.js';
import { REGION_FLAG, S3_ENDPOINT_FLAG } from './shared-flags.js';

export const PLAN_COMMAND = defineCommand({
  command: 'plan',
  usage: ['featurejob plan <input> --out <output> [options]'],
  about: `Prints what \`featurejob run <input> --out <output>\` would do, writing nothing: a first
version, an interrupted version to resume, a new version (new, changed, removed, unchanged
and retried images), or up to date; the images and partitions it would process, and an
estimate at the throughput of the output's latest run.`,
  positional: {
    name: 'input',
    key: 'input',
    help: 'a directory or s3://bucket/prefix',
    readme: 'a directory or `s3://bucket/prefix`, as given to `run`',
  },
  flags: {
    out: {
      type: 'string',
      short: 'o',
      key: 'output',
      value: '<dir|s3://bucket/prefix>',
      required: true,
      help: 'the output run would write to',
    },
    partitions: { type: 'string', short: 'p', value: '<n>', help: 'as for run' },
    'images-per-partition': {
      type: 'string',
      value: '<n>',
      default: String(DEFAULT_IMAGES_PER_PARTITION),
      help: 'as for run',
    },
    format: { type: 'string', short: 'f', value: '<parquet|csv>', default: '`parquet`', help: 'as for run' },
    full: { type: 'boolean', help: 'as for run: plan every image again' },
    json: { type: 'boolean', help: 'print one JSON object; its `images` is the number of images run would process' },
    's3-endpoint': S3_ENDPOINT_FLAG,
    region: REGION_FLAG,
  },
});
