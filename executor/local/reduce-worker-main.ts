/**
 * Entry point of a local PCA worker process (forked by the worker pool): computes the
 * statistics of groups of partitions (first pass) or projects partitions onto the fitted
 * model (second pass), one task at a time, from the committed shards in the output store.
 */
import { PCA_MODEL_KEY } from '../plan/partition-naming.js';
import { decodePcaModel } from '../reduce/pca-model.js';
import { ensureGroupStatistics } from '../reduce/partition-statistics.js';
import { projectPartition, type ReducedShard } from '../reduce/project-partition.js';
import { PcaProjector } from '../reduce/project-features.js';
import type { ObjectStore } from '../storage/object-store.js';
import { openStore } from '../storage/open-store.js';
import { parseLocation } from '../storage/location.js';
import { createLazyS3Client } from '../storage/open-stores.js';
import type { ReduceTaskResult, ReduceWorkerSettings } from './reduce-worker-messages.js';
import { serveWorker } from './serve-worker.js';

let output: ObjectStore | undefined;
let settings: ReduceWorkerSettings | undefined;
let projector: PcaProjector | undefined;

serveWorker<ReduceWorkerSettings, ReduceTaskResult>({
  async init(received) {
    settings = received;
    output = openStore(parseLocation(received.output), { s3Client: createLazyS3Client(received) });
    if (received.task === 'project') {
      projector = new PcaProjector(decodePcaModel(await output.get(PCA_MODEL_KEY), output.uriOf(PCA_MODEL_KEY)));
    }
  },
  async run(index) {
    if (output === undefined || settings === undefined) throw new Error('worker received a partition before init');
    if (settings.task === 'statistics') {
      const partitions = settings.groups[index];
      if (partitions === undefined) throw new Error(`no statistics group ${index}`);
      const summary = await ensureGroupStatistics({ output, partitions, dimensions: settings.dimensions, threads: settings.threads });
      return { task: 'statistics', summary };
    }
    if (projector === undefined) throw new Error('projection worker has no model');
    const shard: ReducedShard = await projectPartition({ output, index, projector });
    return { task: 'project', shard };
  },
  async close() {},
});
