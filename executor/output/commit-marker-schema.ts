import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import { FailuresByCodeSchema, Sha256HexSchema, UsedPrecisionSchema } from './manifest-schema.js';

const count = z.number().int().nonnegative();
const key = z.string().min(1).max(1024);

/**
 * A partition's commit marker: created once with a create-only write by the attempt that
 * won, it names that attempt's files and what they hold. Its presence is the only proof a
 * partition is done, so a marker that does not parse is never taken as committed.
 */
export const CommitMarkerSchema = z
  .strictObject({
    version: z.literal(1),
    partition: count,
    /** The attempt's id, part of its shard and errors keys. */
    attempt: z.string().min(1).max(128),
    /** The plan whose partition this is (absent for plans written before plan ids). */
    planId: z.string().min(1).max(64).optional(),
    shardKey: key,
    errorsKey: key,
    rows: count,
    failed: count,
    failuresByCode: FailuresByCodeSchema,
    /** Of the shard's bytes, as stored. */
    sha256: Sha256HexSchema,
    bytes: count,
    committedAt: z.iso.datetime(),
    /** What the shard was made with; absent in markers written before precisions were recorded: fp32. */
    precision: UsedPrecisionSchema.optional(),
    /** With int8: the sha256 of the int8 model that made the shard. */
    int8Sha256: Sha256HexSchema.optional(),
  })
  .refine((marker) => Object.values(marker.failuresByCode).reduce((total, n) => total + n, 0) === marker.failed, {
    message: 'failuresByCode must add up to failed',
    path: ['failuresByCode'],
  })
  .refine((marker) => (marker.precision === 'int8') === (marker.int8Sha256 !== undefined), {
    message: 'int8Sha256 is set exactly when precision is int8',
    path: ['int8Sha256'],
  });

export type CommitMarker = z.infer<typeof CommitMarkerSchema>;

/** Validates a parsed commit marker; throws FJ_OUTPUT_INVALID listing every mismatch. */
export function parseCommitMarker(json: unknown): CommitMarker {
  const parsed = CommitMarkerSchema.safeParse(json);
  if (!parsed.success) {
    throw new FeatureJobError(
      'FJ_OUTPUT_INVALID',
      `commit marker does not match version 1: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
