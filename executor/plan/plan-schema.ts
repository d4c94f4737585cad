import { z } from 'zod';
import { OutputFormats } from '../config/run-config.js';
import { PLAN_ID_PATTERN } from './plan-id.js';

/** `_featurejob/plan.json`: written once, after every plan shard, so its presence means complete. */
export const PlanIndexSchema = z
  .object({
    version: z.literal(1),
    /** Absent in plans written before plan ids: their shards sit directly under plan/. */
    planId: z.string().regex(PLAN_ID_PATTERN).optional(),
    inputUri: z.string().min(1),
    outputUri: z.string().min(1),
    format: z.enum(OutputFormats),
    model: z.object({
      name: z.string(),
      layer: z.string(),
      dimensions: z.number().int().positive(),
      weights: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    listed: z.number().int().nonnegative(),
    images: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    partitions: z
      .array(z.object({ index: z.number().int().nonnegative(), images: z.number().int().nonnegative() }))
      .min(1),
    createdAt: z.iso.datetime(),
  })
  .strict();
export type PlanIndex = z.infer<typeof PlanIndexSchema>;

/** `_featurejob/plan/part-NNNNN.json`: the image keys of one partition, relative to the input root. */
export const PlanShardSchema = z
  .object({
    version: z.literal(1),
    planId: z.string().regex(PLAN_ID_PATTERN).optional(),
    index: z.number().int().nonnegative(),
    keys: z.array(z.string().min(1)),
  })
  .strict();
export type PlanShard = z.infer<typeof PlanShardSchema>;
