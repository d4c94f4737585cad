import { availableParallelism } from 'node:os';
import type { RunConfig } from '../config/run-config.js';
import { createLogger } from '../log/logger.js';
import { runLocalJob, type LocalJobResult } from '../local/run-local-job.js';
import type { ResolvedModel } from '../model/resolve-model.js';
import { formatSummary } from '../progress/format-summary.js';
import { parseRunCommandLine, RUN_COMMAND } from './flags/run-flags.js';
import { renderCommandHelp } from './flags/render-help.js';
import { createDownloadProgressPrinter } from './models-command.js';
import { formatReduceSummary } from './reduce-command.js';

/** `featurejob run <input> --out <output>`: 0 when images were found, 1 when there were none. */
export async function runCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const parsed = parseRunCommandLine(argv);
  if (parsed.help) {
    out.write(renderCommandHelp(RUN_COMMAND));
    return 0;
  }
  const result = await runAndSummarize(parsed.config, { out });
  return result.manifest.images.total > 0 ? 0 : 1;
}

/** Runs a parsed job and prints its summary; errors propagate to the CLI. */
export async function runAndSummarize(
  config: RunConfig,
  options: { out?: NodeJS.WritableStream } = {},
): Promise<LocalJobResult> {
  const logger = createLogger();
  const err = process.stderr;
  const download = createDownloadProgressPrinter({ mode: config.progress, stream: err });
  const result = await runLocalJob({
    config,
    logger,
    onDownloadProgress: (progress) => download.update(progress),
    onStatus: (message) => {
      download.finish();
      err.write(`featurejob: ${message}\n`);
    },
    onModelResolved: (model) => {
      download.finish();
      err.write(describeWeightsDecision(model, config.seed));
    },
    onPrecisionChosen: (precision) => {
      if (precision.warning !== undefined) err.write(`featurejob: warning: ${precision.warning}\n`);
      else if (precision.record?.gate !== undefined) {
        const gate = precision.record.gate;
        err.write(
          `featurejob: int8 passed the fidelity gate (median cosine ${gate.cosineMedian.toFixed(5)}, ` +
            `kNN@${gate.k} ${gate.knnAgreement.toFixed(3)}): workers run ${precision.path}\n`,
        );
      }
    },
  });
  const vcpus = Math.min(config.workers * config.threads, availableParallelism());
  (options.out ?? process.stdout).write(formatSummary(result, { vcpus }));
  if (result.reduce !== undefined) (options.out ?? process.stdout).write(formatReduceSummary(result.reduce));
  return result;
}

/** Says which weights the job runs with and why; random weights always get the loud warning. */
export function describeWeightsDecision(model: ResolvedModel, seed: number): string {
  const lines: string[] = [];
  if (model.warning !== undefined) lines.push(`featurejob: warning: ${model.warning}`);
  if (model.origin === 'random') {
    lines.push(
      `featurejob: using RANDOM weights (He-normal, seed ${seed}): the features exercise the pipeline but are not ImageNet features; ` +
        `pass --weights imagenet (or 'featurejob models pull vgg16 --from <file.h5>' offline) for real ones`,
    );
  } else {
    const how = {
      cache: `cached model ${model.path}`,
      downloaded: `downloaded, verified and converted to ${model.path}`,
      converted: `converted and cached at ${model.path}`,
      file: `model file ${model.path}`,
    }[model.origin];
    lines.push(`featurejob: weights ${model.info.weights}: ${how} (sha256 ${model.info.sha256})`);
  }
  return `${lines.join('\n')}\n`;
}
