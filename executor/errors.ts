/**
 * The data plane's error registry. Every failure a user can see carries a stable `code`
 * (never match on message text), a CamelCase `reason` for conditions, whether retrying can
 * help (`transient`) or not (`terminal`), and a `meaning`: what happened and what to do, in
 * one sentence. docs/errors.md is generated from this catalog and the operator's reasons
 * (`npm run docs:errors`); a unit test fails when the two drift apart.
 */

/** Whether retrying can help (`transient`) or cannot (`terminal`). */
export type ErrorKind = 'transient' | 'terminal';

/**
 * One entry of an error registry, the same shape on both sides (this catalog, and the
 * operator's reasons in operator/errors.ts, whose kinds add `info`).
 */
export interface ErrorSpec<Kind extends string = ErrorKind> {
  readonly reason: string;
  readonly kind: Kind;
  readonly meaning: string;
}

export const ErrorCatalog = {
  FJ_INVALID_ARGUMENT: {
    reason: 'InvalidArgument',
    kind: 'terminal',
    meaning:
      'A command-line option or argument is missing or malformed; fix it as `--help` describes (`featurejob` exits 2).',
  },
  FJ_INVALID_CONFIG: {
    reason: 'InvalidConfig',
    kind: 'terminal',
    meaning:
      'A configuration the job reads (the executor settings, a JSON file it depends on) is missing ' +
      'or does not match its schema; fix or remove the file named in the message.',
  },
  // per-image problems: each becomes one line of errors.jsonl, the job goes on
  FJ_IMAGE_EMPTY: {
    reason: 'ImageEmpty',
    kind: 'terminal',
    meaning:
      'The image file has zero bytes; it gets a line in errors.jsonl and the job goes on. Replace the file if you need its features.',
  },
  FJ_IMAGE_UNRECOGNIZED: {
    reason: 'ImageUnrecognized',
    kind: 'terminal',
    meaning:
      'The file is not in an image format the decoder reads (random bytes, a text file named ' +
      '.png); it gets a line in errors.jsonl and the job goes on.',
  },
  FJ_IMAGE_CORRUPT: {
    reason: 'ImageCorrupt',
    kind: 'terminal',
    meaning:
      'The image header was readable but its pixels are not (a truncated JPEG, for example); it ' +
      'gets a line in errors.jsonl and the job goes on.',
  },
  FJ_IMAGE_TOO_LARGE: {
    reason: 'ImageTooLarge',
    kind: 'terminal',
    meaning:
      'The image header declares more pixels than `--max-pixels` allows (a decompression bomb guard), so it was ' +
      'never decoded; raise the limit if the image is genuine.',
  },
  FJ_OBJECT_FORBIDDEN: {
    reason: 'ObjectForbidden',
    kind: 'terminal',
    meaning:
      'The store refused to read this one object (403, permission denied); as an input image it ' +
      'gets a line in errors.jsonl and the job goes on. Grant read access if you need its features.',
  },
  FJ_OBJECT_MISSING: {
    reason: 'ObjectMissing',
    kind: 'terminal',
    meaning:
      'The object disappeared between listing and reading (or a file the job needs does not ' +
      'exist); as an input image it gets a line in errors.jsonl.',
  },
  FJ_OBJECT_READ_FAILED: {
    reason: 'ObjectReadFailed',
    kind: 'transient',
    meaning:
      'Reading an object failed after its retries for a reason that may pass (a reset connection, ' +
      'a throttled request); the partition attempt fails and is retried.',
  },
  // storage as a whole
  FJ_STORAGE_UNREACHABLE: {
    reason: 'StorageUnreachable',
    kind: 'transient',
    meaning:
      'The storage endpoint could not be reached (connection refused, DNS, timeout); check `--s3-endpoint` and ' +
      'the network. Retried where the job retries partitions.',
  },
  FJ_STORAGE_ACCESS_DENIED: {
    reason: 'StorageAccessDenied',
    kind: 'terminal',
    meaning:
      'The store rejected the credentials or the operation (no credentials, 403 on a list or ' +
      'write, a read-only file system); grant the identity access to the bucket or directory.',
  },
  FJ_STORAGE_NOT_FOUND: {
    reason: 'StorageNotFound',
    kind: 'terminal',
    meaning: 'The bucket or directory does not exist; create it or fix the URI.',
  },
  FJ_STORAGE_FAILED: {
    reason: 'StorageFailed',
    kind: 'transient',
    meaning:
      'The store answered with an error that is none of the above (a 5xx, an object reported as ' +
      'existing that cannot be read); retried where the job retries partitions.',
  },
  FJ_CONDITIONAL_WRITE_UNSUPPORTED: {
    reason: 'ConditionalWriteUnsupported',
    kind: 'terminal',
    meaning:
      'The output file system cannot create a file exclusively (no hard links), which commits rely ' +
      'on; write the output to a local disk or to S3.',
  },
  // job level
  FJ_NO_INPUT_IMAGES: {
    reason: 'NoInputImages',
    kind: 'terminal',
    meaning:
      'No image was found under the input (the message counts what was listed and skipped); check the input URI and the file extensions.',
  },
  FJ_TABLE_MISMATCH: {
    reason: 'TableMismatch',
    kind: 'terminal',
    meaning:
      'The output already holds a feature table made with another model, feature width or format (the message ' +
      'names both); a table never mixes features, so use the original settings or a new output.',
  },
  FJ_TABLE_INVALID: {
    reason: 'TableInvalid',
    kind: 'terminal',
    meaning:
      "A file of the table's run state (a version manifest or the image index) is missing or does not parse; " +
      'the message names it. Nothing was written.',
  },
  FJ_TABLE_LOG_INVALID: {
    reason: 'TableLogInvalid',
    kind: 'terminal',
    meaning:
      "A commit of the table's Delta log (features/_delta_log/) is missing or cannot be parsed; the message names " +
      'the file. Nothing was written.',
  },
  FJ_TABLE_FOREIGN_COMMIT: {
    reason: 'TableForeignCommit',
    kind: 'terminal',
    meaning:
      "The table's Delta log holds a file featurejob did not write (another engine's commit or checkpoint); the " +
      'message names it. featurejob refuses to build on it and writes nothing.',
  },
  FJ_TABLE_VERSION_CONFLICT: {
    reason: 'TableVersionConflict',
    kind: 'terminal',
    meaning:
      'Another run committed this table version with another plan first; run again to build the next version ' +
      'on top of it.',
  },
  FJ_OUTPUT_NOT_VERSIONED: {
    reason: 'OutputNotVersioned',
    kind: 'terminal',
    meaning:
      'The output is complete but holds no Delta table (CSV format, or written before versions), so a run cannot ' +
      'add a version to it; use a new output (Parquet) to process new images.',
  },
  FJ_PCA_ON_LATER_VERSION: {
    reason: 'PcaOnLaterVersion',
    kind: 'terminal',
    meaning:
      'PCA runs on the first version of a table only (PCA over later versions is not built yet); run with --pca ' +
      'into a new output, or without --pca to add the version.',
  },
  FJ_OBJECT_TOO_LARGE: {
    reason: 'ObjectTooLarge',
    kind: 'terminal',
    meaning:
      'The object is larger than --max-object-bytes by the size the listing gave, so it was never fetched (a fetch ' +
      'holds the whole object in memory); raise the limit to process it.',
  },
  FJ_PLAN_MISMATCH: {
    reason: 'PlanMismatch',
    kind: 'terminal',
    meaning:
      'The output already holds a job planned with other settings (input, format, partitions, model); ' +
      'rerun with the original settings to resume, or use a new output. The operator checks the plan against a ' +
      'FeatureJob before it creates any Job and fails it with nothing created or written.',
  },
  FJ_MEMORY_INSUFFICIENT: {
    reason: 'MemoryInsufficient',
    kind: 'terminal',
    meaning:
      'A partition needs more memory than its executor has (the message estimates it term by ' +
      'term, docs/reliability.md): refused before any image is read. Plan smaller partitions in a ' +
      'fresh output, lower the batch size, or raise the memory limit.',
  },
  FJ_PARTITION_FAILED: {
    reason: 'PartitionFailed',
    kind: 'transient',
    meaning:
      'A partition failed and used up its attempts, or has not committed when the manifest is ' +
      'merged; the message carries the last error, and a rerun redoes only what did not commit.',
  },
  FJ_ATTEMPT_INTERRUPTED: {
    reason: 'AttemptInterrupted',
    kind: 'transient',
    meaning:
      'The executor received SIGTERM (its pod was deleted, drained or preempted) and stopped ' +
      'before committing; the attempt wrote nothing and the partition runs again.',
  },
  FJ_WORKER_CRASHED: {
    reason: 'WorkerCrashed',
    kind: 'transient',
    meaning:
      'A local worker process died (out of memory, a signal); its partition is retried. Lower `--workers` or ' +
      '`--batch-size` if it keeps happening.',
  },
  FJ_EXECUTOR_CRASHED: {
    reason: 'ExecutorCrashed',
    kind: 'transient',
    meaning:
      'An executor pod stopped on an unexpected error (exit 1); the stack trace is in its ' +
      'termination message and the attempt is retried. Please report it.',
  },
  // output files read back (manifest.json, commit markers, shards, errors.jsonl)
  FJ_MANIFEST_INVALID: {
    reason: 'ManifestInvalid',
    kind: 'terminal',
    meaning:
      'manifest.json in the output is not JSON or not version 1 of its schema; it was not written ' +
      'by this version of featurejob, so use a new output.',
  },
  FJ_OUTPUT_INVALID: {
    reason: 'OutputInvalid',
    kind: 'terminal',
    meaning:
      'A file featurejob wrote and reads back (a commit marker, a shard, errors.jsonl) does not ' +
      'match its format; something else changed the output, so use a new output.',
  },
  // model
  FJ_MODEL_INVALID: {
    reason: 'ModelInvalid',
    kind: 'terminal',
    meaning:
      'The model file cannot be loaded or does not produce VGG16 fc2 features (`[N, 4096]`); pass a VGG16 .h5, ' +
      '.onnx or TensorFlow.js model.',
  },
  FJ_PRECISION_UNSUPPORTED: {
    reason: 'PrecisionUnsupported',
    kind: 'terminal',
    meaning:
      '`--precision int8` or `auto` was asked for a model the quantizer cannot rewrite (only the ' +
      'VGG16-fc2 graph featurejob builds from `random`, `imagenet` or `.h5` weights), or ' +
      '`spec.model.precision: int8` reached executor pods, which do not run int8 yet; the job stops ' +
      'before reading any image. Run it with fp32 (or `auto` in a FeatureJob).',
  },
  FJ_PRECISION_FIDELITY: {
    reason: 'PrecisionFidelity',
    kind: 'terminal',
    meaning:
      "`--precision int8`: on this job's own images the int8 features did not match the fp32 ones closely enough " +
      '(median cosine or kNN@10 agreement below the thresholds the message names), so nothing was extracted. Use ' +
      '`--precision auto` to fall back to fp32, or fp32.',
  },
  FJ_PRECISION_MISMATCH: {
    reason: 'PrecisionMismatch',
    kind: 'terminal',
    meaning:
      'Partitions of this output were already committed with another precision (fp32, or int8 with ' +
      'another int8 model) than this run chose, and a table never mixes precisions; nothing was ' +
      'extracted. Rerun with the precision the message names, or use a new output.',
  },
  FJ_MODEL_NOT_FOUND: {
    reason: 'ModelNotFound',
    kind: 'terminal',
    meaning:
      'The model or weights file named by `--weights` does not exist; fix the path or pass `auto`, `imagenet` or `random`.',
  },
  FJ_INFERENCE_FAILED: {
    reason: 'InferenceFailed',
    kind: 'transient',
    meaning:
      'The inference engine failed on a batch (often memory); the partition attempt is retried. Lower ' +
      '`--batch-size` or raise the memory limit if it keeps happening.',
  },
  FJ_ENGINE_UNAVAILABLE: {
    reason: 'EngineUnavailable',
    kind: 'terminal',
    meaning:
      'Neither the native nor the WebAssembly TensorFlow.js backend could start; install @tensorflow/tfjs-node or use an .onnx model.',
  },
  // dimension reduction
  FJ_PCA_INVALID_COMPONENTS: {
    reason: 'PcaInvalidComponents',
    kind: 'terminal',
    meaning:
      'The number of PCA components is not a whole number from 1 to the rows and dimensions ' +
      'available, or a component cannot be whitened; ask for fewer components.',
  },
  FJ_PCA_NO_SHARDS: {
    reason: 'PcaNoShards',
    kind: 'terminal',
    meaning:
      'There is nothing to reduce yet: no manifest, no feature rows, or a partition that has not committed; finish the extraction first.',
  },
  FJ_PCA_MIXED_DIMENSIONS: {
    reason: 'PcaMixedDimensions',
    kind: 'terminal',
    meaning:
      "The feature shards have different widths from each other or from the manifest's model; reduce an output written by one model only.",
  },
  // weights files (.h5, downloads, caches)
  FJ_WEIGHTS_INVALID: {
    reason: 'WeightsInvalid',
    kind: 'terminal',
    meaning: 'The Keras .h5 file is not VGG16 weights (a missing or misshaped layer); pass the VGG16 weights file.',
  },
  FJ_WEIGHTS_CHECKSUM_MISMATCH: {
    reason: 'WeightsChecksumMismatch',
    kind: 'terminal',
    meaning:
      'The weights do not have the sha256 expected (a corrupt download, or not the weights the ' +
      'plan fixed); delete the cached copy, or rerun with the weights the job was planned with.',
  },
  FJ_WEIGHTS_UNAVAILABLE: {
    reason: 'WeightsUnavailable',
    kind: 'transient',
    meaning:
      'The ImageNet weights are neither cached nor downloadable (`--weights auto` falls back to random weights ' +
      'instead); the message names the URL and the offline alternatives.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ErrorCatalog;

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
