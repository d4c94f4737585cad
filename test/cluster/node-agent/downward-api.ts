import { NODE_ADDRESS } from './node-object.js';
import { PodSpecError } from './pod-spec-error.js';
import type { Container, Pod, ResourceFieldSelector } from './pod-types.js';
import { parseQuantity } from './quantity.js';

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/** `key="value"` lines, sorted, as the kubelet writes a whole labels or annotations map into a file. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map![key])}`)
    .join('\n');
}

/**
 * The value of a downward-API fieldRef, as the kubelet resolves it (every pod of the agent
 * has the loopback address as pod and host IP). The Job controller's JOB_COMPLETION_INDEX is
 * one: metadata.annotations['batch.kubernetes.io/job-completion-index'].
 */
export function resolveFieldRef(pod: Pod, fieldPath: string): string {
  const subscript = SUBSCRIPT.exec(fieldPath);
  if (subscript !== null) {
    const map = subscript[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[subscript[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs':
      return NODE_ADDRESS;
    default:
      throw new PodSpecError('Unsupported', `the node agent cannot resolve the fieldRef ${fieldPath}`);
  }
}

/**
 * A resourceFieldRef (limits.memory, requests.cpu...) divided by its divisor and rounded up;
 * an unset limit resolves to the node's allocatable amount, as on a real kubelet.
 */
export function resolveResourceFieldRef(
  container: Container,
  selector: ResourceFieldSelector,
  allocatable: { readonly cpu: string; readonly memory: string },
): string {
  const [kind, resource] = selector.resource.split('.') as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || (resource !== 'cpu' && resource !== 'memory')) {
    throw new PodSpecError('Unsupported', `the node agent cannot resolve the resourceFieldRef ${selector.resource}`);
  }
  const limit = container.resources?.limits?.[resource];
  const request = container.resources?.requests?.[resource];
  // A missing request defaults to the limit; a missing limit to the node's allocatable.
  const quantity = kind === 'limits' ? (limit ?? allocatable[resource]) : (request ?? limit ?? '0');
  const divisor = parseQuantity(selector.divisor ?? '1');
  return String(Math.ceil(parseQuantity(quantity) / divisor));
}
