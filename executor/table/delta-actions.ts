/**
 * The Delta Lake log actions featurejob writes and reads (docs/versions.md, "The Delta log"),
 * after the protocol's "Actions" section: one JSON object per line of a commit file
 * `_delta_log/<20-digit version>.json`. Reader version 1 and writer version 2 is all the
 * table needs: no deletion vectors, no column mapping, no partition columns.
 */
import { z } from 'zod';

export const DELTA_MIN_READER_VERSION = 1;
export const DELTA_MIN_WRITER_VERSION = 2;

/** Written into every commitInfo we write: how a later run knows a commit is ours. */
export const ENGINE_INFO_PREFIX = 'featurejob/';

const millis = z.number().int().nonnegative();

function isUriEncoded(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** A data file's path in the log: decoded by every reader, so one that does not decode is refused at parse. */
const tablePath = z
  .string()
  .min(1)
  .refine(isUriEncoded, { error: (issue) => `${String(issue.input)} is not URI-encoded` });

export const AddActionSchema = z.object({
  /** Relative to the table root (`features/`), URI-encoded as the protocol asks. */
  path: tablePath,
  partitionValues: z.record(z.string(), z.string().nullable()),
  size: millis,
  modificationTime: millis,
  dataChange: z.boolean(),
  /** JSON text: numRecords, minValues, maxValues, nullCount. */
  stats: z.string().optional(),
});
export type AddAction = z.infer<typeof AddActionSchema>;

export const RemoveActionSchema = z.object({
  path: tablePath,
  deletionTimestamp: millis.optional(),
  dataChange: z.boolean(),
  extendedFileMetadata: z.boolean().optional(),
  partitionValues: z.record(z.string(), z.string().nullable()).optional(),
  size: millis.optional(),
});
export type RemoveAction = z.infer<typeof RemoveActionSchema>;

export const ProtocolActionSchema = z.object({
  minReaderVersion: z.number().int().positive(),
  minWriterVersion: z.number().int().positive(),
});

export const MetaDataActionSchema = z.object({
  id: z.string().min(1),
  format: z.object({ provider: z.string(), options: z.record(z.string(), z.string()) }),
  schemaString: z.string().min(1),
  partitionColumns: z.array(z.string()),
  configuration: z.record(z.string(), z.string()),
  createdTime: millis.optional(),
});
export type MetaDataAction = z.infer<typeof MetaDataActionSchema>;

/** What featurejob adds to commitInfo (free-form in the protocol): the plan whose run committed. */
export const FeatureJobCommitInfoSchema = z.object({
  planId: z.string().min(1).max(64),
  /** sha256 of the model whose features the committed files hold. */
  model: z.string().regex(/^[0-9a-f]{64}$/),
});

export const CommitInfoActionSchema = z.looseObject({
  timestamp: millis,
  operation: z.string(),
  engineInfo: z.string().optional(),
  featurejob: FeatureJobCommitInfoSchema.optional(),
});

/** One line of a commit file: exactly one action. Actions we never write are kept apart as `other`. */
export type DeltaAction =
  | { readonly kind: 'add'; readonly add: AddAction }
  | { readonly kind: 'remove'; readonly remove: RemoveAction }
  | { readonly kind: 'protocol'; readonly protocol: z.infer<typeof ProtocolActionSchema> }
  | { readonly kind: 'metaData'; readonly metaData: MetaDataAction }
  | { readonly kind: 'commitInfo'; readonly commitInfo: z.infer<typeof CommitInfoActionSchema> }
  | { readonly kind: 'other'; readonly name: string };
