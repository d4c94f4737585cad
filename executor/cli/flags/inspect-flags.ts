/** `featurejob inspect`: its flag table. */
import { defineCommand } from './flag-table.js';
import { REGION_FLAG, S3_ENDPOINT_FLAG } from './shared-flags.js';

export const INSPECT_COMMAND = defineCommand({
  command: 'inspect',
  usage: ['featurejob inspect <output> [options]'],
  about: `Prints what an output holds: images, rows, failures by code, partitions, and, when PCA has
been fitted, the explained variance and how many components reach 90 %, 95 % and 99 % of
it. Writes pca-scree.svg and pca-scatter.svg (first two components, coloured by label) next
to manifest.json.`,
  positional: {
    name: 'output',
    help: 'the directory or s3:// prefix of a finished run',
    readme: 'the directory or `s3://bucket/prefix` of a finished run',
  },
  flags: {
    'no-plots': { type: 'boolean', help: 'print only, write no pictures' },
    's3-endpoint': S3_ENDPOINT_FLAG,
    region: REGION_FLAG,
  },
});
