import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FeatureJobError, isErrorCode } from '../errors.js';
import { createAttemptId } from '../commit/attempt-id.js';
import type { FromWorker, SerializedError, ToWorker } from './worker-messages.js';

export interface WorkerPoolOptions<Settings, Result> {
  readonly workers: number;
  readonly settings: Settings;
  /** Task indexes still to run (partitions, statistics groups...). */
  readonly partitions: readonly number[];
  readonly maxAttempts: number;
  readonly onProgress?: (event: { index: number; done: number; failed: number }) => void;
  readonly onOutcome?: (index: number, outcome: Result) => void;
  readonly onRetry?: (event: { index: number; attempt: number; error: SerializedError }) => void;
  readonly workerPath?: string;
}

export interface WorkerPoolResult<Result> {
  readonly outcomes: ReadonlyMap<number, Result>;
  /** Peak resident set size of each worker process that finished a partition. */
  readonly peakRssBytes: number[];
  /** Start-up time (model load) of each worker. */
  readonly loadMs: number[];
}

interface Slot {
  readonly child: ChildProcess;
  index: number | undefined;
  stopping: boolean;
}

/**
 * A send to a worker that is exiting fails with EPIPE; its 'exit' handler deals with the
 * partition it held, so the failed write itself needs no action (and must not crash us).
 */
function ignoreGoneWorker(): void {}

/** "; log: <uri>" when the failed attempt left its log tail in the output. */
function describeLog(error: SerializedError): string {
  return error.logUri === undefined ? '' : `; log: ${error.logUri}`;
}

const defaultWorkerPath = fileURLToPath(new URL('./task-worker-main.js', import.meta.url));

/**
 * Runs partitions in worker processes. A partition whose attempt fails transiently, or whose
 * worker dies (a crash, the OOM killer), is retried up to `maxAttempts`; a terminal error
 * stops the job. Retrying is safe because commits are exactly-once.
 */
export function runWorkerPool<Settings, Result>(
  options: WorkerPoolOptions<Settings, Result>,
): Promise<WorkerPoolResult<Result>> {
  const queue = [...options.partitions];
  const attempts = new Map<number, number>();
  const outcomes = new Map<number, Result>();
  const peakRss = new Map<ChildProcess, number>();
  const loadMs: number[] = [];
  const slots = new Set<Slot>();
  const total = options.partitions.length;

  return new Promise((resolve, reject) => {
    let finished = false;

    const finish = (error?: FeatureJobError): void => {
      if (finished) return;
      finished = true;
      for (const slot of slots) stop(slot);
      if (error !== undefined) reject(error);
      else resolve({ outcomes, peakRssBytes: [...peakRss.values()], loadMs });
    };

    const stop = (slot: Slot): void => {
      slot.stopping = true;
      if (slot.child.connected) slot.child.send({ type: 'shutdown' } satisfies ToWorker<Settings>, ignoreGoneWorker);
      setTimeout(() => slot.child.kill('SIGKILL'), 5_000).unref();
    };

    const assign = (slot: Slot): void => {
      if (finished) return;
      const index = queue.shift();
      if (index === undefined) {
        stop(slot);
        if (outcomes.size === total) finish();
        return;
      }
      attempts.set(index, (attempts.get(index) ?? 0) + 1);
      slot.index = index;
      slot.child.send(
        { type: 'partition', index, attempt: createAttemptId() } satisfies ToWorker<Settings>,
        ignoreGoneWorker,
      );
    };

    const failed = (index: number, error: SerializedError): void => {
      const attempt = attempts.get(index) ?? 1;
      if (!error.transient) {
        finish(
          new FeatureJobError(
            isErrorCode(error.code) ? error.code : 'FJ_PARTITION_FAILED',
            `partition ${index}: ${error.message}${describeLog(error)}`,
          ),
        );
        return;
      }
      if (attempt >= options.maxAttempts) {
        finish(
          new FeatureJobError(
            'FJ_PARTITION_FAILED',
            `partition ${index} failed ${attempt} times; last error ${error.code}: ${error.message}${describeLog(error)}`,
          ),
        );
        return;
      }
      options.onRetry?.({ index, attempt, error });
      queue.unshift(index);
    };

    const spawn = (): void => {
      const child = fork(options.workerPath ?? defaultWorkerPath, [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      const slot: Slot = { child, index: undefined, stopping: false };
      slots.add(slot);
      child.on('message', (message: FromWorker<Result>) => {
        if (message.type === 'ready') {
          loadMs.push(message.loadMs);
          assign(slot);
        } else if (message.type === 'progress') {
          options.onProgress?.(message);
        } else if (message.type === 'done') {
          peakRss.set(child, message.peakRssBytes);
          outcomes.set(message.index, message.result);
          options.onOutcome?.(message.index, message.result);
          slot.index = undefined;
          assign(slot);
        } else if (message.index === undefined) {
          finish(
            new FeatureJobError(
              isErrorCode(message.error.code) ? message.error.code : 'FJ_WORKER_CRASHED',
              message.error.message,
            ),
          );
        } else {
          slot.index = undefined;
          failed(message.index, message.error);
          if (!finished) assign(slot);
        }
      });
      child.on('exit', (code, signal) => {
        slots.delete(slot);
        if (finished || slot.stopping) return;
        const index = slot.index;
        if (index !== undefined) {
          const how =
            signal === null
              ? `exit code ${code}`
              : `signal ${signal}${signal === 'SIGKILL' ? ' (possibly the OOM killer)' : ''}`;
          failed(index, { code: 'FJ_WORKER_CRASHED', message: `worker process died with ${how}`, transient: true });
        }
        if (!finished && queue.length > 0) spawn();
        else if (!finished && slots.size === 0)
          finish(new FeatureJobError('FJ_WORKER_CRASHED', 'every worker process exited before the job finished'));
      });
      child.send({ type: 'init', settings: options.settings } satisfies ToWorker<Settings>, ignoreGoneWorker);
    };

    if (total === 0) {
      finish();
      return;
    }
    const workers = Math.max(1, Math.min(options.workers, total));
    for (let i = 0; i < workers; i += 1) spawn();
  });
}
