/**
 * What storage says about a FeatureJob: the plan, the commit markers and the manifest. The
 * truth stays in storage; only immutable facts are remembered between reconciles (a plan,
 * once written, and commit markers, once created, never change), so a 20,000-partition job
 * costs a listing per look, not 20,000 reads.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { readCommitMarker } from '../../executor/commit/commit-partition.js';
import { mergeManifest } from '../../executor/commit/merge-manifest.js';
import { finishReduce } from '../../executor/reduce/finish-reduce.js';
import { observeReduce, type ReduceObservation } from '../../executor/reduce/observe-reduce.js';
import type { PcaSettings } from '../../executor/config/executor-config.js';
import { ManifestSchema, type Manifest } from '../../executor/output/manifest-schema.js';
import type { CommitMarker } from '../../executor/output/commit-marker-schema.js';
import { CONTROL_PREFIX, MANIFEST_KEY, PLAN_INDEX_KEY } from '../../executor/plan/partition-naming.js';
import { PlanIndexSchema, type PlanIndex } from '../../executor/plan/plan-schema.js';
import { parseLocation } from '../../executor/storage/location.js';
import type { ObjectStore } from '../../executor/storage/object-store.js';
import { openStore } from '../../executor/storage/open-store.js';
import { readJsonIfExists } from '../../executor/storage/read-json.js';
import { createS3Client } from '../../executor/storage/s3-client.js';
import { mapOrdered } from '../../executor/util/map-ordered.js';

export interface OutputLocation {
  readonly uri: string;
  /** What remembered facts are filed under (the FeatureJob's uid: a new job re-reads). */
  readonly cacheKey: string;
  readonly endpoint?: string;
  readonly region?: string;
}

export interface OutputObservation {
  readonly plan: PlanIndex | undefined;
  readonly manifest: Manifest | undefined;
  /** Committed partitions and what they hold. */
  readonly committed: { readonly partitions: number; readonly succeeded: number; readonly failed: number };
  readonly committedIndexes: ReadonlySet<number>;
}

const COMMITS_PREFIX = `${CONTROL_PREFIX}/commits/`;
const MARKER_NAME = /part-(\d+)\.json$/;

export class OutputObserver {
  private readonly clients = new Map<string, S3Client>();
  private readonly plans = new Map<string, PlanIndex>();
  private readonly markers = new Map<string, Map<number, CommitMarker>>();

  /** One S3 client per endpoint and region (one per process in the usual single-store case). */
  open(location: OutputLocation): ObjectStore {
    const clientKey = `${location.endpoint ?? ''}|${location.region ?? ''}`;
    return openStore(parseLocation(location.uri), {
      s3Client: () => {
        let client = this.clients.get(clientKey);
        if (client === undefined) {
          client = createS3Client({
            ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
            ...(location.region === undefined ? {} : { region: location.region }),
          });
          this.clients.set(clientKey, client);
        }
        return client;
      },
    });
  }

  async observe(location: OutputLocation): Promise<OutputObservation> {
    const store = this.open(location);
    const manifest = await readJsonIfExists(store, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
    let plan = this.plans.get(location.cacheKey);
    if (plan === undefined) {
      plan = await readJsonIfExists(store, PLAN_INDEX_KEY, PlanIndexSchema, { code: 'FJ_PLAN_MISMATCH' });
      if (plan !== undefined) this.plans.set(location.cacheKey, plan);
    }
    const known = this.markers.get(location.cacheKey) ?? new Map<number, CommitMarker>();
    this.markers.set(location.cacheKey, known);
    const unseen: number[] = [];
    for await (const object of store.list(COMMITS_PREFIX)) {
      const match = MARKER_NAME.exec(object.key);
      if (match === null) continue;
      const index = Number(match[1]);
      if (!known.has(index)) unseen.push(index);
    }
    for await (const marker of mapOrdered(unseen, 16, (index) => readCommitMarker(store, index))) {
      if (marker !== undefined) known.set(marker.partition, marker);
    }
    let succeeded = 0;
    let failed = 0;
    for (const marker of known.values()) {
      succeeded += marker.rows;
      failed += marker.failed;
    }
    return {
      plan,
      manifest,
      committed: { partitions: known.size, succeeded, failed },
      committedIndexes: new Set(known.keys()),
    };
  }

  /** Writes manifest.json once (create-only; a second call returns the first's). */
  async merge(location: OutputLocation, plan: PlanIndex): Promise<Manifest> {
    return (await mergeManifest({ output: this.open(location), plan })).manifest;
  }

  /** PCA progress of a merged output: the model file and the projection markers. */
  async observeReduce(location: OutputLocation, manifest: Manifest): Promise<ReduceObservation> {
    return observeReduce(this.open(location), manifest);
  }

  /** Adds the `pca` block to manifest.json once the model and every projection exist. */
  async finishReduce(location: OutputLocation, pca: PcaSettings): Promise<Manifest> {
    return finishReduce({ output: this.open(location), components: pca.components, whiten: pca.whiten });
  }

  /** Drops what is remembered of an output (its FeatureJob is gone). */
  forget(location: Pick<OutputLocation, 'cacheKey'>): void {
    this.plans.delete(location.cacheKey);
    this.markers.delete(location.cacheKey);
  }
}
