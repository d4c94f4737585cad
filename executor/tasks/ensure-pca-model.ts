/**
 * The `pca-fit` task, one process: finds every statistics group's file from the manifest alone
 * (reduce/statistics-keys.ts), deletes the stale ones, sums them one at a time, fits K
 * components exactly and writes pca/model.json. A model already fitted for the same K,
 * whitening and rows is kept as it is when the statistics are those it was fitted from, so a
 * rerun changes no byte and the projections made with it (their markers name the model's
 * sha256) stay valid.
 */
import type { PcaSettings } from '../config/executor-config.js';
import { FeatureJobError, isFeatureJobError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import { fitPca } from '../reduce/fit-pca.js';
import { mergeStatistics } from '../reduce/merge-statistics.js';
import { encodePcaModel } from '../reduce/pca-model.js';
import { deleteStaleProjectionMarkers } from '../reduce/projection-marker.js';
import { computeKeyedStatisticsGroups, deleteStaleStatistics } from '../reduce/statistics-keys.js';
import { computeModelSha256, isModelFor, readStoredPcaModel, type StoredPcaModel } from '../reduce/stored-pca-model.js';
import type { ObjectStore } from '../storage/object-store.js';
import { ensureStatisticsOfGroup } from './ensure-pca-statistics.js';

export interface PcaFitResult {
  readonly mode: 'pca-fit';
  readonly components: number;
  readonly whiten: boolean;
  readonly rows: number;
  readonly modelSha256: string;
  /** False when a model for the same settings and rows was already stored. */
  readonly created: boolean;
  readonly statisticsFiles: number;
}

export async function ensurePcaModel(options: {
  readonly output: ObjectStore;
  readonly manifest: Manifest;
  readonly pca: PcaSettings;
  /** For statistics files that are missing (computed here, one group after another). */
  readonly threads: number;
  readonly logger: Logger;
}): Promise<PcaFitResult> {
  const { output, manifest, pca, logger } = options;
  const groups = computeKeyedStatisticsGroups(manifest);
  const result = (stored: StoredPcaModel, created: boolean): PcaFitResult => ({
    mode: 'pca-fit',
    components: stored.model.components,
    whiten: stored.model.whiten,
    rows: stored.model.rows,
    modelSha256: stored.sha256,
    created,
    statisticsFiles: groups.length,
  });
  const keys = groups.map((group) => group.key);
  const { missing, deleted } = await deleteStaleStatistics(output, keys);
  // Stale or missing files mean the statistics changed since the stored model was fitted (another
  // grouping, FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS, a lost file): fit again from the current ones.
  const existing = await readModelIfValid(output);
  if (existing !== undefined && deleted === 0 && missing.length === 0 && isModelFor(existing.model, manifest, pca))
    return result(existing, false);

  // The statistics tasks normally wrote them all; one lost since is computed here rather than failing the fit.
  for (const group of groups.filter((candidate) => missing.includes(candidate.key))) {
    logger.warn(
      { partitions: group.partitions.join(','), key: group.key },
      'PCA statistics missing, computing them in the fit',
    );
    await ensureStatisticsOfGroup({ output, manifest, group, threads: options.threads });
  }
  const statistics = await mergeStatistics(output, keys);
  if (statistics.rows !== manifest.images.succeeded) {
    throw new FeatureJobError(
      'FJ_OUTPUT_INVALID',
      `the statistics files of ${output.uri} hold ${statistics.rows} rows, its manifest ${manifest.images.succeeded}`,
    );
  }
  const model = fitPca(statistics, pca);
  const bytes = encodePcaModel(model);
  await output.put(PCA_MODEL_KEY, bytes);
  const sha256 = computeModelSha256(bytes);
  await deleteStaleProjectionMarkers(output, sha256);
  logger.info({ components: model.components, whiten: model.whiten, rows: model.rows }, 'PCA model written');
  return result({ model, sha256 }, true);
}

/** A model.json that does not parse (a torn or foreign file) is refitted, not trusted. */
async function readModelIfValid(output: ObjectStore): Promise<StoredPcaModel | undefined> {
  try {
    return await readStoredPcaModel(output);
  } catch (error) {
    if (isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID') return undefined;
    throw error;
  }
}
