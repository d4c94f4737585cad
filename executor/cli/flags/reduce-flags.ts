/** `featurejob reduce`: its flag table, and its command line turned into a frozen ReduceConfig. */
import { parseReduceConfig, type ReduceConfig } from '../../config/reduce-config.js';
import { defineCommand } from './flag-table.js';
import { parseCommandLine, parseCommandSettings } from './parse-command-line.js';
import { MAX_ATTEMPTS_FLAG, REGION_FLAG, S3_ENDPOINT_FLAG, WHITEN_FLAG, WORKERS_FLAG } from './shared-flags.js';

export const REDUCE_COMMAND = defineCommand({
  command: 'reduce',
  usage: ['featurejob reduce <output> --pca <K> [options]'],
  about: `Fits PCA on the features of a finished 'featurejob run' output, without extracting again:
each partition's statistics (row count, column sums, Gram matrix in float64) are read, or
computed from its shard in worker processes, merged one file at a time, and the top K
eigenvectors of the covariance found exactly. Then every shard is projected and written as
pca/part-NNNNN.parquet (path, label, features: K float32), the model as pca/model.json
(mean, components, explained variance and ratio, rows), and manifest.json gains a pca block.`,
  positional: {
    name: 'output',
    key: 'output',
    help: 'the directory or s3:// prefix of a finished run',
    readme: 'the directory or `s3://bucket/prefix` of a finished `featurejob run`',
  },
  flags: {
    pca: {
      type: 'string',
      value: '<K>',
      required: true,
      help: 'number of components, 1 ≤ K ≤ min(rows, dimensions)',
    },
    whiten: WHITEN_FLAG,
    workers: WORKERS_FLAG,
    threads: {
      type: 'string',
      short: 't',
      value: '<n>',
      default: 'cores / workers',
      help: 'threads per worker for the statistics',
    },
    'max-attempts': { ...MAX_ATTEMPTS_FLAG, help: 'attempts per partition before the reduction fails' },
    's3-endpoint': S3_ENDPOINT_FLAG,
    region: REGION_FLAG,
  },
  footer: 'Exit codes: 0 done, 1 failed, 2 invalid arguments.',
});

export type ParsedReduceCommandLine = { help: true } | { help: false; config: ReduceConfig };

/** Parses `featurejob reduce` arguments; invalid ones throw FJ_INVALID_ARGUMENT (exit code 2). */
export function parseReduceCommandLine(argv: readonly string[]): ParsedReduceCommandLine {
  const { help, fields } = parseCommandLine(REDUCE_COMMAND, argv);
  if (help) return { help: true };
  return {
    help: false,
    config: parseCommandSettings(REDUCE_COMMAND, fields, (input) =>
      parseReduceConfig(input as Parameters<typeof parseReduceConfig>[0]),
    ),
  };
}
