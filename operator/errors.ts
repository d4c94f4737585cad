/**
 * The control plane's reasons: every condition reason and Event reason the operator writes,
 * with whether the failure it names is worth retrying (transient) or ends the job (terminal).
 * Reasons are CamelCase and stable; users and alerts match on them, never on messages.
 */
export const OperatorReasons = {
  // Accepted
  SpecValid: { kind: 'info', meaning: 'the spec passed validation' },
  InvalidSpec: { kind: 'terminal', meaning: 'the spec breaks a rule the API server could not check' },
  // Progressing
  Planning: { kind: 'info', meaning: 'the planner pod is listing the input and writing the plan' },
  Running: { kind: 'info', meaning: 'executor pods are extracting partitions' },
  Merging: { kind: 'info', meaning: 'every partition committed; the manifest is being merged' },
  Reducing: { kind: 'info', meaning: 'PCA: statistics, fit and projection Jobs (spec.reduce)' },
  Resumed: { kind: 'info', meaning: 'the job was unsuspended' },
  // Why an executor pod failed (each failed pod is one retried attempt unless terminal)
  OOMKilled: { kind: 'transient', meaning: 'the executor exceeded its memory limit' },
  Evicted: { kind: 'transient', meaning: 'the kubelet evicted the pod (node pressure)' },
  Disrupted: { kind: 'transient', meaning: 'the pod was preempted or drained; not counted against retries' },
  ExecutorFailed: { kind: 'transient', meaning: 'the executor exited non-zero' },
  TransientFailure: { kind: 'transient', meaning: 'the executor hit a retryable error (storage, inference)' },
  BadInput: { kind: 'terminal', meaning: 'the executor refused its configuration or input (exit 78); not retried' },
  // Stalls: no pod can make progress
  Unschedulable: { kind: 'terminal', meaning: 'the scheduler cannot place executor pods (message from the scheduler)' },
  ImagePullFailed: { kind: 'terminal', meaning: 'the executor image cannot be pulled' },
  ServiceAccountMissing: { kind: 'terminal', meaning: 'the executor ServiceAccount does not exist in the namespace, so no pod can be created' },
  // Endings
  Completed: { kind: 'info', meaning: 'every partition committed and the manifest is written' },
  PlanningFailed: { kind: 'terminal', meaning: 'the planner failed (no input images, access denied, bad model...)' },
  PartitionsFailed: { kind: 'terminal', meaning: 'partitions used up their attempts' },
  ReduceFailed: { kind: 'terminal', meaning: 'a PCA Job (statistics, fit or projection) failed' },
  DeadlineExceeded: { kind: 'terminal', meaning: 'activeDeadlineSeconds passed' },
  MergeFailed: { kind: 'transient', meaning: 'the manifest merge failed; retried' },
  StorageUnavailable: { kind: 'transient', meaning: 'the operator cannot read the output prefix; retried' },
  Suspended: { kind: 'info', meaning: 'spec.suspend is true; no executor runs' },
} as const;

export type OperatorReason = keyof typeof OperatorReasons;
