import { z } from 'zod';
import { DEFAULT_IMAGES_PER_PARTITION, OutputFormats } from './run-config.js';

const positiveInt = z.coerce.number().int().positive();

/** `featurejob plan`: the settings of `run` that decide what it would process. */
export const PlanCommandConfigSchema = z.strictObject({
  input: z.string().min(1),
  output: z.string().min(1),
  partitions: positiveInt.max(1_000_000).optional(),
  imagesPerPartition: positiveInt.max(10_000_000).default(DEFAULT_IMAGES_PER_PARTITION),
  format: z.enum(OutputFormats).default('parquet'),
  full: z.boolean().default(false),
  json: z.boolean().default(false),
  s3Endpoint: z.url({ protocol: /^https?$/ }).optional(),
  region: z.string().min(1).max(64).optional(),
});
export type PlanCommandConfig = z.output<typeof PlanCommandConfigSchema>;
