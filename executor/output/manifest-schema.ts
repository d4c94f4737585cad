import { z } from 'zod';
import { OutputFormats, Precisions } from '../config/run-config.js';
import { FeatureJobError } from '../errors.js';
import { StableCodeSchema } from './error-record.js';

const count = z.number().int().nonnegative();
const uri = z.string().min(1).max(4096);

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 digest in lowercase hex');

/** Failed images per stable code; the counts add up to the failed images they describe. */
export const FailuresByCodeSchema = z.record(StableCodeSchema, count);

/** The precisions a shard can be made with (`auto` is a request, never a result). */
export const UsedPrecisions = ['fp32', 'int8'] as const;
export const UsedPrecisionSchema = z.enum(UsedPrecisions);

export const ManifestPartitionSchema = z.strictObject({
  index: count,
  /** The committed attempt's shard (S3 has no rename, so this is an attempt-specific key). */
  uri,
  rows: count,
  failed: count,
  sha256: Sha256HexSchema,
  bytes: count,
  /** What the shard was made with (from its commit marker); absent in manifests written before. */
  precision: UsedPrecisionSchema.optional(),
  /** With int8: the sha256 of the int8 model that made it. */
  int8Sha256: Sha256HexSchema.optional(),
});

/** A reduced shard, `pca/part-NNNNN.parquet`: the partition's rows projected onto K components. */
export const ManifestPcaPartitionSchema = z.strictObject({
  index: count,
  uri,
  rows: count,
  sha256: Sha256HexSchema,
  bytes: count,
});

/** The `pca` block: added when PCA has been fitted and every partition projected. */
export const ManifestPcaSchema = z.strictObject({
  components: z.number().int().positive(),
  whiten: z.boolean(),
  rows: count,
  dimensions: z.number().int().positive(),
  /** pca/model.json: mean, components, explained variance (see reduce/pca-model.ts). */
  modelUri: uri,
  /** Share of the total variance the K components explain together. */
  explainedVariance: z.number().min(0).max(1.000001),
  partitions: z.array(ManifestPcaPartitionSchema),
  fittedAt: z.iso.datetime(),
});

/** The fidelity gate's figures: fp32 vs int8 fc2 features on images not used for calibration. */
export const PrecisionGateSchema = z.strictObject({
  images: count,
  k: count,
  cosineMin: z.number().min(-1).max(1.000001),
  cosineMedian: z.number().min(-1).max(1.000001),
  knnAgreement: z.number().min(0).max(1),
  minCosineMedian: z.number(),
  minKnnAgreement: z.number(),
  passed: z.boolean(),
});

/**
 * The `precision` block (`run --precision int8|auto`): what was asked, what ran, and the
 * measurement that decided it, with the CPU and onnxruntime it was measured on. Absent for
 * fp32 runs, so manifests written before it still parse.
 */
export const ManifestPrecisionSchema = z.strictObject({
  requested: z.enum(Precisions),
  used: UsedPrecisionSchema,
  /** sha256 of the int8 model the workers ran; absent when fp32 ran. */
  int8Sha256: Sha256HexSchema.optional(),
  calibration: z.strictObject({ images: count, method: z.literal('minmax'), digest: Sha256HexSchema }).optional(),
  gate: PrecisionGateSchema.optional(),
  /** Why `auto` ran fp32. */
  fallback: z.string().min(1).max(2000).optional(),
  /** The int8-relevant flags of /proc/cpuinfo (avx2, avx512_vnni, amx_int8, ...). */
  cpuFlags: z.array(z.string().min(1).max(32)).max(64),
  onnxruntime: z.string().min(1).max(64),
});

/** What a version's listing holds against the version before it; `retried` failed images are planned again. */
export const VersionChangesSchema = z.strictObject({
  new: count,
  changed: count,
  removed: count,
  unchanged: count,
  retried: count,
  /** `--full`: every image planned again, every earlier file removed. */
  full: z.boolean(),
});
export type VersionChanges = z.infer<typeof VersionChangesSchema>;

/**
 * The `table` block (Parquet outputs): the Delta table at `features/` as of this manifest's
 * version (docs/versions.md). The manifest's other counts describe this version's run; these
 * describe the whole table.
 */
export const ManifestTableSchema = z.strictObject({
  version: count,
  /** The table root, `<out>/features`. */
  uri,
  /** Images with a row in the table, and images listed in `errorsUri`. */
  rows: count,
  failed: count,
  files: count,
  /** Every image of the input that failed and has not succeeded since: the table's errors. */
  errorsUri: uri,
  /** Shards of the image index (`_featurejob/.../images/`). */
  indexShards: z.number().int().positive(),
  /** What every row of the table was made with: a table never mixes precisions. */
  precision: z.enum(['fp32', 'int8']),
  int8Sha256: Sha256HexSchema.optional(),
  /** How this version's listing differed from the version before it (absent for version 0). */
  changes: VersionChangesSchema.optional(),
});
export type ManifestTable = z.infer<typeof ManifestTableSchema>;

/**
 * `manifest.json` (docs/architecture.md, "Output layout"): written once, after every partition committed, and read
 * by other tools, so it is strict (an unknown key is a writer bug or a newer version) and
 * checks that its counts agree: every listed image is exactly one row or one error.
 */
export const ManifestSchema = z
  .strictObject({
    version: z.literal(1),
    /**
     * The plan this manifest was merged from (`_featurejob/plan.json`'s, or version N's); absent in
     * manifests written before it and for plans without ids. The operator compares it with the
     * output's plan, so a manifest another job left never completes a FeatureJob.
     */
    planId: z.string().min(1).max(64).optional(),
    model: z.strictObject({
      name: z.string().min(1),
      layer: z.string().min(1),
      dimensions: z.number().int().positive(),
      weights: z.string().min(1),
      sha256: Sha256HexSchema,
    }),
    input: z.strictObject({ uri, listed: count, images: count, skipped: count }),
    output: z.strictObject({ uri, format: z.enum(OutputFormats) }),
    images: z.strictObject({ total: count, succeeded: count, failed: count }),
    failuresByCode: FailuresByCodeSchema,
    partitions: z.array(ManifestPartitionSchema),
    errorsUri: uri,
    createdAt: z.iso.datetime(),
    /** Added by the PCA step (`run --pca`, `reduce`); the rest is never changed after it is written. */
    pca: ManifestPcaSchema.optional(),
    /** Added by `run --precision int8|auto`. */
    precision: ManifestPrecisionSchema.optional(),
    /** Parquet outputs: the Delta table this manifest's version made. */
    table: ManifestTableSchema.optional(),
  })
  .superRefine((manifest, context) => {
    const expect = (holds: boolean, message: string, path: PropertyKey[]): void => {
      if (!holds) context.addIssue({ code: 'custom', message, path });
    };
    const { input, images, partitions } = manifest;
    // A later version plans only what changed: the listing's unchanged images are in the table already.
    const changes = manifest.table?.changes;
    const unplanned = changes === undefined || changes.full ? 0 : changes.unchanged;
    expect(
      input.listed === input.images + input.skipped + unplanned,
      'input.listed must equal input.images + input.skipped (+ table.changes.unchanged when not full)',
      ['input', 'listed'],
    );
    expect(images.total === input.images, 'images.total must equal input.images', ['images', 'total']);
    expect(images.total === images.succeeded + images.failed, 'images.total must equal succeeded + failed', [
      'images',
      'total',
    ]);
    expect(sum(partitions.map((p) => p.rows)) === images.succeeded, 'partition rows must add up to images.succeeded', [
      'partitions',
    ]);
    expect(sum(partitions.map((p) => p.failed)) === images.failed, 'partition failures must add up to images.failed', [
      'partitions',
    ]);
    expect(
      sum(Object.values(manifest.failuresByCode)) === images.failed,
      'failuresByCode must add up to images.failed',
      ['failuresByCode'],
    );
    expect(new Set(partitions.map((p) => p.index)).size === partitions.length, 'partition indexes must be unique', [
      'partitions',
    ]);
    // A table never mixes precisions; partitions that state theirs agree with each other and the block.
    const stated = new Set(
      partitions.filter((p) => p.precision !== undefined).map((p) => `${p.precision}:${p.int8Sha256 ?? ''}`),
    );
    expect(stated.size <= 1, 'partitions must all be made with one precision', ['partitions']);
    expect(
      partitions.every((p) => (p.precision === 'int8') === (p.int8Sha256 !== undefined)),
      'a partition states int8Sha256 exactly when its precision is int8',
      ['partitions'],
    );
    const [only] = stated;
    if (only !== undefined && manifest.precision !== undefined) {
      const block = `${manifest.precision.used}:${manifest.precision.int8Sha256 ?? ''}`;
      expect(only === block, 'partitions must be made with precision.used', ['precision']);
    }
    if (manifest.pca !== undefined) {
      const { pca } = manifest;
      expect(pca.rows === images.succeeded, 'pca.rows must equal images.succeeded', ['pca', 'rows']);
      expect(sum(pca.partitions.map((p) => p.rows)) === pca.rows, 'pca partition rows must add up to pca.rows', [
        'pca',
        'partitions',
      ]);
      expect(pca.dimensions === manifest.model.dimensions, 'pca.dimensions must equal model.dimensions', [
        'pca',
        'dimensions',
      ]);
    }
  });

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestPartition = z.infer<typeof ManifestPartitionSchema>;
export type ManifestPca = z.infer<typeof ManifestPcaSchema>;
export type ManifestPrecision = z.infer<typeof ManifestPrecisionSchema>;

/** Validates a parsed manifest.json; throws FJ_MANIFEST_INVALID listing every mismatch. */
export function parseManifest(json: unknown): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new FeatureJobError(
      'FJ_MANIFEST_INVALID',
      `manifest.json does not match version 1: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** Parses the text of manifest.json; throws FJ_MANIFEST_INVALID when it is not JSON. */
export function parseManifestText(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FeatureJobError('FJ_MANIFEST_INVALID', 'manifest.json is not JSON', { cause: error });
  }
  return parseManifest(json);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
