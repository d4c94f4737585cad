/**
 * The last step of PCA on Kubernetes, run by the operator itself (no pod: a few small reads and
 * one write): once every partition has its projection marker for the current pca/model.json,
 * adds the `pca` block to manifest.json exactly as the local runner does (the same code,
 * reduce-manifest.ts). Idempotent: a manifest that already says so is left as it is.
 */
import { FeatureJobError } from '../errors.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import type { ReducedShard } from './project-partition.js';
import { ensureManifestPca, readManifestForReduce } from './reduce-manifest.js';
import type { ObjectStore } from '../storage/object-store.js';
import { mapOrdered } from '../util/map-ordered.js';
import { readProjectionMarker } from './projection-marker.js';
import { isModelFor, readStoredPcaModel } from './stored-pca-model.js';

const READ_CONCURRENCY = 16;

export interface FinishReduceOptions {
  readonly output: ObjectStore;
  readonly components: number;
  readonly whiten: boolean;
  readonly now?: () => Date;
}

/**
 * Throws FJ_PARTITION_FAILED (transient: look again later) while the model for these settings
 * or a partition's projection is missing.
 */
export async function finishReduce(options: FinishReduceOptions): Promise<Manifest> {
  const { output } = options;
  const manifest = await readManifestForReduce(output);
  const stored = await readStoredPcaModel(output);
  if (
    stored === undefined ||
    !isModelFor(stored.model, manifest, { components: options.components, whiten: options.whiten })
  ) {
    throw new FeatureJobError(
      'FJ_PARTITION_FAILED',
      `${output.uriOf(PCA_MODEL_KEY)} is not yet a fit of K = ${options.components}, whiten ${options.whiten}`,
    );
  }
  const shards: ReducedShard[] = [];
  const markers = mapOrdered(manifest.partitions, READ_CONCURRENCY, (partition) =>
    readProjectionMarker(output, stored.sha256, partition.index),
  );
  for await (const marker of markers) {
    const partition = manifest.partitions[shards.length]!;
    if (marker === undefined || marker.shard.index !== partition.index) {
      throw new FeatureJobError(
        'FJ_PARTITION_FAILED',
        `partition ${partition.index} of ${output.uri} has not been projected with ${output.uriOf(PCA_MODEL_KEY)}`,
      );
    }
    shards.push(marker.shard);
  }
  return ensureManifestPca({
    output,
    manifest,
    model: stored.model,
    shards,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
