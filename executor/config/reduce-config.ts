import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { computeWorkerLayout } from './run-config.js';

const positiveInt = z.coerce.number().int().positive();

/** Everything `featurejob reduce` needs, validated once and frozen. */
export const ReduceConfigSchema = z
  .object({
    output: z.string().min(1),
    pca: positiveInt.max(1_000_000),
    whiten: z.boolean().default(false),
    workers: positiveInt.max(256).optional(),
    threads: positiveInt.max(1024).optional(),
    maxAttempts: positiveInt.max(100).default(3),
    s3Endpoint: z.url({ protocol: /^https?$/ }).optional(),
    region: z.string().min(1).max(64).optional(),
    cores: positiveInt.max(1024).default(availableParallelism()),
  })
  .strict();

export type ReduceConfig = Readonly<z.output<typeof ReduceConfigSchema>> & {
  readonly workers: number;
  readonly threads: number;
};

export function parseReduceConfig(input: z.input<typeof ReduceConfigSchema>): ReduceConfig {
  const parsed = ReduceConfigSchema.parse(input);
  return Object.freeze({ ...parsed, ...computeWorkerLayout(parsed) });
}
