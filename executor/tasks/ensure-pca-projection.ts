/**
 * The `pca-project` task, one index per manifest partition (its position in
 * manifest.partitions): projects the partition's shard with pca/model.json into
 * pca/part-NNNNN.parquet, then creates its projection marker (create-only). The reduced shard
 * is a deterministic function of the committed shard and the model (float64 arithmetic in a
 * fixed order, Parquet written without timestamps), so two attempts write the same bytes to
 * the same key and overwriting it is harmless; the marker is what says the partition is done,
 * and a partition with a marker for this model is not projected again.
 */
import type { PcaSettings } from '../config/executor-config.js';
import { FeatureJobError } from '../errors.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import { projectPartition } from '../reduce/project-partition.js';
import { PcaProjector } from '../reduce/project-features.js';
import { ensureProjectionMarker, readProjectionMarker, type ProjectionMarker } from '../reduce/projection-marker.js';
import { isModelFor, readStoredPcaModel, type StoredPcaModel } from '../reduce/stored-pca-model.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface PcaProjectResult {
  readonly mode: 'pca-project';
  /** The task index: the partition's position in the manifest. */
  readonly index: number;
  readonly partition: number;
  readonly outcome: 'projected' | 'already-projected';
  readonly rows: number;
  readonly sha256: string;
}

/** The model to project with; throws FJ_INVALID_CONFIG unless it is the fit these settings ask for. */
export async function readProjectionModel(
  output: ObjectStore,
  manifest: Manifest,
  pca: PcaSettings,
): Promise<StoredPcaModel> {
  const stored = await readStoredPcaModel(output);
  if (stored === undefined || !isModelFor(stored.model, manifest, pca)) {
    const found =
      stored === undefined
        ? 'none'
        : `K = ${stored.model.components}, whiten ${stored.model.whiten}, ${stored.model.rows} rows`;
    throw new FeatureJobError(
      'FJ_INVALID_CONFIG',
      `${output.uriOf(PCA_MODEL_KEY)} is not a fit of K = ${pca.components}, whiten ${pca.whiten} ` +
        `over ${manifest.images.succeeded} rows (found ${found}): pca-fit must run first`,
    );
  }
  return stored;
}

export async function ensurePcaProjection(options: {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  readonly pca: PcaSettings;
  readonly index: number;
  /** The model, read once by a process that projects many partitions; read here otherwise. */
  readonly model?: StoredPcaModel;
  readonly now?: () => Date;
}): Promise<PcaProjectResult> {
  const { output, manifest, pca, index } = options;
  const partition = manifest.partitions[index];
  if (partition === undefined) {
    throw new FeatureJobError(
      'FJ_INVALID_CONFIG',
      `partition ${index} does not exist (the manifest lists ${manifest.partitions.length})`,
    );
  }
  const stored = options.model ?? (await readProjectionModel(output, manifest, pca));
  const result = (outcome: PcaProjectResult['outcome'], marker: ProjectionMarker): PcaProjectResult => ({
    mode: 'pca-project',
    index,
    partition: partition.index,
    outcome,
    rows: marker.shard.rows,
    sha256: marker.shard.sha256,
  });
  const done = await readProjectionMarker(output, stored.sha256, partition.index);
  if (done !== undefined) return result('already-projected', done);

  const shard = await projectPartition({ output, index: partition.index, projector: new PcaProjector(stored.model) });
  const { created, marker } = await ensureProjectionMarker({
    output,
    modelSha256: stored.sha256,
    shard,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  // Another attempt marked it first: with the same model its shard has the same bytes as ours.
  if (!created && marker.shard.sha256 !== shard.sha256) {
    throw new FeatureJobError(
      'FJ_OUTPUT_INVALID',
      `two projections of partition ${partition.index} with the same model differ (sha256 ${marker.shard.sha256} and ${shard.sha256})`,
    );
  }
  return result(created ? 'projected' : 'already-projected', marker);
}
