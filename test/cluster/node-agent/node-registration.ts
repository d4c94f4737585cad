import { isNotFound, KubeApiError, type KubeApi } from './kube-api.js';
import { buildNode, buildNodeLease, buildNodeStatus, microTime, type NodeDefinition } from './node-object.js';

/** How often the Lease is renewed (the kubelet's default is also 10 s: a quarter of its 40 s duration). */
export const LEASE_RENEW_INTERVAL_MS = 10_000;
const LEASE_DURATION_SECONDS = 40;
/** How often the Ready condition's heartbeat is refreshed (the kubelet: nodeStatusReportFrequency, 5 min). */
export const NODE_STATUS_INTERVAL_MS = 60_000;

const nodePath = (name: string): string => `/api/v1/nodes/${encodeURIComponent(name)}`;
const leasePath = (name: string): string =>
  `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(name)}`;

/**
 * Creates the Node or brings an existing one's labels and taints to the definition, then posts
 * its status (Ready). Returns the Node's uid (the Lease's owner).
 */
export async function ensureNode(api: KubeApi, node: NodeDefinition, since: Date): Promise<string> {
  const desired = buildNode(node) as {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    spec: object;
  };
  let uid: string;
  try {
    uid = (await api.send<{ metadata: { uid: string } }>('POST', '/api/v1/nodes', desired)).metadata.uid;
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    const patch = {
      metadata: { labels: desired.metadata.labels, annotations: desired.metadata.annotations },
      spec: desired.spec,
    };
    uid = (await api.patch<{ metadata: { uid: string } }>(nodePath(node.name), patch)).metadata.uid;
  }
  await postNodeStatus(api, node, since);
  return uid;
}

/** Posts the node status (Ready=True and the pressure conditions, heartbeat now). */
export async function postNodeStatus(api: KubeApi, node: NodeDefinition, since: Date): Promise<void> {
  await api.patch(`${nodePath(node.name)}/status`, { status: buildNodeStatus(node, new Date(), since) });
}

/** Renews the node's Lease in kube-node-lease, creating it when missing. */
export async function renewNodeLease(api: KubeApi, nodeName: string, nodeUid: string): Promise<void> {
  const now = new Date();
  try {
    await api.patch(leasePath(nodeName), { spec: { holderIdentity: nodeName, renewTime: microTime(now) } });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await api.send(
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
      buildNodeLease(nodeName, nodeUid, now, LEASE_DURATION_SECONDS),
    );
  }
}

/** Deletes the Node (and with it, by garbage collection, its Lease); a missing one is fine. */
export async function deleteNode(api: KubeApi, nodeName: string): Promise<void> {
  try {
    await api.send('DELETE', nodePath(nodeName));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export interface NodeHeartbeat {
  stop(): void;
}

/**
 * Keeps registered nodes alive: renews each Lease every 10 s and refreshes the Ready heartbeat
 * every minute. Without the Lease, kube-controller-manager's node lifecycle controller marks a
 * node NotReady after its grace period and taints it, and the scheduler stops using it. A node
 * deleted from outside is registered again. Failures are logged and retried on the next beat.
 */
export function startNodeHeartbeat(
  api: KubeApi,
  nodes: readonly { definition: NodeDefinition; uid: string }[],
  since: Date,
  log: (line: string) => void,
): NodeHeartbeat {
  const beat = async (withStatus: boolean): Promise<void> => {
    for (const node of nodes) {
      try {
        await renewNodeLease(api, node.definition.name, node.uid);
        if (withStatus) await postNodeStatus(api, node.definition, since);
      } catch (error) {
        if (isNotFound(error)) {
          log(`node ${node.definition.name} is gone: registering it again`);
          node.uid = await ensureNode(api, node.definition, since).catch(() => node.uid);
        } else {
          log(
            `heartbeat of node ${node.definition.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
  };
  let beats = 0;
  const perStatus = Math.round(NODE_STATUS_INTERVAL_MS / LEASE_RENEW_INTERVAL_MS);
  const timer = setInterval(() => {
    beats += 1;
    void beat(beats % perStatus === 0);
  }, LEASE_RENEW_INTERVAL_MS);
  return {
    stop: () => clearInterval(timer),
  };
}
