import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import { parseRunConfig, type RunConfig, type RunConfigInput } from '../config/run-config.js';

const runOptions = {
  out: { type: 'string', short: 'o' },
  partitions: { type: 'string', short: 'p' },
  'images-per-partition': { type: 'string' },
  workers: { type: 'string', short: 'w' },
  threads: { type: 'string', short: 't' },
  'batch-size': { type: 'string', short: 'b' },
  'fetch-concurrency': { type: 'string' },
  weights: { type: 'string' },
  seed: { type: 'string' },
  format: { type: 'string', short: 'f' },
  's3-endpoint': { type: 'string' },
  region: { type: 'string' },
  'max-pixels': { type: 'string' },
  'max-attempts': { type: 'string' },
  progress: { type: 'string' },
  pca: { type: 'string' },
  whiten: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ParsedRunArgs = { help: true } | { help: false; config: RunConfig };

const flagOf: Record<string, string> = {
  imagesPerPartition: '--images-per-partition',
  batchSize: '--batch-size',
  fetchConcurrency: '--fetch-concurrency',
  s3Endpoint: '--s3-endpoint',
  maxPixels: '--max-pixels',
  maxAttempts: '--max-attempts',
  noPlots: '--no-plots',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = String(issue.path[0] ?? '');
  const flag = flagOf[key] ?? `--${key}`;
  return `${flag}: ${issue.message}`;
}

/** Parses config fields from flags with a zod schema; a mismatch is FJ_INVALID_ARGUMENT naming the flags. */
export function parseFlags<T>(input: Record<string, unknown>, parse: (input: Record<string, unknown>) => T): T {
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  try {
    return parse(input);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', error.issues.map(describeIssue).join('; '));
    }
    throw error;
  }
}

/** node:util parseArgs, with its errors (unknown flag, missing value) as FJ_INVALID_ARGUMENT. */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', (error as Error).message);
  }
}

/** Parses `featurejob run` arguments; invalid ones throw FJ_INVALID_ARGUMENT (exit code 2). */
export function parseRunArgs(argv: string[]): ParsedRunArgs {
  const { values, positionals } = parseCommandLine(argv, runOptions);
  if (values.help) return { help: true };
  if (positionals.length !== 1) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      positionals.length === 0 ? 'missing <input>: a directory or s3://bucket/prefix' : `expected one <input>, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  if (values.out === undefined) throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'missing --out <dir|s3://bucket/prefix>');
  const input: Record<string, unknown> = {
    input: positionals[0],
    output: values.out,
    partitions: values.partitions,
    imagesPerPartition: values['images-per-partition'],
    workers: values.workers,
    threads: values.threads,
    batchSize: values['batch-size'],
    fetchConcurrency: values['fetch-concurrency'],
    weights: values.weights,
    seed: values.seed,
    format: values.format,
    s3Endpoint: values['s3-endpoint'],
    region: values.region,
    maxPixels: values['max-pixels'],
    maxAttempts: values['max-attempts'],
    progress: values.progress,
    pca: values.pca,
    whiten: values.whiten,
  };
  return { help: false, config: parseFlags(input, (fields) => parseRunConfig(fields as RunConfigInput)) };
}
