/**
 * A list-then-watch cache of one resource, like client-go's informer: it lists, then watches
 * from the list's resourceVersion; a 410 Gone (the version was compacted away) relists; any
 * other error or a closed stream restarts the watch after a capped backoff. Handlers only
 * learn that something changed: the reconciler re-reads the truth itself.
 *
 * Why not @kubernetes/client-node's ListWatch (rechecked at 2.0.1): on any error but a 410 or a
 * client timeout it reports once and stops, leaving the restart to the caller; its watches ask
 * for no bookmarks and (by default) abort after 30 s without data: quiet ones reconnect that often.
 * This one retries lists and watches itself with capped backoff, with bookmarks and 300 s watches.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../executor/log/logger.js';
import type { KubeObject } from '../../crds/kube-object.js';
import { isKubeStatus, type KubeClient, type WatchEvent } from './kube-client.js';

export type InformerEvent = 'added' | 'modified' | 'deleted';

export interface InformerOptions<T extends KubeObject> {
  readonly client: KubeClient;
  /** The collection path, e.g. /apis/batch/v1/jobs (all namespaces) or /api/v1/namespaces/x/pods. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly onEvent: (event: InformerEvent, object: T) => void;
  readonly logger: Logger;
  /** Longest pause between restarts (default 30 s). */
  readonly maxBackoffMs?: number;
}

/** The watch is ended by the server after this long and resumed (as kube-controller-manager does). */
const WATCH_TIMEOUT_SECONDS = 300;

export class Informer<T extends KubeObject> {
  private readonly options: InformerOptions<T>;
  private readonly cache = new Map<string, T>();
  private synced = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: InformerOptions<T>) {
    this.options = options;
  }

  static keyOf(object: KubeObject): string {
    return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { client, path, logger } = this.options;
    const maxBackoff = this.options.maxBackoffMs ?? 30_000;
    let backoff = 500;
    let resourceVersion: string | undefined;
    while (!this.abort.signal.aborted) {
      try {
        resourceVersion ??= await this.relist();
        backoff = 500;
        resourceVersion = await this.watchFrom(resourceVersion);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (isKubeStatus(error, 410) || (error as { gone?: boolean }).gone === true) {
          logger.info({ path }, 'watch expired, relisting');
          resourceVersion = undefined;
          continue;
        }
        logger.warn({ path, error: (error as Error).message, backoffMs: backoff }, 'watch failed, restarting');
        await delay(backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  /** Lists everything, replaces the cache (reporting what vanished) and returns the list's version. */
  private async relist(): Promise<string> {
    const { client, path, labelSelector } = this.options;
    const list = await client.request<{ metadata: { resourceVersion: string }; items: T[] }>({
      method: 'GET',
      path,
      query: { labelSelector },
      signal: this.abort.signal,
    });
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = Informer.keyOf(item);
      seen.add(key);
      const previous = this.cache.get(key);
      this.cache.set(key, item);
      if (previous?.metadata.resourceVersion !== item.metadata.resourceVersion)
        this.options.onEvent(previous === undefined ? 'added' : 'modified', item);
    }
    for (const [key, item] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.options.onEvent('deleted', item);
    }
    this.synced = true;
    return list.metadata.resourceVersion;
  }

  /** Watches until the server closes the stream; returns the last version seen. */
  private async watchFrom(resourceVersion: string): Promise<string> {
    const { client, path, labelSelector } = this.options;
    let latest = resourceVersion;
    await client.watch(
      {
        path,
        query: { labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
        signal: this.abort.signal,
      },
      (event: WatchEvent) => {
        if (event.type === 'ERROR') {
          const gone = event.object.code === 410;
          throw Object.assign(new Error(event.object.message ?? 'watch error'), { gone });
        }
        latest = event.object.metadata?.resourceVersion ?? latest;
        if (event.type === 'BOOKMARK') return;
        const object = event.object as unknown as T;
        const key = Informer.keyOf(object);
        if (event.type === 'DELETED') this.cache.delete(key);
        else this.cache.set(key, object);
        this.options.onEvent(
          event.type === 'ADDED' ? 'added' : event.type === 'MODIFIED' ? 'modified' : 'deleted',
          object,
        );
      },
    );
    return latest;
  }
}
