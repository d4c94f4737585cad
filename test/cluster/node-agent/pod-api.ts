import { setTimeout as delay } from 'node:timers/promises';
import { isNotFound, KubeApiError, type KubeApi } from './kube-api.js';
import type { Pod, PodStatus } from './pod-types.js';

const ATTEMPTS = 5;
const RETRY_DELAY_MS = 500;

const podPath = (pod: Pod): string =>
  `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`;

/**
 * Retries a write a few times (the apiserver may be busy). A pod that is gone, or replaced by
 * one with another uid (409 from the uid precondition), is no error: there is nothing to write.
 */
async function withRetries(what: string, write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await write();
      return;
    } catch (error) {
      if (isNotFound(error) || (error instanceof KubeApiError && error.status === 409)) return;
      if (attempt >= ATTEMPTS)
        throw new Error(`${what} failed ${ATTEMPTS} times: ${error instanceof Error ? error.message : String(error)}`);
      await delay(RETRY_DELAY_MS * attempt);
    }
  }
}

/**
 * Writes the pod's status through the pods/status subresource, as the kubelet does. A JSON
 * merge patch: the arrays (conditions, containerStatuses) are written whole, and
 * computePodConditions has kept the conditions other components own.
 */
export function writePodStatus(api: KubeApi, pod: Pod, status: PodStatus): Promise<void> {
  // The uid precondition keeps a write from landing on a new pod that reused the name.
  const patch = { metadata: { uid: pod.metadata.uid }, status };
  return withRetries(`status of pod ${pod.metadata.namespace}/${pod.metadata.name}`, () =>
    api.patch(`${podPath(pod)}/status`, patch),
  );
}

/**
 * Deletes the pod with gracePeriodSeconds=0: how the kubelet finishes a graceful deletion
 * once the containers are gone (finalizers, like the Job controller's, still hold it until
 * their owners let go).
 */
export function deletePodNow(api: KubeApi, pod: Pod): Promise<void> {
  const options = {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    gracePeriodSeconds: 0,
    preconditions: { uid: pod.metadata.uid },
  };
  return withRetries(`deletion of pod ${pod.metadata.namespace}/${pod.metadata.name}`, () =>
    api.send('DELETE', podPath(pod), options),
  );
}
