/**
 * The data plane's error registry. Every failure a user can see carries a stable `code`
 * (never match on message text), a CamelCase `reason` for conditions and whether retrying
 * can help (`transient`) or not (`terminal`).
 */
export const ErrorCatalog = {
  FJ_INVALID_ARGUMENT: { reason: 'InvalidArgument', kind: 'terminal' },
  FJ_INVALID_CONFIG: { reason: 'InvalidConfig', kind: 'terminal' },
  // per-image problems: each becomes one line of errors.jsonl, the job goes on
  FJ_IMAGE_EMPTY: { reason: 'ImageEmpty', kind: 'terminal' },
  FJ_IMAGE_UNRECOGNIZED: { reason: 'ImageUnrecognized', kind: 'terminal' },
  FJ_IMAGE_CORRUPT: { reason: 'ImageCorrupt', kind: 'terminal' },
  FJ_IMAGE_TOO_LARGE: { reason: 'ImageTooLarge', kind: 'terminal' },
  FJ_OBJECT_FORBIDDEN: { reason: 'ObjectForbidden', kind: 'terminal' },
  FJ_OBJECT_MISSING: { reason: 'ObjectMissing', kind: 'terminal' },
  FJ_OBJECT_READ_FAILED: { reason: 'ObjectReadFailed', kind: 'transient' },
  // storage as a whole
  FJ_STORAGE_UNREACHABLE: { reason: 'StorageUnreachable', kind: 'transient' },
  FJ_STORAGE_ACCESS_DENIED: { reason: 'StorageAccessDenied', kind: 'terminal' },
  FJ_STORAGE_NOT_FOUND: { reason: 'StorageNotFound', kind: 'terminal' },
  FJ_STORAGE_FAILED: { reason: 'StorageFailed', kind: 'transient' },
  FJ_CONDITIONAL_WRITE_UNSUPPORTED: { reason: 'ConditionalWriteUnsupported', kind: 'terminal' },
  // job level
  FJ_NO_INPUT_IMAGES: { reason: 'NoInputImages', kind: 'terminal' },
  FJ_PLAN_MISMATCH: { reason: 'PlanMismatch', kind: 'terminal' },
  FJ_PARTITION_FAILED: { reason: 'PartitionFailed', kind: 'transient' },
  FJ_WORKER_CRASHED: { reason: 'WorkerCrashed', kind: 'transient' },
  // output files read back (manifest.json, commit markers, shards, errors.jsonl)
  FJ_MANIFEST_INVALID: { reason: 'ManifestInvalid', kind: 'terminal' },
  FJ_OUTPUT_INVALID: { reason: 'OutputInvalid', kind: 'terminal' },
  // model
  FJ_MODEL_INVALID: { reason: 'ModelInvalid', kind: 'terminal' },
  FJ_MODEL_NOT_FOUND: { reason: 'ModelNotFound', kind: 'terminal' },
  FJ_INFERENCE_FAILED: { reason: 'InferenceFailed', kind: 'transient' },
  FJ_ENGINE_UNAVAILABLE: { reason: 'EngineUnavailable', kind: 'terminal' },
  // dimension reduction
  FJ_PCA_INVALID_COMPONENTS: { reason: 'PcaInvalidComponents', kind: 'terminal' },
  FJ_PCA_NO_SHARDS: { reason: 'PcaNoShards', kind: 'terminal' },
  FJ_PCA_MIXED_DIMENSIONS: { reason: 'PcaMixedDimensions', kind: 'terminal' },
  // weights files (.h5, downloads, caches)
  FJ_WEIGHTS_INVALID: { reason: 'WeightsInvalid', kind: 'terminal' },
  FJ_WEIGHTS_CHECKSUM_MISMATCH: { reason: 'WeightsChecksumMismatch', kind: 'terminal' },
  FJ_WEIGHTS_UNAVAILABLE: { reason: 'WeightsUnavailable', kind: 'transient' },
} as const;

export type ErrorCode = keyof typeof ErrorCatalog;
export type ErrorKind = 'transient' | 'terminal';

export class FeatureJobError extends Error {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly kind: ErrorKind;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeatureJobError';
    this.code = code;
    this.reason = ErrorCatalog[code].reason;
    this.kind = ErrorCatalog[code].kind;
  }

  get isTransient(): boolean {
    return this.kind === 'transient';
  }
}

export function isFeatureJobError(value: unknown): value is FeatureJobError {
  return value instanceof FeatureJobError;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ErrorCatalog, value);
}

/** Turns anything thrown into a FeatureJobError, keeping one that already is one. */
export function toFeatureJobError(value: unknown, fallback: ErrorCode): FeatureJobError {
  if (isFeatureJobError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new FeatureJobError(fallback, message, { cause: value });
}
