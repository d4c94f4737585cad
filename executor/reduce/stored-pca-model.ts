/**
 * pca/model.json as the PCA tasks see it, locally and on Kubernetes: the model, and the
 * sha256 of its bytes, which names the projections made with it (see projection-marker.ts),
 * so a projection made with an earlier model (another K, another whitening) is never taken
 * for one of this model.
 */
import { createHash } from 'node:crypto';
import type { PcaSettings } from '../config/executor-config.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import { decodePcaModel, type PcaModel } from './pca-model.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface StoredPcaModel {
  readonly model: PcaModel;
  /** Of model.json's bytes, lowercase hex. */
  readonly sha256: string;
}

export function computeModelSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The stored model, or undefined when there is none; throws FJ_OUTPUT_INVALID when it is not a model. */
export async function readStoredPcaModel(output: ObjectStore): Promise<StoredPcaModel | undefined> {
  const bytes = await output.getIfExists(PCA_MODEL_KEY);
  if (bytes === undefined) return undefined;
  return { model: decodePcaModel(bytes, output.uriOf(PCA_MODEL_KEY)), sha256: computeModelSha256(bytes) };
}

/** Whether `model` is the fit this job asks for over this manifest's rows. */
export function isModelFor(
  model: Pick<PcaModel, 'components' | 'whiten' | 'rows' | 'dimensions'>,
  manifest: Manifest,
  pca: PcaSettings,
): boolean {
  return (
    model.components === pca.components &&
    model.whiten === pca.whiten &&
    model.rows === manifest.images.succeeded &&
    model.dimensions === manifest.model.dimensions
  );
}
