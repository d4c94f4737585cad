import { NODE_ADDRESS } from './node-object.js';
import type {
  Container,
  ContainerStateTerminated,
  ContainerStatus,
  Pod,
  PodCondition,
  PodPhase,
  PodStatus,
} from './pod-types.js';

/** What the agent knows about a pod's (single) container at the moment it reports. */
export interface ContainerReport {
  readonly container: Container;
  /** Empty when no process was started. */
  readonly containerID: string;
  readonly restartCount: number;
  /** When the pod was first started by the agent (status.startTime). */
  readonly podStartedAt: string;
  /** Set while the process runs. */
  readonly runningSince?: string;
  /** Set once the (last) process ended. */
  readonly terminated?: ContainerStateTerminated;
  /** Why the container is neither running nor terminated (between restarts: CrashLoopBackOff). */
  readonly waitingReason?: string;
  /** The previous run's end, after a restart (OnFailure, Always). */
  readonly lastTerminated?: ContainerStateTerminated;
}

/** Where the image ID would come from a registry: the agent pulls nothing. */
export function buildImageID(image: string | undefined): string {
  return `node-agent://${image ?? 'none'}`;
}

type ConditionStatus = PodCondition['status'];

/**
 * The pod's conditions: those the kubelet owns recomputed, the others (PodScheduled from the
 * scheduler, DisruptionTarget from a controller...) kept. A transition time changes only
 * with the status, as the kubelet does it.
 */
export function computePodConditions(
  existing: readonly PodCondition[],
  owned: readonly { type: string; status: ConditionStatus; reason?: string }[],
  now: string,
): PodCondition[] {
  const ownedTypes = new Set(owned.map((c) => c.type));
  const kept = existing.filter((c) => !ownedTypes.has(c.type));
  const computed = owned.map((c): PodCondition => {
    const before = existing.find((e) => e.type === c.type);
    const since =
      before !== undefined && before.status === c.status && before.lastTransitionTime !== undefined
        ? before.lastTransitionTime
        : now;
    return {
      type: c.type,
      status: c.status,
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      lastProbeTime: null,
      lastTransitionTime: since,
    };
  });
  return [...kept, ...computed];
}

/**
 * The pods/status a kubelet writes for the report: phase Running while the process runs
 * (Ready), Succeeded or Failed once it ended for good, with the container's state, the
 * loopback pod and host IPs and the standard conditions.
 */
export function buildPodStatus(pod: Pod, report: ContainerReport, phase: PodPhase, now: Date): PodStatus {
  const at = now.toISOString();
  const running = report.runningSince !== undefined;
  const finished = phase === 'Succeeded' || phase === 'Failed';
  const ready: ConditionStatus = running ? 'True' : 'False';
  const notReadyReason = finished ? 'PodCompleted' : 'ContainersNotReady';
  const conditions = computePodConditions(
    pod.status?.conditions ?? [],
    [
      { type: 'PodReadyToStartContainers', status: finished ? 'False' : 'True' },
      { type: 'Initialized', status: 'True', ...(finished ? { reason: 'PodCompleted' } : {}) },
      { type: 'Ready', status: ready, ...(running ? {} : { reason: notReadyReason }) },
      { type: 'ContainersReady', status: ready, ...(running ? {} : { reason: notReadyReason }) },
      { type: 'PodScheduled', status: 'True' },
    ],
    at,
  );
  const containerStatus: ContainerStatus = {
    name: report.container.name,
    image: report.container.image ?? '',
    imageID: buildImageID(report.container.image),
    ...(report.containerID === '' ? {} : { containerID: report.containerID }),
    started: running,
    ready: running,
    restartCount: report.restartCount,
    state: running
      ? { running: { startedAt: report.runningSince! } }
      : report.terminated !== undefined
        ? { terminated: report.terminated }
        : { waiting: { reason: report.waitingReason ?? 'ContainerCreating' } },
    lastState: report.lastTerminated === undefined ? {} : { terminated: report.lastTerminated },
  };
  return {
    phase,
    conditions,
    hostIP: NODE_ADDRESS,
    hostIPs: [{ ip: NODE_ADDRESS }],
    podIP: NODE_ADDRESS,
    podIPs: [{ ip: NODE_ADDRESS }],
    startTime: report.podStartedAt,
    containerStatuses: [containerStatus],
  };
}

/** The phase after the container ended, under the pod's restartPolicy (undefined: it restarts). */
export function computeFinalPhase(pod: Pod, exitCode: number): PodPhase | undefined {
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Always') return undefined;
  if (policy === 'OnFailure') return exitCode === 0 ? 'Succeeded' : undefined;
  return exitCode === 0 ? 'Succeeded' : 'Failed';
}

/** The terminated state's reason, as containerd and the kubelet report it. */
export function computeTerminatedReason(exitCode: number, oomKilled: boolean): string {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}
