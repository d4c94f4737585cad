/**
 * Which of the Jobs under a FeatureJob's child names are its own (an ownerReference with its
 * uid) and which only share a name (another FeatureJob's of the same name that the garbage
 * collector has not removed yet, or anyone's Job): only owned Jobs, and only the pods those
 * Jobs own, are ever read as the FeatureJob's; a Job that only shares the name is reported
 * (JobNameTaken), never adopted, changed or deleted. Pure.
 */
import type { KubeObject } from '../../crds/kube-object.js';
import type { JobObject } from '../kube/job-object.js';
import type { PodObject } from '../kube/pod-object.js';
import type { ExecutorTask } from './feature-job-types.js';

/** A Job that has a child's name but not this FeatureJob as its owner. */
export interface ForeignJob {
  readonly name: string;
  /** Its controlling owner as `Kind name (uid …)`, or undefined when it has none. */
  readonly owner: string | undefined;
}

export interface OwnedChildren {
  readonly owned: Partial<Record<ExecutorTask, JobObject>>;
  readonly foreign: Partial<Record<ExecutorTask, ForeignJob>>;
  /** The pods the owned Jobs own: pods of a foreign Job carry the same labels and are left out. */
  readonly pods: PodObject[];
}

export function isOwnedBy(object: KubeObject | undefined, uid: string | undefined): boolean {
  return uid !== undefined && (object?.metadata.ownerReferences?.some((ref) => ref.uid === uid) ?? false);
}

function describeOwner(job: JobObject): string | undefined {
  const references = job.metadata.ownerReferences ?? [];
  const owner = references.find((ref) => ref.controller === true) ?? references[0];
  return owner === undefined ? undefined : `${owner.kind} ${owner.name} (uid ${owner.uid})`;
}

export function selectOwnedChildren(options: {
  readonly featureJobUid: string | undefined;
  readonly jobs: Partial<Record<ExecutorTask, JobObject | undefined>>;
  readonly pods: readonly PodObject[];
}): OwnedChildren {
  const owned: Partial<Record<ExecutorTask, JobObject>> = {};
  const foreign: Partial<Record<ExecutorTask, ForeignJob>> = {};
  for (const [task, job] of Object.entries(options.jobs) as Array<[ExecutorTask, JobObject | undefined]>) {
    if (job === undefined) continue;
    if (isOwnedBy(job, options.featureJobUid)) owned[task] = job;
    else foreign[task] = { name: job.metadata.name, owner: describeOwner(job) };
  }
  const jobUids = new Set(
    Object.values(owned).flatMap((job) => (job.metadata.uid === undefined ? [] : [job.metadata.uid])),
  );
  const pods = options.pods.filter((pod) => pod.metadata.ownerReferences?.some((ref) => jobUids.has(ref.uid)) ?? false);
  return { owned, foreign, pods };
}
