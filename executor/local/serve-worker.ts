/**
 * The child side of the worker pool's protocol, for any kind of worker process: initialise
 * once from the settings, run the partitions sent one at a time, report each result or
 * failure, and exit when told to or when the parent goes away.
 */
import { toFeatureJobError } from '../errors.js';
import type { FromWorker, SerializedError, ToWorker } from './worker-messages.js';

export interface WorkerBehaviour<Settings, Result> {
  init(settings: Settings): Promise<void>;
  run(index: number, attempt: string, progress: (done: number, failed: number) => void): Promise<Result>;
  close(): Promise<void>;
  /** After a task failed, before it is reported: leaves its log tail, and answers where (or undefined). */
  failed?(index: number, attempt: string, error: SerializedError): Promise<string | undefined>;
}

export function sendToParent<Result>(message: FromWorker<Result>): void {
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

export function serveWorker<Settings, Result>(behaviour: WorkerBehaviour<Settings, Result>): void {
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (message: ToWorker<Settings>) => {
    queue = queue.then(async () => {
      try {
        if (message.type === 'init') {
          const started = performance.now();
          await behaviour.init(message.settings);
          sendToParent<Result>({
            type: 'ready',
            loadMs: performance.now() - started,
            rssBytes: process.memoryUsage().rss,
          });
        } else if (message.type === 'partition') {
          const { index } = message;
          const result = await behaviour.run(index, message.attempt, (done, failed) =>
            sendToParent<Result>({ type: 'progress', index, done, failed }),
          );
          sendToParent<Result>({ type: 'done', index, result, peakRssBytes: peakRssBytes() });
        } else {
          await behaviour.close();
          if (process.connected) process.disconnect();
        }
      } catch (error) {
        const index = message.type === 'partition' ? message.index : undefined;
        let serialized = serialize(error);
        if (message.type === 'partition' && behaviour.failed !== undefined) {
          // Best effort: a log that cannot be written never replaces the task's own error.
          const logUri = await behaviour.failed(message.index, message.attempt, serialized).catch(() => undefined);
          if (logUri !== undefined) serialized = { ...serialized, logUri };
        }
        sendToParent<Result>({ type: 'failed', index, error: serialized });
        // A worker that cannot start is useless: exit so the pool notices.
        if (message.type === 'init') setTimeout(() => process.exit(1), 50);
      }
    });
  });
  // A worker never outlives its parent: when the IPC channel closes, stop.
  process.on('disconnect', () => process.exit(0));
}
