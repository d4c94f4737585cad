/**
 * What one extraction process (a local worker, an executor pod) holds in memory at its peak,
 * term by term, from its settings; checked at admission against what the process has (the
 * pod's memory limit, `--worker-memory` locally) so that settings which cannot fit are refused
 * with the reason instead of ending in the OOM killer. The formula and its measurements:
 * docs/reliability.md, "Memory per executor".
 */
import { formatBytes } from './byte-quantity.js';
import { DEEPEST_DECODE_BYTES_PER_PIXEL } from './limits.js';

/** VGG16 up to fc2: 134,260,544 float32 parameters (a unit test checks them against the model layout). */
export const VGG16_FC2_WEIGHT_BYTES = 537_042_176;
/** Values per feature row (fc2). */
export const FEATURE_DIMENSIONS = 4096;
/** One preprocessed image: the 224 x 224 x 3 float32 input of one batch slot. */
export const INPUT_TENSOR_BYTES = 224 * 224 * 3 * 4;
/**
 * Node, sharp/libvips and onnxruntime without the weights: the measured 1,255 MiB of a
 * batch-1 process (docs/benchmarks.md) less the weights (512 MiB) and one batch slot, rounded up.
 */
export const RUNTIME_BYTES = 700 * 2 ** 20;
/**
 * One batch slot: its input tensor and onnxruntime's activations for one image. Measured
 * 56 to 59 MiB a slot between batch 1 and 32 (1,255 to 3,049 MiB, docs/benchmarks.md); 64 MiB.
 */
export const BATCH_SLOT_BYTES = 64 * 2 ** 20;
/** A feature row as float32, held from its batch until the shard is written. */
export const FEATURE_ROW_BYTES = FEATURE_DIMENSIONS * 4;
/**
 * Bytes a row costs while its shard is encoded. Parquet: the features, the Arrow IPC stream,
 * its copy in WebAssembly memory, the Parquet bytes there and their copy out (5 x 16 KiB). CSV:
 * the features and a text buffer of 11 bytes a value (+ 64 for the path) that may double once.
 */
export const SHARD_ROW_BYTES: Readonly<Record<ShardFormat, number>> = {
  parquet: 5 * FEATURE_ROW_BYTES,
  csv: FEATURE_ROW_BYTES + 2 * (FEATURE_DIMENSIONS * 11 + 64),
};
/** With PCA, a partition of at least d/2 rows computes its Gram statistics: about three d x d float64 matrices. */
export const STATISTICS_BYTES = 3 * FEATURE_DIMENSIONS * FEATURE_DIMENSIONS * 8;
const STATISTICS_MIN_ROWS = FEATURE_DIMENSIONS / 2;

/** The shard formats (run-config.ts's OutputFormats, named here so the two modules stay acyclic). */
export type ShardFormat = 'parquet' | 'csv';

export interface WorkerMemorySettings {
  readonly batchSize: number;
  /** The largest partition the process may be given. */
  readonly imagesPerPartition: number;
  readonly fetchConcurrency: number;
  readonly decodeBudgetBytes: number;
  readonly maxPixels: number;
  readonly format: ShardFormat;
  /** Whether extraction computes PCA statistics on the way (`--pca`, spec.reduce.pca). */
  readonly pca: boolean;
}

export interface MemoryTerm {
  readonly name: string;
  readonly bytes: number;
}

export interface WorkerMemoryEstimate {
  readonly totalBytes: number;
  readonly terms: readonly MemoryTerm[];
}

/**
 * The decode term is the budget, or the decode of the largest image `maxPixels` admits in the
 * deepest ordinary format when that is larger: such an image decodes alone, over the budget.
 */
export function estimateWorkerMemory(settings: WorkerMemorySettings): WorkerMemoryEstimate {
  const terms: MemoryTerm[] = [
    { name: 'runtime (Node, sharp, onnxruntime)', bytes: RUNTIME_BYTES },
    { name: 'model weights (VGG16 fc2, fp32)', bytes: VGG16_FC2_WEIGHT_BYTES },
    { name: `batch (${settings.batchSize} slots x 64 MiB)`, bytes: settings.batchSize * BATCH_SLOT_BYTES },
    {
      name: `prepared images in flight (${settings.fetchConcurrency + settings.batchSize} x 588 KiB)`,
      bytes: (settings.fetchConcurrency + settings.batchSize) * INPUT_TENSOR_BYTES,
    },
    {
      name: 'decode budget',
      bytes: Math.max(settings.decodeBudgetBytes, settings.maxPixels * DEEPEST_DECODE_BYTES_PER_PIXEL),
    },
    {
      name: `partition rows and shard (${settings.imagesPerPartition} x ${formatBytes(SHARD_ROW_BYTES[settings.format])})`,
      bytes: settings.imagesPerPartition * SHARD_ROW_BYTES[settings.format],
    },
  ];
  if (settings.pca && settings.imagesPerPartition >= STATISTICS_MIN_ROWS)
    terms.push({ name: 'PCA statistics', bytes: STATISTICS_BYTES });
  return { totalBytes: terms.reduce((sum, term) => sum + term.bytes, 0), terms };
}

/**
 * Undefined when the estimate fits `limitBytes`; otherwise the reason, naming every term so
 * the user sees which setting to lower. `limit` names the limit (`--worker-memory 4Gi`).
 */
export function describeMemoryShortfall(
  estimate: WorkerMemoryEstimate,
  limitBytes: number,
  limit: string,
): string | undefined {
  if (estimate.totalBytes <= limitBytes) return undefined;
  const terms = [...estimate.terms]
    .sort((a, b) => b.bytes - a.bytes)
    .map((term) => `${term.name} ${formatBytes(term.bytes)}`)
    .join(', ');
  return (
    `these settings need about ${formatBytes(estimate.totalBytes)} per executor, more than the ${formatBytes(limitBytes)} ` +
    `of ${limit}: ${terms}`
  );
}
