/**
 * Entry point of a local worker process (forked by the worker pool). It loads the model
 * once, opens its own stores (so one S3 client per process), then runs the partitions it is
 * sent, one at a time, reporting progress and outcomes to the parent.
 */
import { toFeatureJobError } from '../errors.js';
import { loadModelRunner } from '../model/load-model-runner.js';
import type { ModelRunner } from '../model/model-runner.js';
import { runPartition } from '../pipeline/run-partition.js';
import type { ObjectStore } from '../storage/object-store.js';
import { openStores } from './open-stores.js';
import type { FromWorker, SerializedError, ToWorker, WorkerSettings } from './worker-messages.js';

const PROGRESS_INTERVAL_MS = 500;

interface WorkerState {
  readonly settings: WorkerSettings;
  readonly model: ModelRunner;
  readonly input: ObjectStore;
  readonly output: ObjectStore;
}

let state: WorkerState | undefined;
let queue: Promise<void> = Promise.resolve();

function send(message: FromWorker): void {
  // After the parent has gone there is nobody to tell; the 'disconnect' handler exits.
  if (process.connected) process.send?.(message);
}

function serialize(error: unknown): SerializedError {
  const failure = toFeatureJobError(error, 'FJ_PARTITION_FAILED');
  return { code: failure.code, message: failure.message, transient: failure.isTransient };
}

function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function init(settings: WorkerSettings): Promise<void> {
  const started = performance.now();
  const { input, output } = openStores(settings);
  const model = await loadModelRunner({ modelPath: settings.modelPath, info: settings.modelInfo, threads: settings.threads });
  state = { settings, model, input, output };
  send({ type: 'ready', loadMs: performance.now() - started, rssBytes: process.memoryUsage().rss });
}

async function runOne(index: number, attempt: string): Promise<void> {
  if (state === undefined) throw new Error('worker received a partition before init');
  const { settings } = state;
  let lastSent = 0;
  const result = await runPartition({
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
    onProgress: ({ done, failed }) => {
      const now = performance.now();
      if (now - lastSent < PROGRESS_INTERVAL_MS && lastSent !== 0) return;
      lastSent = now;
      send({ type: 'progress', index, done, failed });
    },
  });
  send({ type: 'done', index, result, peakRssBytes: peakRssBytes() });
}

process.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      if (message.type === 'init') await init(message.settings);
      else if (message.type === 'partition') await runOne(message.index, message.attempt);
      else {
        await state?.model.close();
        if (process.connected) process.disconnect();
      }
    } catch (error) {
      const index = message.type === 'partition' ? message.index : undefined;
      send({ type: 'failed', index, error: serialize(error) });
      // A worker that cannot load its model or stores is useless: exit so the pool notices.
      if (message.type === 'init') setTimeout(() => process.exit(1), 50);
    }
  });
});

// A worker never outlives its parent: when the IPC channel closes, stop.
process.on('disconnect', () => process.exit(0));
