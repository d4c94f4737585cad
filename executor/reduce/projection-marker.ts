/**
 * A partition's projection marker, `_featurejob/pca/done/<model>/part-NNNNN.json`: created
 * once (create-only write) by the pca-project task that projected the partition, it holds the
 * reduced shard's summary (rows, sha256, bytes) that finishReduce copies into the manifest.
 * The folder is named by the model's sha256, so the markers of an earlier model are simply not
 * looked at, and one listing of the folder tells how far the projection is.
 */
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import { ManifestPcaPartitionSchema, Sha256HexSchema } from '../output/manifest-schema.js';
import { CONTROL_PREFIX, partitionName } from '../plan/partition-naming.js';
import type { ReducedShard } from './project-partition.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';

export const PROJECTION_MARKERS_PREFIX = `${CONTROL_PREFIX}/pca/done/`;

export const ProjectionMarkerSchema = z.strictObject({
  version: z.literal(1),
  /** sha256 of the pca/model.json the partition was projected with. */
  modelSha256: Sha256HexSchema,
  shard: ManifestPcaPartitionSchema,
  projectedAt: z.iso.datetime(),
});

export type ProjectionMarker = z.infer<typeof ProjectionMarkerSchema>;

/** The folder of one model's markers: 16 hex digits of its sha256 are plenty to tell models apart. */
export function projectionMarkersPrefix(modelSha256: string): string {
  return `${PROJECTION_MARKERS_PREFIX}${modelSha256.slice(0, 16)}/`;
}

export function projectionMarkerKey(modelSha256: string, partition: number): string {
  return `${projectionMarkersPrefix(modelSha256)}${partitionName(partition)}.json`;
}

export function readProjectionMarker(
  output: ObjectStore,
  modelSha256: string,
  partition: number,
): Promise<ProjectionMarker | undefined> {
  return readJsonIfExists(output, projectionMarkerKey(modelSha256, partition), ProjectionMarkerSchema, {
    code: 'FJ_OUTPUT_INVALID',
  });
}

/** Creates the marker unless one exists; returns the marker that is stored and whether this call created it. */
export async function ensureProjectionMarker(options: {
  readonly output: ObjectStore;
  readonly modelSha256: string;
  readonly shard: ReducedShard;
  readonly now?: () => Date;
}): Promise<{ readonly created: boolean; readonly marker: ProjectionMarker }> {
  const { output, modelSha256, shard } = options;
  const marker: ProjectionMarker = {
    version: 1,
    modelSha256,
    shard: { index: shard.index, uri: shard.uri, rows: shard.rows, sha256: shard.sha256, bytes: shard.bytes },
    projectedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  if (await output.putIfAbsent(projectionMarkerKey(modelSha256, shard.index), encodeJson(marker)))
    return { created: true, marker };
  const stored = await readProjectionMarker(output, modelSha256, shard.index);
  if (stored === undefined) {
    throw new FeatureJobError(
      'FJ_STORAGE_FAILED',
      `${output.uriOf(projectionMarkerKey(modelSha256, shard.index))} was reported as existing but cannot be read`,
    );
  }
  return { created: false, marker: stored };
}

/** Deletes the markers of every model but `modelSha256` (after a refit): they are never read again. */
export async function deleteStaleProjectionMarkers(output: ObjectStore, modelSha256: string): Promise<void> {
  const current = projectionMarkersPrefix(modelSha256);
  for await (const object of output.list(PROJECTION_MARKERS_PREFIX)) {
    if (!object.key.startsWith(current)) await output.delete(object.key);
  }
}
