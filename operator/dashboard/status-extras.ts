/**
 * Status fields the dashboard shows when a FeatureJob's status has them, and omits otherwise.
 * The operator does not write any of them yet (crds/feature-job-status.ts has none); they are
 * read here under these names so that a status that gains them is shown without a dashboard
 * change, and a value of another shape is ignored, never guessed at (docs/dashboard.md).
 */
import { z } from 'zod';

export const StatusExtrasSchema = z.object({
  /** The version of the output table (e.g. an Iceberg snapshot or Delta version). */
  tableVersion: z.union([z.string().min(1).max(128), z.int().min(0)]).optional(),
  /** What the job cost, as its producer wrote it ("$1.23"). */
  cost: z.union([z.string().min(1).max(128), z.number().min(0)]).optional(),
  /** The PCA fit's explained variance ratio per component (the scree plot). */
  pca: z.object({ explainedVarianceRatio: z.array(z.number().min(0).max(1)).min(1).max(512) }).optional(),
});
export type StatusExtras = z.infer<typeof StatusExtrasSchema>;

/** Each extra field that is present and well formed; a malformed one is left out alone. */
export function readStatusExtras(status: unknown): StatusExtras {
  if (typeof status !== 'object' || status === null) return {};
  const extras: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(StatusExtrasSchema.shape)) {
    const parsed = schema.safeParse((status as Record<string, unknown>)[key]);
    if (parsed.success && parsed.data !== undefined) extras[key] = parsed.data;
  }
  return extras as StatusExtras;
}
