import { availableParallelism } from 'node:os';
import type { RunConfig } from '../config/run-config.js';
import { createLogger } from '../log/logger.js';
import { runLocalJob, type LocalJobResult } from '../local/run-local-job.js';
import { formatSummary } from '../progress/format-summary.js';

/** Runs a parsed `featurejob run` and prints its summary; errors propagate to the CLI. */
export async function runCommand(config: RunConfig, options: { out?: NodeJS.WritableStream } = {}): Promise<LocalJobResult> {
  const logger = createLogger();
  if (config.weights === 'random') {
    process.stderr.write(
      `featurejob: using RANDOM weights (He-normal, seed ${config.seed}): the features exercise the pipeline but are not ImageNet features; pass --weights <vgg16-fc2.onnx> for real ones\n`,
    );
  }
  const result = await runLocalJob({ config, logger });
  const vcpus = Math.min(config.workers * config.threads, availableParallelism());
  (options.out ?? process.stdout).write(formatSummary(result, { vcpus }));
  return result;
}
