/**
 * Entry point of a local worker process (forked by the worker pool): the local counterpart of
 * an executor pod. It prepares once what every task of its mode needs (its own stores and S3
 * client; the model runner for extraction; the manifest, and the model for projection), then
 * runs the task functions of executor/tasks/ for the indexes it is sent, one at a time. A
 * failed attempt leaves the tail of its log in the output, as a pod's does (docs/reliability.md).
 */
import { loadModelRunner } from '../model/load-model-runner.js';
import type { ModelRunner } from '../model/model-runner.js';
import { LogTail } from '../log/log-tail.js';
import { createLogger, type Logger } from '../log/logger.js';
import { writeLogTail } from '../log/write-log-tail.js';
import { partitionLogKey, taskLogKey } from '../plan/partition-naming.js';
import { openStore } from '../storage/open-store.js';
import type { ObjectStore } from '../storage/object-store.js';
import { createLazyS3Client } from '../storage/open-stores.js';
import { extractPartition } from '../tasks/extract-partition.js';
import {
  isIndexedReduceMode,
  prepareReduceTask,
  runReduceTask,
  type PreparedReduceTask,
} from '../tasks/run-reduce-task.js';
import { serveWorker } from './serve-worker.js';
import type { TaskWorkerResult, TaskWorkerSettings } from './task-worker-settings.js';

const PROGRESS_INTERVAL_MS = 500;

type WorkerState =
  | {
      readonly mode: 'extract';
      readonly settings: Extract<TaskWorkerSettings, { mode: 'extract' }>;
      readonly input: ObjectStore;
      readonly output: ObjectStore;
      readonly model: ModelRunner;
    }
  | {
      readonly mode: 'reduce';
      readonly settings: Exclude<TaskWorkerSettings, { mode: 'extract' }>;
      readonly output: ObjectStore;
      readonly prepared: PreparedReduceTask;
      readonly logger: Logger;
    };

let state: WorkerState | undefined;
/** This worker's log lines since its current task began (log-tail.ts). */
const tail = new LogTail();
const logger = createLogger({ name: 'featurejob-worker', tail });

serveWorker<TaskWorkerSettings, TaskWorkerResult>({
  async init(settings) {
    const s3Client = createLazyS3Client(settings.stores);
    const output = openStore(settings.stores.output, { s3Client });
    if (settings.mode === 'extract') {
      const input = openStore(settings.stores.input, { s3Client });
      const model = await loadModelRunner({
        modelPath: settings.model.path,
        info: settings.model.info,
        threads: settings.config.threads,
        logger,
      });
      state = { mode: 'extract', settings, input, output, model };
      return;
    }
    const prepared = await prepareReduceTask({ mode: settings.mode, config: settings.config, output });
    state = { mode: 'reduce', settings, output, prepared, logger };
  },
  async run(index, attempt, progress) {
    if (state === undefined) throw new Error('worker received a task before init');
    tail.clear();
    if (state.mode === 'reduce') {
      const { settings, output, prepared, logger } = state;
      return runReduceTask({ mode: settings.mode, config: settings.config, output, index, prepared, logger });
    }
    let lastSent = 0;
    return extractPartition({
      stores: { input: state.input, output: state.output },
      config: state.settings.config,
      model: state.model,
      precision: state.settings.model.precision,
      index,
      ...(state.settings.version === undefined ? {} : { version: state.settings.version }),
      attempt,
      onProgress: ({ done, failed }) => {
        const now = performance.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS && lastSent !== 0) return;
        lastSent = now;
        progress(done, failed);
      },
    });
  },
  async failed(index, attempt, error) {
    if (state === undefined) return undefined;
    const { settings } = state;
    // Into the tail only: the driver prints the failure itself (its retry warning or its error).
    const fields = { task: settings.mode, index, attempt, code: error.code, error: error.message };
    tail.write(
      `${JSON.stringify({ level: 50, time: Date.now(), pid: process.pid, ...fields, msg: 'attempt failed' })}\n`,
    );
    const key =
      settings.mode === 'extract'
        ? partitionLogKey(index, attempt, settings.version)
        : taskLogKey(settings.mode, attempt, isIndexedReduceMode(settings.mode) ? index : undefined);
    return writeLogTail({ output: state.output, key, tail, logger });
  },
  async close() {
    if (state?.mode === 'extract') await state.model.close();
  },
});
