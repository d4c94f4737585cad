import { parseReduceConfig, type ReduceConfig } from '../config/reduce-config.js';
import { FeatureJobError } from '../errors.js';
import { runLocalReduce, type LocalReduceResult } from '../local/run-local-reduce.js';
import { createLazyS3Client } from '../storage/open-stores.js';
import { createLogger } from '../log/logger.js';
import { formatDuration } from '../progress/format-duration.js';
import { openStore } from '../storage/open-store.js';
import { parseLocation } from '../storage/location.js';
import { parseCommandLine, parseFlags } from './parse-run-args.js';
import { REDUCE_HELP } from './run-help.js';

const reduceOptions = {
  pca: { type: 'string' },
  whiten: { type: 'boolean' },
  workers: { type: 'string', short: 'w' },
  threads: { type: 'string', short: 't' },
  'max-attempts': { type: 'string' },
  's3-endpoint': { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `featurejob reduce <output> --pca K`: PCA on an existing output, no re-extraction. */
export async function reduceCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, reduceOptions);
  if (values.help) {
    out.write(REDUCE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'expected one <output>: the directory or s3:// prefix of a finished run');
  if (values.pca === undefined) throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'missing --pca <K>: the number of components');
  const config = parseFlags(
    {
      output: positionals[0],
      pca: values.pca,
      whiten: values.whiten,
      workers: values.workers,
      threads: values.threads,
      maxAttempts: values['max-attempts'],
      s3Endpoint: values['s3-endpoint'],
      region: values.region,
    },
    (fields) => parseReduceConfig(fields as Parameters<typeof parseReduceConfig>[0]),
  );
  const result = await reduce(config);
  out.write(formatReduceSummary(result));
  return 0;
}

function reduce(config: ReduceConfig): Promise<LocalReduceResult> {
  const output = openStore(parseLocation(config.output), { s3Client: createLazyS3Client(config) });
  const logger = createLogger();
  return runLocalReduce({
    output,
    components: config.pca,
    whiten: config.whiten,
    workers: config.workers,
    threads: config.threads,
    maxAttempts: config.maxAttempts,
    logger,
    ...(config.s3Endpoint === undefined ? {} : { s3Endpoint: config.s3Endpoint }),
    ...(config.region === undefined ? {} : { region: config.region }),
    onPhase: (phase, detail) => process.stderr.write(`featurejob reduce: ${phase}: ${detail}\n`),
  });
}

export function formatReduceSummary(result: LocalReduceResult): string {
  const { model, timings, manifest } = result;
  const pca = manifest.pca!;
  const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
  return [
    `PCA: ${model.components} components of ${model.dimensions} dimensions fitted on ${model.rows} rows${model.whiten ? ' (whitened)' : ''}`,
    `  explained variance: ${(pca.explainedVariance * 100).toFixed(2)} % (first component ${(model.explainedVarianceRatio[0]! * 100).toFixed(2)} %)`,
    `  statistics: ${formatDuration(timings.statisticsMs / 1000)} (${result.statisticsComputed} of ${result.statisticsFiles} statistics files computed from shards, ${manifest.partitions.length} partitions), peak RSS ${mib(result.peakRssBytes.statistics)} per worker`,
    `  fit: ${formatDuration(timings.fitMs / 1000)}, peak RSS ${mib(result.peakRssBytes.fit)}`,
    `  projection: ${formatDuration(timings.projectMs / 1000)}, peak RSS ${mib(result.peakRssBytes.project)} per worker`,
    `  model: ${pca.modelUri}`,
    `  reduced shards: ${pca.partitions.length} under ${manifest.output.uri.replace(/\/$/, '')}/pca/`,
    '',
  ].join('\n');
}
