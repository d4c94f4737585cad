import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import { ByteQuantitySchema } from './byte-quantity.js';
import { DEFAULT_DECODE_BUDGET_BYTES, DEFAULT_MAX_OBJECT_BYTES, DEFAULT_MAX_PIXELS } from './limits.js';
import { describeMemoryShortfall, estimateWorkerMemory } from './worker-memory.js';

export const OutputFormats = ['parquet', 'csv'] as const;
export type OutputFormat = (typeof OutputFormats)[number];

export const ProgressModes = ['auto', 'bar', 'log', 'none'] as const;
export type ProgressMode = (typeof ProgressModes)[number];

export const DEFAULT_IMAGES_PER_PARTITION = 256;

/** `--precision`: fp32 as always; int8 only when the job's own gate passes; auto falls back to fp32. */
export const Precisions = ['fp32', 'int8', 'auto'] as const;
export type Precision = (typeof Precisions)[number];

/** Calibration images, and as many again for the gate: 8 and 32 measured alike here (median cosine 0.9994, docs/performance.md). */
export const DEFAULT_CALIBRATION_IMAGES = 32;
export const DEFAULT_INT8_MIN_COSINE = 0.999;
export const DEFAULT_INT8_MIN_KNN = 0.95;

const positiveInt = z.coerce.number().int().positive();

/** Everything `featurejob run` needs, validated once and frozen. */
export const RunConfigSchema = z
  .object({
    input: z.string().min(1),
    output: z.string().min(1),
    partitions: positiveInt.max(1_000_000).optional(),
    imagesPerPartition: positiveInt.max(10_000_000).default(DEFAULT_IMAGES_PER_PARTITION),
    workers: positiveInt.max(256).optional(),
    threads: positiveInt.max(1024).optional(),
    batchSize: positiveInt.max(1024).default(8),
    fetchConcurrency: positiveInt.max(1024).default(16),
    // 'auto': ImageNet weights when cached or fetchable, else random with a warning.
    weights: z.string().min(1).default('auto'),
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    format: z.enum(OutputFormats).default('parquet'),
    s3Endpoint: z.url({ protocol: /^https?$/ }).optional(),
    region: z.string().min(1).max(64).optional(),
    maxPixels: positiveInt.default(DEFAULT_MAX_PIXELS),
    /** Bytes of full-resolution decodes a worker holds at once (config/limits.ts). */
    decodeBudgetBytes: ByteQuantitySchema.default(DEFAULT_DECODE_BUDGET_BYTES),
    maxObjectBytes: ByteQuantitySchema.default(DEFAULT_MAX_OBJECT_BYTES),
    /** What one worker process may use; by default the machine's memory shared by the workers. */
    workerMemoryBytes: ByteQuantitySchema.optional(),
    /** The machine's memory (its cgroup limit when lower), which workers share by default. */
    memoryBytes: positiveInt.default(availableMemory()),
    maxAttempts: positiveInt.max(100).default(3),
    progress: z.enum(ProgressModes).default('auto'),
    /** Fit PCA with this many components after extraction (and compute statistics during it). */
    pca: z.coerce.number().int().min(1).max(1_000_000).optional(),
    whiten: z.boolean().default(false),
    /** On a complete output: the next table version processes every image again (docs/versions.md). */
    full: z.boolean().default(false),
    cores: positiveInt.max(1024).default(availableParallelism()),
    precision: z.enum(Precisions).default('fp32'),
    calibrationImages: z.coerce.number().int().min(2).max(1024).default(DEFAULT_CALIBRATION_IMAGES),
    /** The gate's thresholds: median cosine of fp32 vs int8 features, and kNN@10 agreement. */
    int8MinCosine: z.coerce.number().gt(0).max(1).default(DEFAULT_INT8_MIN_COSINE),
    int8MinKnn: z.coerce.number().min(0).max(1).default(DEFAULT_INT8_MIN_KNN),
  })
  .strict();

export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type RunConfig = Readonly<z.output<typeof RunConfigSchema>> & {
  readonly workers: number;
  readonly threads: number;
  readonly workerMemoryBytes: number;
};

/** The machine's memory, or the container's limit when one is set and lower. */
export function availableMemory(): number {
  const total = totalmem();
  const constrained = process.constrainedMemory();
  return constrained > 0 && constrained < total ? constrained : total;
}

/**
 * Workers are processes; their inference threads add up to the cores they are given.
 * By default one worker uses every core: one large intra-op pool beats several small ones
 * for VGG16's big convolutions, and decoding overlaps inference inside the worker.
 */
export function computeWorkerLayout(options: { cores: number; workers?: number; threads?: number }): {
  workers: number;
  threads: number;
} {
  const workers = options.workers ?? 1;
  const threads = options.threads ?? Math.max(1, Math.floor(options.cores / workers));
  return { workers, threads };
}

/**
 * Parses and checks the settings: besides each field's schema, what one worker holds with
 * them must fit its memory (config/worker-memory.ts), else FJ_INVALID_ARGUMENT names the terms.
 */
export function parseRunConfig(input: RunConfigInput): RunConfig {
  const parsed = RunConfigSchema.parse(input);
  const layout = computeWorkerLayout(parsed);
  const workerMemoryBytes = parsed.workerMemoryBytes ?? Math.floor(parsed.memoryBytes / layout.workers);
  const shortfall = describeMemoryShortfall(
    estimateWorkerMemory({
      batchSize: parsed.batchSize,
      // With --partitions the partition size is known once listed; the extract task checks it then.
      imagesPerPartition: parsed.partitions === undefined ? parsed.imagesPerPartition : 0,
      fetchConcurrency: parsed.fetchConcurrency,
      decodeBudgetBytes: parsed.decodeBudgetBytes,
      maxPixels: parsed.maxPixels,
      format: parsed.format,
      pca: parsed.pca !== undefined,
    }),
    workerMemoryBytes,
    parsed.workerMemoryBytes === undefined
      ? `--worker-memory (this machine's memory shared by ${layout.workers} worker${layout.workers === 1 ? '' : 's'})`
      : '--worker-memory',
  );
  if (shortfall !== undefined)
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `${shortfall}; lower --batch-size, --images-per-partition, --max-pixels or --workers, or raise --worker-memory`,
    );
  return Object.freeze({ ...parsed, ...layout, workerMemoryBytes });
}
