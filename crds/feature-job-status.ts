/**
 * The FeatureJob status: a bounded summary (docs/architecture.md, "The FeatureJob API"). Per-image and per-partition
 * detail lives in storage; failed partitions are compressed ranges ("1,3-5,7") with a hard
 * length cap, so the object stays far below etcd's 1.5 MiB whatever the job's size.
 */
import { z } from 'zod';

export const PHASES = [
  'Pending',
  'Planning',
  'Running',
  'Merging',
  'Reducing',
  'Complete',
  'Failed',
  'Suspended',
] as const;
export type Phase = (typeof PHASES)[number];

export const CONDITION_TYPES = ['Accepted', 'Progressing', 'Complete', 'Failed', 'Suspended'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Longest failedPartitions string kept in status (the rest is summarised as "…(+N more)"). */
export const MAX_FAILED_PARTITIONS_LENGTH = 4096;

/**
 * Longest condition message (metav1.Condition allows 32768): 16 conditions at that size would
 * be half a MiB of status; the operator shortens longer messages (full text in the Event).
 */
export const MAX_CONDITION_MESSAGE_LENGTH = 1024;

/** Longest log tail kept in status.failedPod: what an executor's 4 KiB termination message can carry. */
export const MAX_FAILED_POD_LOG_TAIL_LENGTH = 4096;

const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const time = z.string().max(64).describe('RFC 3339 time');

/** metav1.Condition. */
export const ConditionSchema = z
  .object({
    type: z.string().min(1).max(316),
    status: z.enum(['True', 'False', 'Unknown']),
    observedGeneration: count.optional(),
    lastTransitionTime: time,
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
    message: z.string().max(MAX_CONDITION_MESSAGE_LENGTH),
  })
  .strict();
export type Condition = z.infer<typeof ConditionSchema>;

export const FeatureJobStatusSchema = z
  .object({
    observedGeneration: count.optional(),
    phase: z.enum(PHASES).optional(),
    conditions: z
      .array(ConditionSchema)
      .max(16)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
    images: z.object({ total: count, succeeded: count, failed: count }).strict().optional(),
    partitions: z.object({ total: count, succeeded: count, failed: count, active: count }).strict().optional(),
    /** Printer-column text: "done/total". */
    progress: z
      .object({ images: z.string().max(64), partitions: z.string().max(64) })
      .strict()
      .optional(),
    failedPartitions: z
      .string()
      .max(MAX_FAILED_PARTITIONS_LENGTH + 32)
      .optional(),
    retries: z
      .record(z.string().max(64), count)
      .meta({ maxProperties: 16 })
      .optional()
      .describe('retried executor attempts by cause'),
    throughput: z.string().max(64).optional(),
    model: z.string().max(256).optional(),
    executorJob: z.string().max(253).optional(),
    startTime: time.optional(),
    completionTime: time.optional(),
    manifestUri: z.string().max(2048).optional(),
    failedPod: z
      .object({
        name: z.string().min(1).max(253),
        logUri: z.string().max(2048).optional().describe('where the failed executor left its log tail'),
        logTail: z
          .string()
          .max(MAX_FAILED_POD_LOG_TAIL_LENGTH)
          .optional()
          .describe('the last log lines its termination message carried'),
      })
      .strict()
      .optional()
      .describe('the most recent failed executor pod'),
  })
  .strict();
export type FeatureJobStatus = z.infer<typeof FeatureJobStatusSchema>;
