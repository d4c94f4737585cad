/**
 * How far PCA has got over a merged output, for the operator's reconcile: cheap enough to ask
 * on every resync (one read of pca/model.json, checked only for the fields it needs, and one
 * listing of the current model's projection markers). Together with the Jobs it observes, it
 * tells the operator what to ensure next: the statistics and fit Jobs until a model for the
 * spec's K and whitening exists, the project Job until every partition is projected, then
 * finishReduce, until `finished`.
 */
import { z } from 'zod';
import type { PcaSettings } from '../config/executor-config.js';
import type { Manifest } from '../output/manifest-schema.js';
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import { groupPartitionsForStatistics } from './statistics-groups.js';
import type { ObjectStore } from '../storage/object-store.js';
import { projectionMarkerKey, projectionMarkersPrefix } from './projection-marker.js';
import { computeModelSha256, isModelFor } from './stored-pca-model.js';

export interface ReduceTaskCounts {
  /** Completions of the `<name>-pca-statistics` Indexed Job. */
  readonly statisticsGroups: number;
  /** Completions of the `<name>-pca-project` Indexed Job. */
  readonly partitions: number;
}

export interface ReduceObservation extends ReduceTaskCounts {
  readonly modelWritten: boolean;
  /** What pca/model.json was fitted with; absent when there is no readable model. */
  readonly model?: {
    readonly components: number;
    readonly whiten: boolean;
    readonly rows: number;
    readonly sha256: string;
  };
  /** Partitions with a projection marker for the stored model. */
  readonly projected: number;
  /** The manifest's `pca` block describes the stored model and every partition. */
  readonly finished: boolean;
}

/** How many tasks each Indexed PCA Job runs: derived from the manifest alone, like the tasks' own indexes. */
export function computeReduceTaskCounts(manifest: Manifest): ReduceTaskCounts {
  return {
    statisticsGroups: groupPartitionsForStatistics(manifest.partitions, manifest.model.dimensions).length,
    partitions: manifest.partitions.length,
  };
}

/** Whether the manifest already holds PCA with these settings (nothing left to do). */
export function isReduceComplete(manifest: Manifest, pca: PcaSettings): boolean {
  return (
    manifest.pca !== undefined &&
    manifest.pca.components === pca.components &&
    manifest.pca.whiten === pca.whiten &&
    manifest.pca.partitions.length === manifest.partitions.length
  );
}

/** Whether the stored model is the fit these settings ask for (the fit Job is done). */
export function isModelFitted(observation: ReduceObservation, manifest: Manifest, pca: PcaSettings): boolean {
  return (
    observation.model !== undefined &&
    isModelFor({ ...observation.model, dimensions: manifest.model.dimensions }, manifest, pca)
  );
}

/** Whether every partition is projected with that model (finishReduce may run). */
export function isProjectionComplete(observation: ReduceObservation): boolean {
  return observation.model !== undefined && observation.projected === observation.partitions;
}

// Only the fields progress needs: a full validation of K × d numbers belongs to the tasks.
const ModelHeaderSchema = z.looseObject({
  version: z.literal(1),
  components: z.number().int().positive(),
  whiten: z.boolean(),
  rows: z.number().int().nonnegative(),
});

export async function observeReduce(output: ObjectStore, manifest: Manifest): Promise<ReduceObservation> {
  const counts = computeReduceTaskCounts(manifest);
  const bytes = await output.getIfExists(PCA_MODEL_KEY);
  const header = bytes === undefined ? undefined : parseModelHeader(bytes);
  if (bytes === undefined || header === undefined)
    return { ...counts, modelWritten: false, projected: 0, finished: false };
  const sha256 = computeModelSha256(bytes);
  const expected = new Set(manifest.partitions.map((partition) => projectionMarkerKey(sha256, partition.index)));
  let projected = 0;
  for await (const object of output.list(projectionMarkersPrefix(sha256))) {
    if (expected.has(object.key)) projected += 1;
  }
  const model = { components: header.components, whiten: header.whiten, rows: header.rows, sha256 };
  const finished = manifest.pca !== undefined && manifest.pca.rows === model.rows && isReduceComplete(manifest, model);
  return { ...counts, modelWritten: true, model, projected, finished };
}

function parseModelHeader(bytes: Uint8Array): z.output<typeof ModelHeaderSchema> | undefined {
  try {
    const parsed = ModelHeaderSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
