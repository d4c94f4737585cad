import type { JobObject } from '../kube/job-object.js';

/** A Job's condition of the given type when it is True: the Job controller's own verdict. */
export function computeJobCondition(
  job: JobObject | undefined,
  type: 'Complete' | 'Failed' | 'Suspended',
): { reason: string; message: string } | undefined {
  const condition = job?.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  return condition === undefined ? undefined : { reason: condition.reason ?? type, message: condition.message ?? '' };
}
