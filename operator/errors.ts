/**
 * The control plane's reasons: every condition reason and Event reason the operator writes,
 * with whether the failure it names is worth retrying (transient), ends the job (terminal)
 * or reports progress (info), and what it means to a user. Reasons are CamelCase and stable;
 * users and alerts match on them, never on messages. Same shape as the data plane's catalog
 * (executor/errors.ts), the reason being the key; docs/errors.md is generated from both.
 */
import type { ErrorCatalog, ErrorCode, ErrorKind, ErrorSpec } from '../executor/errors.js';

export type ReasonKind = 'info' | ErrorKind;
export type ReasonSpec = Omit<ErrorSpec<ReasonKind>, 'reason'>;

export const OperatorReasons = {
  // Accepted
  SpecValid: { kind: 'info', meaning: 'The spec passed validation.' },
  InvalidSpec: {
    kind: 'terminal',
    meaning:
      'The spec breaks a rule the API server could not check (a name over 40 characters, a batch ' +
      "size or partition size its executors' memory limit cannot hold, for example); the job fails at once. " +
      'Fix the spec and apply a new FeatureJob.',
  },
  // Progressing
  Planning: { kind: 'info', meaning: 'The planner pod is listing the input and writing the plan.' },
  Running: { kind: 'info', meaning: 'Executor pods are extracting partitions.' },
  Merging: { kind: 'info', meaning: 'Every partition committed; the manifest is being merged.' },
  Reducing: { kind: 'info', meaning: 'PCA (spec.reduce) is running: the statistics, fit and projection Jobs in turn.' },
  Resumed: {
    kind: 'info',
    meaning: 'spec.suspend was set back to false, so the executors run again (the Suspended condition turns False).',
  },
  // Why an executor pod failed (each failed pod is one retried attempt unless terminal)
  OOMKilled: {
    kind: 'transient',
    meaning:
      'An executor went over its memory limit; the attempt is retried. Raise ' +
      'spec.executor.resources.limits.memory or lower spec.executor.batchSize.',
  },
  Evicted: { kind: 'transient', meaning: 'The kubelet evicted the pod under node pressure; the attempt is retried.' },
  Disrupted: {
    kind: 'transient',
    meaning:
      "The pod was preempted, drained or evicted through the API; it is retried and not counted against the partition's attempts.",
  },
  ExecutorFailed: {
    kind: 'transient',
    meaning:
      'The executor exited non-zero with neither 75 nor 78 (a crash, exit 1, FJ_EXECUTOR_CRASHED); the attempt ' +
      "is retried and the message carries the executor's error code.",
  },
  TransientFailure: {
    kind: 'transient',
    meaning:
      'The executor hit a retryable error (exit 75: storage, inference); the attempt is retried and the message ' +
      "carries the executor's error code.",
  },
  BadInput: {
    kind: 'terminal',
    meaning:
      'The executor refused its configuration or input (exit 78: invalid settings, model sha256 mismatch, access ' +
      "denied); the partition fails at once, and the message carries the executor's error code.",
  },
  // Stalls: no pod can make progress
  Unschedulable: {
    kind: 'terminal',
    meaning:
      "No node fits the executor pods (the message is the scheduler's); Progressing turns False, and the job " +
      "fails after the operator's --stall-timeout (900 s by default). Add nodes or lower spec.executor.resources.",
  },
  ImagePullFailed: {
    kind: 'terminal',
    meaning:
      'The executor image cannot be pulled (ErrImagePull, ImagePullBackOff, InvalidImageName); the ' +
      'job fails after --stall-timeout like Unschedulable. Fix the image or the pull secret.',
  },
  ServiceAccountMissing: {
    kind: 'terminal',
    meaning:
      'The executor ServiceAccount (featurejob-executor unless spec.executor.serviceAccountName) ' +
      'does not exist in the namespace, so no pod can be created; the job fails after ' +
      '--stall-timeout. Create it or install the chart for that namespace.',
  },
  JobNameTaken: {
    kind: 'transient',
    meaning:
      'A Job with the name the operator would create (`<name>-plan`, `<name>-extract`, `<name>-pca-...`) exists and is ' +
      'not owned by this FeatureJob (no ownerReference with its uid): the operator never adopts, changes or ' +
      'deletes it, nor counts its pods. Progressing turns False and the FeatureJob waits; once that Job is gone ' +
      '(the garbage collector removing an earlier FeatureJob of the same name, or you delete it) its own Job is created.',
  },
  // Endings
  Completed: { kind: 'info', meaning: 'Every partition committed and the manifest is written.' },
  PlanningFailed: {
    kind: 'terminal',
    meaning:
      'The planner failed (no input images, a missing bucket, weights unavailable...); the message carries its error code. The job fails.',
  },
  PartitionsFailed: {
    kind: 'terminal',
    meaning:
      'Partitions used up their attempts; the job fails and status.failedPartitions lists them. ' +
      'Committed partitions are kept: a new FeatureJob with the same output redoes only the rest.',
  },
  ReduceFailed: {
    kind: 'terminal',
    meaning:
      "A PCA Job (statistics, fit or projection) failed; the message carries the executor's error code. The " +
      'extracted features and manifest are kept.',
  },
  DeadlineExceeded: {
    kind: 'terminal',
    meaning:
      'spec.activeDeadlineSeconds passed before the job finished; the job fails. Raise the deadline or spec.parallelism.',
  },
  ForeignOutput: {
    kind: 'terminal',
    meaning:
      "The output holds a manifest.json this FeatureJob's plan did not make: another input, format or model, or " +
      "(table version 0) a plan id other than the output's plan.json. The FeatureJob fails before it creates a Job " +
      'or writes anything, and never turns Complete on it. Use a new spec.output, or clear the old output first.',
  },
  MergeFailed: {
    kind: 'transient',
    meaning:
      'Merging the manifest (or writing its PCA block) failed with a transient code (the message names it and ' +
      'the attempt); Progressing turns Unknown and the merge is retried with a backoff of 10 s doubling to 5 ' +
      "min. A terminal code fails the job with that code's own reason instead.",
  },
  StorageUnavailable: {
    kind: 'transient',
    meaning:
      'The operator cannot read the output prefix for a reason that may pass (the message names the code and the ' +
      'attempt); Progressing turns Unknown and the read is retried with a backoff of 10 s doubling to 5 min. A ' +
      "terminal code fails the job with that code's own reason instead.",
  },
  Suspended: { kind: 'info', meaning: 'spec.suspend is true; no executor runs until it is set back to false.' },
} as const satisfies Record<string, ReasonSpec>;

export type OperatorReason = keyof typeof OperatorReasons;

/**
 * The reason of a data-plane code (executor/errors.ts). A terminal code that the operator
 * meets itself, reading the output or writing the manifest, ends the job with the code's own
 * reason (`ManifestInvalid` for FJ_MANIFEST_INVALID) on Failed and Progressing, so the
 * reason says what broke; such reasons are documented with their code, not repeated here.
 */
export type CodeReason = (typeof ErrorCatalog)[ErrorCode]['reason'];

/** Every reason a FeatureJob condition can carry. */
export type ConditionReason = OperatorReason | CodeReason;
