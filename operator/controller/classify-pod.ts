/**
 * Turns what the kubelet and the scheduler wrote on a pod into a reason a user can act on:
 * OOMKilled, Evicted, image pull errors, unschedulable (with the scheduler's message), bad
 * input (the executor's own error code), or a plain non-zero exit. When the executor left its
 * log tail in the output, the message names that log's URI (termination-message.ts).
 */
import { ExecutorExitCodes } from '../../executor/cluster/executor-exit-codes.js';
import { parseTerminationLogTail, parseTerminationMessage } from '../../executor/cluster/termination-message.js';
import type { OperatorReason } from '../errors.js';
import type { ContainerStatus, PodObject } from '../kube/pod-object.js';

export type PodVerdict =
  | { readonly state: 'running' | 'succeeded' | 'starting' }
  /** Cannot progress right now; `since` says how long (for the stall timeout). */
  | {
      readonly state: 'stalled';
      readonly reason: Extract<OperatorReason, 'Unschedulable' | 'ImagePullFailed'>;
      readonly message: string;
      readonly since: string | undefined;
    }
  | {
      readonly state: 'failed';
      readonly reason: OperatorReason;
      readonly message: string;
      readonly code?: string;
      /** Where the executor left its log tail, and the last lines its termination message carried. */
      readonly logUri?: string;
      readonly logTail?: string;
    };

const IMAGE_PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

export function computeCompletionIndex(pod: PodObject): number | undefined {
  const raw = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION];
  return raw === undefined ? undefined : Number(raw);
}

type Terminated = NonNullable<NonNullable<ContainerStatus['state']>['terminated']>;

/** The log the executor left, as its termination message tells (nothing when it wrote none). */
function describeLog(terminated: Terminated): { logUri?: string; logTail?: string } {
  const written = parseTerminationMessage(terminated.message);
  const logTail = parseTerminationLogTail(terminated.message);
  return {
    ...(written?.logUri === undefined ? {} : { logUri: written.logUri }),
    ...(logTail === undefined ? {} : { logTail }),
  };
}

function describeExit(terminated: Terminated): {
  reason: OperatorReason;
  message: string;
  code?: string;
} {
  const written = parseTerminationMessage(terminated.message);
  // The log's URI comes before the error's text, so a shortened condition message still names it.
  const log = written?.logUri === undefined ? '' : ` (log ${written.logUri})`;
  const detail = written === undefined ? '' : `${log}: ${written.code}: ${written.message}`;
  if (terminated.reason === 'OOMKilled')
    return { reason: 'OOMKilled', message: 'the executor exceeded its memory limit (OOMKilled, exit code 137)' };
  if (terminated.exitCode === ExecutorExitCodes.badConfiguration) {
    return {
      reason: 'BadInput',
      message: `the executor refused its configuration or input${detail}`,
      ...(written === undefined ? {} : { code: written.code }),
    };
  }
  if (terminated.exitCode === ExecutorExitCodes.interrupted) {
    return {
      reason: 'Disrupted',
      message: `the executor was stopped by SIGTERM before it committed${detail}`,
      ...(written === undefined ? {} : { code: written.code }),
    };
  }
  if (terminated.exitCode === ExecutorExitCodes.transient) {
    return {
      reason: 'TransientFailure',
      message: `the executor hit a retryable error${detail}`,
      ...(written === undefined ? {} : { code: written.code }),
    };
  }
  return {
    reason: 'ExecutorFailed',
    message: `the executor exited with code ${terminated.exitCode}${detail}`,
    ...(written === undefined ? {} : { code: written.code }),
  };
}

export function classifyPod(pod: PodObject): PodVerdict {
  const status = pod.status ?? {};
  const container = status.containerStatuses?.[0];
  if (status.phase === 'Succeeded') return { state: 'succeeded' };
  if (status.phase === 'Failed') {
    if (status.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) {
      return {
        state: 'failed',
        reason: 'Disrupted',
        message: status.message ?? 'the pod was disrupted (preemption, drain or API eviction)',
      };
    }
    if (status.reason === 'Evicted')
      return { state: 'failed', reason: 'Evicted', message: status.message ?? 'the pod was evicted' };
    if (status.reason === 'DeadlineExceeded')
      return {
        state: 'failed',
        reason: 'DeadlineExceeded',
        message: status.message ?? 'the pod ran past its deadline',
      };
    const terminated = container?.state?.terminated;
    if (terminated !== undefined) return { state: 'failed', ...describeExit(terminated), ...describeLog(terminated) };
    return { state: 'failed', reason: 'ExecutorFailed', message: status.message ?? status.reason ?? 'the pod failed' };
  }
  const waiting = container?.state?.waiting;
  if (waiting?.reason !== undefined && IMAGE_PULL_REASONS.has(waiting.reason)) {
    return {
      state: 'stalled',
      reason: 'ImagePullFailed',
      message: `${waiting.reason}: ${waiting.message ?? 'cannot pull the executor image'}`,
      since: status.startTime,
    };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return {
      state: 'stalled',
      reason: 'Unschedulable',
      message: scheduled.message ?? 'the scheduler cannot place the pod',
      since: scheduled.lastTransitionTime ?? pod.metadata.creationTimestamp,
    };
  }
  return { state: container?.state?.running !== undefined ? 'running' : 'starting' };
}
