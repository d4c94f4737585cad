import { KUBERNETES_VERSION } from '../kubernetes-version.js';

/** A node the agent registers and runs Pods for. */
export interface NodeDefinition {
  readonly name: string;
  /** Added to (and overriding) the default labels of an EKS m5.xlarge node. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly NodeTaint[];
  /** Capacity and allocatable cpu, default '4' (m5.xlarge). */
  readonly cpu?: string;
  /** Allocatable memory, default '14162Mi' (what EKS leaves of an m5.xlarge's 16 GiB). */
  readonly memory?: string;
  /** Capacity and allocatable pods, default 110. */
  readonly pods?: number;
}

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Physical memory of an m5.xlarge (16 GiB, as the kubelet reports it from /proc/meminfo). */
const M5_XLARGE_CAPACITY_MEMORY = '15896536Ki';

export const NODE_ADDRESS = '127.0.0.1';

/** The labels the kubelet and EKS put on an m5.xlarge node, then the caller's. */
export function buildNodeLabels(node: NodeDefinition): Record<string, string> {
  return {
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': 'm5.xlarge',
    ...node.labels,
  };
}

/** The Node object to create (metadata and spec; its status goes through the status subresource). */
export function buildNode(node: NodeDefinition): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: buildNodeLabels(node),
      annotations: { 'featurejob.dev/node-agent': 'true' },
    },
    spec: { taints: (node.taints ?? []).map((taint) => ({ ...taint })) },
  };
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
  since: string,
): object {
  return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: since };
}

/**
 * The node status a kubelet posts: capacity, allocatable, Ready and the pressure conditions,
 * the loopback address and node info. `since` is when the agent came up (the conditions'
 * lastTransitionTime); `now` their heartbeat.
 */
export function buildNodeStatus(node: NodeDefinition, now: Date, since: Date): Record<string, unknown> {
  const cpu = node.cpu ?? '4';
  const pods = String(node.pods ?? 110);
  const at = now.toISOString();
  const from = since.toISOString();
  return {
    capacity: {
      cpu,
      memory: node.memory === undefined ? M5_XLARGE_CAPACITY_MEMORY : node.memory,
      pods,
      'ephemeral-storage': '83873772Ki',
    },
    allocatable: { cpu, memory: node.memory ?? '14162Mi', pods, 'ephemeral-storage': '76224326324' },
    conditions: [
      condition(
        'MemoryPressure',
        'False',
        'KubeletHasSufficientMemory',
        'kubelet has sufficient memory available',
        at,
        from,
      ),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', at, from),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', at, from),
      condition(
        'Ready',
        'True',
        'KubeletReady',
        'kubelet is posting ready status (featurejob test node agent)',
        at,
        from,
      ),
    ],
    addresses: [
      { type: 'InternalIP', address: NODE_ADDRESS },
      { type: 'Hostname', address: node.name },
    ],
    // Nothing listens there: `kubectl logs` and `exec` do not work with the node agent.
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'featurejob test node agent (local processes)',
      containerRuntimeVersion: 'node-agent://1.0.0',
      kubeletVersion: KUBERNETES_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The node's Lease in kube-node-lease, which the node lifecycle controller reads as its heartbeat. */
export function buildNodeLease(
  nodeName: string,
  nodeUid: string,
  renewTime: Date,
  durationSeconds: number,
): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }],
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(renewTime) },
  };
}

/** metav1.MicroTime: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
