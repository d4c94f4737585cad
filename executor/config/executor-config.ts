import { z } from 'zod';
import { DEFAULT_DECODE_BUDGET_BYTES, DEFAULT_MAX_OBJECT_BYTES, DEFAULT_MAX_PIXELS } from './limits.js';
import { OutputFormats, Precisions } from './run-config.js';

/** The environment variable the operator passes an executor pod its settings in (JSON). */
export const EXECUTOR_CONFIG_ENV = 'FEATUREJOB_EXECUTOR_CONFIG';
/** Set by the Job controller on every pod of an Indexed Job. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

const positiveInt = z.int().positive();

/** K and whitening; whether K fits the rows and dimensions is known only from the manifest. */
export const PcaSettingsSchema = z.strictObject({
  components: positiveInt.max(1_000_000),
  whiten: z.boolean().default(false),
});
export type PcaSettings = Readonly<z.output<typeof PcaSettingsSchema>>;

/**
 * What an executor pod runs: built by the operator from the FeatureJob spec, validated here
 * once and frozen. `plan` lists the input and writes the plan; `extract` runs one partition.
 * With `pca`, extraction also computes each large partition's PCA statistics, and the three
 * `pca-*` tasks fit and project K components over the merged output.
 */
export const ExecutorConfigSchema = z
  .object({
    version: z.literal(1),
    input: z.string().min(1).max(2100),
    output: z.string().min(1).max(2100),
    s3Endpoint: z.url({ protocol: /^https?$/ }).optional(),
    region: z.string().min(1).max(64).optional(),
    format: z.enum(OutputFormats),
    weights: z.string().min(1).max(2048),
    seed: z
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** Refuse any model file with another sha256 (from the spec, or the plan's once planned). */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    partitions: positiveInt.max(1_000_000).optional(),
    imagesPerPartition: positiveInt.max(10_000_000),
    threads: positiveInt.max(1024),
    batchSize: positiveInt.max(1024),
    fetchConcurrency: positiveInt.max(1024).default(16),
    maxPixels: positiveInt.default(DEFAULT_MAX_PIXELS),
    /** Bytes of full-resolution decodes a process holds at once (config/limits.ts). */
    decodeBudgetBytes: positiveInt.default(DEFAULT_DECODE_BUDGET_BYTES),
    /** Objects larger than this (by their listed size) are error lines, never fetched. */
    maxObjectBytes: positiveInt.default(DEFAULT_MAX_OBJECT_BYTES),
    /** What the process may hold (the pod's memory limit): a partition that cannot fit is refused. */
    memoryLimitBytes: positiveInt.optional(),
    /**
     * `spec.model.precision`. Executor pods compute in fp32 only for now: `int8` is refused
     * (FJ_PRECISION_UNSUPPORTED) by the plan and extract tasks, `auto` runs fp32 and says so.
     */
    precision: z.enum(Precisions).default('fp32'),
    /** PCA over the output once its manifest is merged; required by the pca-* tasks. */
    pca: PcaSettingsSchema.optional(),
  })
  .strict();

export type ExecutorConfigInput = z.input<typeof ExecutorConfigSchema>;
export type ExecutorConfig = Readonly<z.output<typeof ExecutorConfigSchema>>;
