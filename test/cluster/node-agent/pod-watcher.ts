import { setTimeout as delay } from 'node:timers/promises';
import type { KubeApi, WatchEvent } from './kube-api.js';
import type { Pod } from './pod-types.js';

export interface PodWatcherOptions {
  readonly api: KubeApi;
  readonly nodeName: string;
  /** Every pod bound to the node, as listed and on every change (level-based: the same pod comes again). */
  onPod(pod: Pod): void;
  /** A pod removed from the API server (deleted for good, or missing from a re-list). */
  onPodGone(pod: Pod): void;
  readonly log: (line: string) => void;
}

export interface PodWatcher {
  stop(): void;
}

/** The server ends each watch after this long, and the watcher goes on from the last resourceVersion. */
const WATCH_TIMEOUT_SECONDS = 300;
const RETRY_DELAY_MS = 1000;

class RelistNeeded extends Error {}

/**
 * Lists and watches the pods bound to one node (fieldSelector spec.nodeName=NODE), like the
 * kubelet's apiserver pod source. A watch that ends is resumed from the last resourceVersion
 * seen (bookmarks included); an expired one (410 Gone) or a broken connection means a fresh
 * list, after which pods no longer listed are reported gone.
 */
export function startPodWatcher(options: PodWatcherOptions): PodWatcher {
  const { api, nodeName } = options;
  const selector = `fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeName}`)}`;
  const known = new Map<string, Pod>();
  let stopped = false;

  const watchFrom = async (resourceVersion: string): Promise<void> => {
    let version = resourceVersion;
    while (!stopped) {
      const path =
        `/api/v1/pods?${selector}&watch=1&allowWatchBookmarks=true&timeoutSeconds=${WATCH_TIMEOUT_SECONDS}` +
        `&resourceVersion=${encodeURIComponent(version)}`;
      await api.watch<Pod & { code?: number; message?: string }>(
        path,
        (event: WatchEvent<Pod & { code?: number; message?: string }>) => {
          if (event.type === 'ERROR')
            throw new RelistNeeded(`watch error ${event.object.code ?? ''}: ${event.object.message ?? ''}`);
          version = event.object.metadata.resourceVersion ?? version;
          if (event.type === 'BOOKMARK') return;
          if (event.type === 'DELETED') {
            known.delete(event.object.metadata.uid);
            options.onPodGone(event.object);
          } else {
            known.set(event.object.metadata.uid, event.object);
            options.onPod(event.object);
          }
        },
      );
    }
  };

  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        const list = await api.get<{ metadata: { resourceVersion: string }; items: Pod[] }>(`/api/v1/pods?${selector}`);
        const listed = new Set(list.items.map((pod) => pod.metadata.uid));
        for (const [uid, pod] of known) {
          if (listed.has(uid)) continue;
          known.delete(uid);
          options.onPodGone(pod);
        }
        for (const pod of list.items) {
          known.set(pod.metadata.uid, pod);
          options.onPod(pod);
        }
        await watchFrom(list.metadata.resourceVersion);
      } catch (error) {
        if (stopped) return;
        if (!(error instanceof RelistNeeded)) {
          options.log(
            `pod watch of node ${nodeName} failed, listing again: ${error instanceof Error ? error.message : String(error)}`,
          );
          await delay(RETRY_DELAY_MS);
        }
      }
    }
  };
  void run();
  return {
    stop: () => {
      stopped = true;
    },
  };
}
