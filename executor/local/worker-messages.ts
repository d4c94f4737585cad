/**
 * The protocol between the worker pool and its processes. `Settings` is a worker's start-up
 * data, `Result` what one task yields (see task-worker-settings.ts).
 */

/** What the pool sends a worker. */
export type ToWorker<Settings> =
  | { readonly type: 'init'; readonly settings: Settings }
  | { readonly type: 'partition'; readonly index: number; readonly attempt: string }
  | { readonly type: 'shutdown' };

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly transient: boolean;
  /** Where the failed attempt left its log tail (`…/_featurejob/logs/…`), when it could. */
  readonly logUri?: string;
}

/** What a worker answers. */
export type FromWorker<Result> =
  | { readonly type: 'ready'; readonly loadMs: number; readonly rssBytes: number }
  | { readonly type: 'progress'; readonly index: number; readonly done: number; readonly failed: number }
  | { readonly type: 'done'; readonly index: number; readonly result: Result; readonly peakRssBytes: number }
  | { readonly type: 'failed'; readonly index: number | undefined; readonly error: SerializedError };
