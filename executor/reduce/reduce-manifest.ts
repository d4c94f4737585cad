/**
 * manifest.json as PCA reads and extends it, shared by the local runner (`run --pca`,
 * `reduce`) and the Kubernetes tasks (finish-reduce.ts), so both paths check
 * the request and write the `pca` block the same way.
 */
import { isDeepStrictEqual } from 'node:util';
import { FeatureJobError } from '../errors.js';
import { ManifestSchema, parseManifest, type Manifest, type ManifestPca } from '../output/manifest-schema.js';
import { MANIFEST_KEY, PCA_MODEL_KEY } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';
import { assertComponentsFit } from './fit-pca.js';
import type { PcaModel } from './pca-model.js';
import type { ReducedShard } from './project-partition.js';

/** Reads manifest.json; a missing one means extraction has not finished. */
export async function readManifestForReduce(output: ObjectStore): Promise<Manifest> {
  const manifest = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
  if (manifest === undefined) {
    throw new FeatureJobError(
      'FJ_PCA_NO_SHARDS',
      `${output.uriOf(MANIFEST_KEY)} does not exist: run 'featurejob run <input> --out ${output.uri}' first`,
    );
  }
  return manifest;
}

/** Throws before any work when the output cannot give K components. */
export function assertReducible(manifest: Manifest, components: number): void {
  if (manifest.images.succeeded === 0 || manifest.partitions.length === 0) {
    throw new FeatureJobError('FJ_PCA_NO_SHARDS', `${manifest.output.uri} has no committed feature rows to fit PCA on`);
  }
  assertComponentsFit(components, manifest.images.succeeded, manifest.model.dimensions);
}

/** The manifest with its `pca` block: the fitted model and every partition's reduced shard, in partition order. */
export function buildManifestWithPca(options: {
  readonly manifest: Manifest;
  readonly model: PcaModel;
  readonly modelUri: string;
  readonly shards: readonly ReducedShard[];
  readonly fittedAt: string;
}): Manifest {
  const { manifest, model } = options;
  return parseManifest({
    ...manifest,
    pca: {
      components: model.components,
      whiten: model.whiten,
      rows: model.rows,
      dimensions: model.dimensions,
      modelUri: options.modelUri,
      explainedVariance: Math.min(
        1,
        model.explainedVarianceRatio.reduce((a, b) => a + b, 0),
      ),
      partitions: options.shards.map(({ index, uri, rows, sha256, bytes }) => ({ index, uri, rows, sha256, bytes })),
      fittedAt: options.fittedAt,
    },
  });
}

/**
 * Adds (or replaces) the `pca` block of manifest.json, the last step of PCA. Idempotent: when
 * the manifest already says exactly this (its time aside), nothing is written and the stored
 * manifest is returned, so repeating the step changes no byte.
 */
export async function ensureManifestPca(options: {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  readonly model: PcaModel;
  readonly shards: readonly ReducedShard[];
  readonly now?: () => Date;
}): Promise<Manifest> {
  const { output, manifest } = options;
  const updated = buildManifestWithPca({
    manifest,
    model: options.model,
    modelUri: output.uriOf(PCA_MODEL_KEY),
    shards: options.shards,
    fittedAt: (options.now?.() ?? new Date()).toISOString(),
  });
  if (manifest.pca !== undefined && isSamePca(manifest.pca, updated.pca!)) return manifest;
  await output.put(MANIFEST_KEY, encodeJson(updated));
  return updated;
}

function isSamePca(stored: ManifestPca, computed: ManifestPca): boolean {
  return isDeepStrictEqual({ ...stored, fittedAt: '' }, { ...computed, fittedAt: '' });
}
