import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_MAX_PIXELS } from './limits.js';

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
};

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

export function parseRunConfig(input: RunConfigInput): RunConfig {
  const parsed = RunConfigSchema.parse(input);
  const layout = computeWorkerLayout(parsed);
  return Object.freeze({ ...parsed, ...layout });
}
