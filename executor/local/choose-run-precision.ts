/**
 * `featurejob run --precision`: the precision the workers run in, chosen in the driver after
 * planning and before any worker starts, against what the output's committed partitions were
 * made with (a table never mixes precisions, docs/performance.md):
 *   fp32   loads nothing more; refused when partitions were committed with int8
 *   int8   refused at once when partitions were committed with fp32; else calibrates and
 *          gates on the job's own images, and is refused when the int8 model it arrives at is
 *          not the one the committed partitions were made with
 *   auto   keeps what committed partitions were made with when the gate allows it: fp32
 *          without measuring, int8 when its gate passes again (else refused, not mixed)
 * Refusals are FJ_PRECISION_MISMATCH naming both precisions; nothing is written.
 */
import type { RunConfig } from '../config/run-config.js';
import {
  assertCommittedKind,
  assertCommittedPrecision,
  type CommittedPrecision,
} from '../commit/committed-precision.js';
import type { PrecisionModel } from '../model/ensure-int8-model.js';
import type { ResolvedModel } from '../model/resolve-model.js';
import { FP32_PRECISION } from '../output/shard-precision.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface ChooseRunPrecisionOptions {
  readonly config: RunConfig;
  readonly model: ResolvedModel;
  readonly plan: PlanIndex;
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  /** What the plan's committed partitions were made with (undefined: none committed). */
  readonly committed: CommittedPrecision | undefined;
  readonly cacheDir: string;
  readonly onStatus: ((message: string) => void) | undefined;
}

export async function chooseRunPrecision(options: ChooseRunPrecisionOptions): Promise<PrecisionModel> {
  const { config, model, plan, input, output, committed } = options;
  const wording = { uri: output.uri, hint: rerunHint(committed) };
  if (config.precision !== 'auto') assertCommittedKind(committed, config.precision, wording);
  if (config.precision === 'fp32') return { path: model.path, info: model.info, precision: FP32_PRECISION };
  // Imported only for int8 and auto, so an fp32 run's parent never loads onnxruntime.
  const { ensurePrecisionModel } = await import('../model/ensure-int8-model.js');
  const { loadPrecisionSamples } = await import('../pipeline/load-precision-samples.js');
  const chosen = await ensurePrecisionModel({
    precision: config.precision,
    model,
    cacheDir: options.cacheDir,
    threads: config.threads,
    thresholds: { minCosineMedian: config.int8MinCosine, minKnnAgreement: config.int8MinKnn },
    loadSamples: () =>
      loadPrecisionSamples({ input, output, plan, count: config.calibrationImages, maxPixels: config.maxPixels }),
    ...(committed === undefined ? {} : { committed }),
    ...(options.onStatus === undefined ? {} : { onStatus: options.onStatus }),
  });
  assertCommittedPrecision(committed, chosen.precision, {
    ...wording,
    ...(chosen.warning === undefined ? {} : { reason: chosen.warning }),
  });
  return chosen;
}

/** What a user can do about a mismatch: ask for what made the committed partitions, or start over. */
function rerunHint(committed: CommittedPrecision | undefined): string {
  if (committed?.precision.precision === 'int8') {
    return 'rerun with --precision int8 and the settings that made them (weights, --calibration-images), or use a new --out';
  }
  return 'rerun with --precision fp32 or use a new --out';
}
