import type { ReduceConfig } from '../config/reduce-config.js';
import { runLocalReduce, type LocalReduceResult } from '../local/run-local-reduce.js';
import { openOneStore } from '../storage/open-stores.js';
import { createLogger } from '../log/logger.js';
import { formatDuration } from '../progress/format-duration.js';
import { parseReduceCommandLine, REDUCE_COMMAND } from './flags/reduce-flags.js';
import { renderCommandHelp } from './flags/render-help.js';

/** `featurejob reduce <output> --pca K`: PCA on an existing output, no re-extraction. */
export async function reduceCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const parsed = parseReduceCommandLine(argv);
  if (parsed.help) {
    out.write(renderCommandHelp(REDUCE_COMMAND));
    return 0;
  }
  const result = await reduce(parsed.config);
  out.write(formatReduceSummary(result));
  return 0;
}

function reduce(config: ReduceConfig): Promise<LocalReduceResult> {
  const output = openOneStore(config.output, config);
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
    `PCA: ${model.components} components of ${model.dimensions} dimensions fitted on ${model.rows} rows` +
      (model.whiten ? ' (whitened)' : ''),
    `  explained variance: ${(pca.explainedVariance * 100).toFixed(2)} % ` +
      `(first component ${(model.explainedVarianceRatio[0]! * 100).toFixed(2)} %)`,
    `  statistics: ${formatDuration(timings.statisticsMs / 1000)} (${result.statisticsComputed} of ${result.statisticsFiles} ` +
      `statistics files computed from shards, ${manifest.partitions.length} partitions), ` +
      `peak RSS ${mib(result.peakRssBytes.statistics)} per worker`,
    `  fit: ${formatDuration(timings.fitMs / 1000)}, peak RSS ${mib(result.peakRssBytes.fit)}`,
    `  projection: ${formatDuration(timings.projectMs / 1000)}, peak RSS ${mib(result.peakRssBytes.project)} per worker`,
    `  model: ${pca.modelUri}`,
    `  reduced shards: ${pca.partitions.length} under ${manifest.output.uri.replace(/\/$/, '')}/pca/`,
    '',
  ].join('\n');
}
