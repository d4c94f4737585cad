/**
 * Entry point of a local extraction worker process (forked by the worker pool). It loads the
 * model once, opens its own stores (so one S3 client per process), then runs the partitions
 * it is sent, one at a time, reporting progress and outcomes to the parent.
 */
import { loadModelRunner } from '../model/load-model-runner.js';
import type { ModelRunner } from '../model/model-runner.js';
import { runPartition, type PartitionOutcome } from '../pipeline/run-partition.js';
import type { ObjectStore } from '../storage/object-store.js';
import { openStores } from '../storage/open-stores.js';
import { serveWorker } from './serve-worker.js';
import type { WorkerSettings } from './worker-messages.js';

const PROGRESS_INTERVAL_MS = 500;

interface WorkerState {
  readonly settings: WorkerSettings;
  readonly model: ModelRunner;
  readonly input: ObjectStore;
  readonly output: ObjectStore;
}

let state: WorkerState | undefined;

serveWorker<WorkerSettings, PartitionOutcome>({
  async init(settings) {
    const { input, output } = openStores(settings);
    const model = await loadModelRunner({ modelPath: settings.modelPath, info: settings.modelInfo, threads: settings.threads });
    state = { settings, model, input, output };
  },
  async run(index, attempt, progress) {
    if (state === undefined) throw new Error('worker received a partition before init');
    const { settings } = state;
    let lastSent = 0;
    return runPartition({
      index,
      attempt,
      input: state.input,
      output: state.output,
      model: state.model,
      format: settings.format,
      batchSize: settings.batchSize,
      fetchConcurrency: settings.fetchConcurrency,
      decodeConcurrency: Math.max(2, settings.threads),
      maxPixels: settings.maxPixels,
      ...(settings.pcaStatistics ? { statisticsThreads: settings.threads } : {}),
      onProgress: ({ done, failed }) => {
        const now = performance.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS && lastSent !== 0) return;
        lastSent = now;
        progress(done, failed);
      },
    });
  },
  async close() {
    await state?.model.close();
  },
});
