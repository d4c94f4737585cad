/**
 * The heart of the controller, as a pure function: from the FeatureJob, its child Jobs and
 * pods and what storage says, derive the phase, the counts, and what must exist. No I/O,
 * no clock of its own: the same world always gives the same answer.
 */
import type { FeatureJobSpec } from '../../crds/feature-job-spec.js';
import type { Condition, FeatureJobStatus, Phase } from '../../crds/feature-job-status.js';
import type { ConditionReason, OperatorReason } from '../errors.js';
import { parseRanges } from './compute-failed-ranges.js';
import type { DesiredCondition } from './compute-conditions.js';
import type { JobObject } from '../kube/job-object.js';
import type { PodObject } from '../kube/pod-object.js';
import { classifyPod, computeCompletionIndex, type PodVerdict } from './classify-pod.js';
import { computeJobCondition } from './compute-job-condition.js';
import type { OutputObservation } from './output-observer.js';
import type { StorageFailure } from './compute-storage-failure.js';
import {
  computeReduceTaskCounts,
  isModelFitted,
  isProjectionComplete,
  isReduceComplete,
  type ReduceObservation,
} from '../../executor/reduce/observe-reduce.js';
import type { ExecutorTask } from './feature-job-types.js';
import { computeOutputMismatch } from './compute-output-mismatch.js';
import type { ForeignJob } from './select-owned-children.js';

export type PcaTask = Extract<ExecutorTask, 'pca-statistics' | 'pca-fit' | 'pca-project'>;

export interface World {
  readonly spec: FeatureJobSpec;
  readonly previous: FeatureJobStatus | undefined;
  readonly planJob: JobObject | undefined;
  readonly extractJob: JobObject | undefined;
  readonly plannerPods: readonly PodObject[];
  readonly executorPods: readonly PodObject[];
  /** undefined when storage could not be read this time (storageFailure says why). */
  readonly output: OutputObservation | undefined;
  readonly storageFailure: StorageFailure | undefined;
  readonly now: Date;
  readonly stallTimeoutSeconds: number;
  /** Set when the executors' ServiceAccount does not exist, so no pod can even be created. */
  readonly missingServiceAccount?: { readonly message: string; readonly since: string | undefined };
  /** The PCA Jobs and their pods, and what storage says of the fit (only with spec.reduce, after the merge). */
  readonly pcaJobs?: Partial<Record<PcaTask, JobObject>>;
  readonly pcaPods?: readonly PodObject[];
  readonly reduce?: ReduceObservation;
  /** Jobs under a child's name that this FeatureJob does not own (select-owned-children.ts): never adopted. */
  readonly foreignJobs?: Partial<Record<ExecutorTask, ForeignJob>>;
}

export interface PodFailure {
  readonly pod: string;
  readonly partition: number | undefined;
  readonly reason: OperatorReason;
  readonly message: string;
}

export interface Decision {
  readonly phase: Phase;
  readonly progressing: {
    readonly status: 'True' | 'False' | 'Unknown';
    readonly reason: ConditionReason;
    readonly message: string;
  };
  readonly failed?: { readonly reason: ConditionReason; readonly message: string };
  /** A transient storage failure: look again after this long (the backoff), not at the resync. */
  readonly retryAfterMs?: number;
  /** Which child Job must exist now (created if missing), and how many completions it has. */
  readonly ensure: ExecutorTask | undefined;
  readonly completions?: number;
  /** Every partition projected: write the manifest's pca block. */
  readonly finishReduce?: boolean;
  /** Every partition committed: merge the manifest. */
  readonly merge: boolean;
  readonly podFailures: readonly PodFailure[];
  readonly failedPartitions: readonly number[];
  /** The output holds another job's plan or manifest: the status reports none of its counts. */
  readonly foreignOutput?: boolean;
}

type Stall = {
  readonly reason: Extract<OperatorReason, 'Unschedulable' | 'ImagePullFailed' | 'ServiceAccountMissing'>;
  readonly message: string;
  readonly since: string | undefined;
};

function collectFailures(pods: readonly PodObject[]): PodFailure[] {
  const failures: PodFailure[] = [];
  for (const pod of pods) {
    const verdict = classifyPod(pod);
    if (verdict.state === 'failed')
      failures.push({
        pod: pod.metadata.name,
        partition: computeCompletionIndex(pod),
        reason: verdict.reason,
        message: verdict.message,
      });
  }
  return failures.sort((a, b) => a.pod.localeCompare(b.pod));
}

/** A stall counts only when no pod of the job is running: one busy node is progress. */
function findStall(pods: readonly PodObject[], world: World): Stall | undefined {
  if (pods.length === 0 && world.missingServiceAccount !== undefined)
    return { reason: 'ServiceAccountMissing', ...world.missingServiceAccount };
  const verdicts = pods.map(classifyPod);
  if (verdicts.some((v) => v.state === 'running')) return undefined;
  return verdicts.find((v): v is Extract<PodVerdict, { state: 'stalled' }> => v.state === 'stalled');
}

function isStalledTooLong(stall: Stall, world: World): boolean {
  if (stall.since === undefined) return false;
  return world.now.getTime() - Date.parse(stall.since) >= world.stallTimeoutSeconds * 1000;
}

function lastFailure(
  failures: readonly PodFailure[],
  filter: (f: PodFailure) => boolean = () => true,
): PodFailure | undefined {
  return [...failures].reverse().find(filter);
}

/**
 * The decision for a world: what storage and the child Jobs say (computeDecision), held back
 * where the Job it would create has its name taken by a Job this FeatureJob does not own.
 */
export function computeFeatureJobState(world: World): Decision {
  return holdBackForTakenName(computeDecision(world), world);
}

function ownedJobOf(world: World, task: ExecutorTask): JobObject | undefined {
  if (task === 'plan') return world.planJob;
  if (task === 'extract') return world.extractJob;
  return world.pcaJobs?.[task];
}

/**
 * A Job the decision would create, whose name a Job of someone else holds: the operator never
 * adopts, changes or deletes that Job, so it creates nothing and waits (Progressing False,
 * JobNameTaken) until the name is free, as it is once the garbage collector has removed an
 * earlier FeatureJob's Jobs of the same name.
 */
function holdBackForTakenName(decision: Decision, world: World): Decision {
  const task = decision.ensure;
  if (task === undefined || ownedJobOf(world, task) !== undefined) return decision;
  const foreign = world.foreignJobs?.[task];
  if (foreign === undefined) return decision;
  const owner = foreign.owner === undefined ? 'it has no owner' : `its owner is ${foreign.owner}`;
  const message =
    `Job ${foreign.name} exists and is not this FeatureJob's (${owner}): the operator never adopts, changes or ` +
    `deletes it, and creates its own ${task} Job once that name is free`;
  return { ...decision, ensure: undefined, progressing: { status: 'False', reason: 'JobNameTaken', message } };
}

function computeDecision(world: World): Decision {
  const { spec, output } = world;
  const plannerFailures = collectFailures(world.plannerPods);
  const executorFailures = collectFailures(world.executorPods);
  const podFailures = [...plannerFailures, ...executorFailures];
  const failedPartitions = parseRanges(world.extractJob?.status?.failedIndexes ?? '');
  const base = { podFailures, failedPartitions, merge: false } as const;

  if (output === undefined) {
    const unknown: Decision = {
      ...base,
      phase: world.previous?.phase ?? 'Pending',
      ensure: undefined,
      progressing: { status: 'Unknown', reason: 'StorageUnavailable', message: 'cannot read the output prefix' },
    };
    return world.storageFailure === undefined ? unknown : computeStorageFailureDecision(unknown, world.storageFailure);
  }
  // Another job's plan or manifest in the output: fail before any Job exists or anything is written.
  const mismatch = computeOutputMismatch(spec, output);
  if (mismatch !== undefined) {
    return {
      ...base,
      phase: 'Failed',
      ensure: undefined,
      failed: mismatch,
      progressing: { status: 'False', reason: mismatch.reason, message: mismatch.message },
      foreignOutput: true,
    };
  }
  if (
    output.manifest !== undefined &&
    spec.reduce !== undefined &&
    !isReduceComplete(output.manifest, spec.reduce.pca)
  ) {
    return computeReduceState(world, output.manifest, spec.reduce.pca, base);
  }
  if (output.manifest !== undefined) {
    return {
      ...base,
      phase: 'Complete',
      ensure: undefined,
      progressing: {
        status: 'False',
        reason: 'Completed',
        message: `${output.manifest.images.succeeded} images extracted, ${output.manifest.images.failed} failed`,
      },
    };
  }
  if (spec.suspend) {
    return {
      ...base,
      phase: 'Suspended',
      ensure: output.plan === undefined ? undefined : world.extractJob === undefined ? undefined : 'extract',
      progressing: { status: 'False', reason: 'Suspended', message: 'spec.suspend is true' },
    };
  }

  if (output.plan === undefined) {
    const failed = computeJobCondition(world.planJob, 'Failed');
    if (failed !== undefined) {
      const cause = lastFailure(plannerFailures);
      const message = cause === undefined ? `${failed.reason}: ${failed.message}` : `${cause.reason}: ${cause.message}`;
      return {
        ...base,
        phase: 'Failed',
        ensure: undefined,
        failed: { reason: failed.reason === 'DeadlineExceeded' ? 'DeadlineExceeded' : 'PlanningFailed', message },
        progressing: { status: 'False', reason: 'PlanningFailed', message },
      };
    }
    const stall = findStall(world.plannerPods, world);
    if (stall !== undefined) return stalled(base, 'Planning', 'plan', stall, world);
    return {
      ...base,
      phase: 'Planning',
      ensure: 'plan',
      progressing: { status: 'True', reason: 'Planning', message: 'listing the input and writing the plan' },
    };
  }

  const total = output.plan.partitions.length;
  if (output.committed.partitions >= total) {
    return {
      ...base,
      phase: 'Merging',
      ensure: undefined,
      merge: true,
      progressing: {
        status: 'True',
        reason: 'Merging',
        message: `all ${total} partitions committed; merging the manifest`,
      },
    };
  }
  const failed = computeJobCondition(world.extractJob, 'Failed');
  if (failed !== undefined) {
    if (failed.reason === 'DeadlineExceeded') {
      return {
        ...base,
        phase: 'Failed',
        ensure: undefined,
        failed: {
          reason: 'DeadlineExceeded',
          message:
            `activeDeadlineSeconds (${spec.activeDeadlineSeconds ?? '?'}) ` +
            `passed with ${output.committed.partitions}/${total} partitions committed`,
        },
        progressing: { status: 'False', reason: 'DeadlineExceeded', message: failed.message },
      };
    }
    const cause =
      lastFailure(executorFailures, (f) => f.partition !== undefined && failedPartitions.includes(f.partition)) ??
      lastFailure(executorFailures);
    const lastCause =
      cause === undefined
        ? ''
        : `; last failure of partition ${cause.partition ?? '?'}: ${cause.reason}: ${cause.message}`;
    const message = `${failedPartitions.length} partition(s) failed after their attempts${lastCause}`;
    return {
      ...base,
      phase: 'Failed',
      ensure: undefined,
      failed: { reason: cause?.reason === 'BadInput' ? 'BadInput' : 'PartitionsFailed', message },
      progressing: { status: 'False', reason: 'PartitionsFailed', message },
    };
  }
  const stall = findStall(world.executorPods, world);
  if (stall !== undefined) return stalled(base, 'Running', 'extract', stall, world);
  const active = world.extractJob?.status?.active ?? 0;
  return {
    ...base,
    phase: 'Running',
    ensure: 'extract',
    completions: total,
    progressing: {
      status: 'True',
      reason: 'Running',
      message: `${output.committed.partitions}/${total} partitions committed, ${active} executor(s) active`,
    },
  };
}

/**
 * A decision overtaken by a failure of the operator's own storage work (reading the output,
 * merging the manifest, writing its PCA block): a terminal code fails the job with its own
 * reason; a transient one keeps the phase and backs off (compute-storage-failure.ts).
 */
export function computeStorageFailureDecision(decision: Decision, failure: StorageFailure): Decision {
  const { retryAfterMs: _, ...rest } = decision;
  const stopped = { ...rest, merge: false, finishReduce: false, ensure: undefined };
  if (failure.kind === 'terminal') {
    return {
      ...stopped,
      phase: 'Failed',
      failed: { reason: failure.reason, message: failure.message },
      progressing: { status: 'False', reason: failure.reason, message: failure.message },
    };
  }
  return {
    ...stopped,
    retryAfterMs: failure.retryAfterMs,
    progressing: { status: 'Unknown', reason: failure.reason, message: failure.message },
  };
}

/**
 * PCA after the merge, three Jobs in turn: statistics (one index per statistics group), the
 * fit (one pod), the projection (one index per partition), then the manifest's pca block.
 * Storage says what is done (the model, projection markers); Job conditions say what failed.
 */
function computeReduceState(
  world: World,
  manifest: NonNullable<OutputObservation['manifest']>,
  pca: { components: number; whiten: boolean },
  base: Pick<Decision, 'podFailures' | 'failedPartitions' | 'merge'>,
): Decision {
  const counts = computeReduceTaskCounts(manifest);
  const jobs = world.pcaJobs ?? {};
  const failures = collectFailures(world.pcaPods ?? []);
  const withFailures = { ...base, podFailures: [...base.podFailures, ...failures] };
  for (const task of ['pca-statistics', 'pca-fit', 'pca-project'] as const) {
    const failed = computeJobCondition(jobs[task], 'Failed');
    if (failed === undefined) continue;
    const cause = lastFailure(failures);
    const message = `${task} failed: ${cause === undefined ? `${failed.reason}: ${failed.message}` : `${cause.reason}: ${cause.message}`}`;
    return {
      ...withFailures,
      phase: 'Failed',
      ensure: undefined,
      failed: { reason: failed.reason === 'DeadlineExceeded' ? 'DeadlineExceeded' : 'ReduceFailed', message },
      progressing: { status: 'False', reason: 'ReduceFailed', message },
    };
  }
  const stall = findStall(world.pcaPods ?? [], { ...world, missingServiceAccount: undefined });
  if (stall !== undefined) {
    const stalledTask = (['pca-project', 'pca-fit', 'pca-statistics'] as const).find(
      (task) => jobs[task] !== undefined,
    );
    if (stalledTask !== undefined) {
      const decision = stalled(withFailures, 'Reducing', 'extract', stall, world);
      return { ...decision, ensure: decision.phase === 'Failed' ? undefined : stalledTask };
    }
  }
  const reduce = world.reduce;
  const progress = (message: string, ensure: PcaTask | undefined, completions?: number): Decision => ({
    ...withFailures,
    phase: 'Reducing',
    ensure,
    ...(completions === undefined ? {} : { completions }),
    progressing: { status: 'True', reason: 'Reducing', message },
  });
  if (reduce !== undefined && isProjectionComplete(reduce) && isModelFitted(reduce, manifest, pca)) {
    return {
      ...progress(`PCA: all ${counts.partitions} partitions projected; writing the manifest`, undefined),
      finishReduce: true,
    };
  }
  if (reduce !== undefined && isModelFitted(reduce, manifest, pca)) {
    return progress(
      `PCA: projecting ${counts.partitions} partitions on K = ${pca.components} (${reduce.projected} done)`,
      'pca-project',
      counts.partitions,
    );
  }
  if (computeJobCondition(jobs['pca-statistics'], 'Complete') !== undefined)
    return progress(`PCA: fitting K = ${pca.components}`, 'pca-fit', 1);
  return progress(
    `PCA: statistics over ${counts.statisticsGroups} group(s) of partitions`,
    'pca-statistics',
    counts.statisticsGroups,
  );
}

function stalled(
  base: Pick<Decision, 'podFailures' | 'failedPartitions' | 'merge'>,
  phase: Phase,
  ensure: 'plan' | 'extract',
  stall: Stall,
  world: World,
): Decision {
  if (isStalledTooLong(stall, world)) {
    const message = `no executor could start for ${world.stallTimeoutSeconds} s: ${stall.message}`;
    return {
      ...base,
      phase: 'Failed',
      ensure: undefined,
      failed: { reason: stall.reason, message },
      progressing: { status: 'False', reason: stall.reason, message },
    };
  }
  return { ...base, phase, ensure, progressing: { status: 'False', reason: stall.reason, message: stall.message } };
}

/**
 * The conditions for a decision (Complete and Failed appear only once true, like a Job's).
 * Once suspended, Suspended stays and turns False with reason Resumed when spec.suspend is
 * cleared, as a batch/v1 Job's does, so the resume is visible and gets its Event.
 */
export function computeDesiredConditions(
  decision: Decision,
  spec: FeatureJobSpec,
  previous: readonly Condition[] = [],
): DesiredCondition[] {
  const conditions: DesiredCondition[] = [
    { type: 'Accepted', status: 'True', reason: 'SpecValid', message: 'the spec is valid' },
    { type: 'Progressing', ...decision.progressing },
  ];
  if (decision.phase === 'Complete')
    conditions.push({ type: 'Complete', status: 'True', reason: 'Completed', message: decision.progressing.message });
  if (decision.failed !== undefined) conditions.push({ type: 'Failed', status: 'True', ...decision.failed });
  if (spec.suspend || decision.phase === 'Suspended')
    conditions.push({ type: 'Suspended', status: 'True', reason: 'Suspended', message: 'spec.suspend is true' });
  else if (previous.some((c) => c.type === 'Suspended'))
    conditions.push({
      type: 'Suspended',
      status: 'False',
      reason: 'Resumed',
      message: 'spec.suspend is false: the executors run again',
    });
  return conditions;
}
