import { z } from 'zod';
import { OutputFormats } from '../config/run-config.js';
import { VersionChangesSchema } from '../output/manifest-schema.js';
import { PLAN_ID_PATTERN } from './plan-id.js';

export { VersionChangesSchema, type VersionChanges } from '../output/manifest-schema.js';

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
    /** The table version this plan brings the output to (absent: 0, the first run). */
    tableVersion: z.number().int().nonnegative().optional(),
    /** Version N >= 1: how the listing differs from version N - 1 (docs/versions.md, "Diff rules"). */
    changes: VersionChangesSchema.optional(),
    listed: z.number().int().nonnegative(),
    images: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    /** Version 0 plans at least one partition; a later version may only remove images (none). */
    partitions: z.array(z.object({ index: z.number().int().nonnegative(), images: z.number().int().nonnegative() })),
    createdAt: z.iso.datetime(),
  })
  .strict()
  .refine((plan) => (plan.tableVersion ?? 0) > 0 || plan.partitions.length > 0, {
    message: 'the plan of version 0 holds at least one partition',
    path: ['partitions'],
  });
export type PlanIndex = z.infer<typeof PlanIndexSchema>;

/** `_featurejob/plan/part-NNNNN.json`: the image keys of one partition, relative to the input root. */
export const PlanShardSchema = z
  .object({
    version: z.literal(1),
    planId: z.string().regex(PLAN_ID_PATTERN).optional(),
    index: z.number().int().nonnegative(),
    keys: z.array(z.string().min(1)),
    /** Per key, as listed: the size and content tag (storage/object-store.ts) that growth compares. */
    sizes: z.array(z.number().int().nonnegative()).optional(),
    tags: z.array(z.string().max(1024)).optional(),
  })
  .strict()
  .refine((shard) => shard.sizes === undefined || shard.sizes.length === shard.keys.length, {
    message: 'sizes must have one entry per key',
    path: ['sizes'],
  })
  .refine((shard) => shard.tags === undefined || shard.tags.length === shard.keys.length, {
    message: 'tags must have one entry per key',
    path: ['tags'],
  });
export type PlanShard = z.infer<typeof PlanShardSchema>;

/** One planned image: its key and, for plans that recorded them, its listed size and content tag. */
export interface PlannedImage {
  readonly key: string;
  readonly size?: number;
  readonly tag?: string;
}
