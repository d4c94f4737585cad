import { MAX_CONDITION_MESSAGE_LENGTH, type Condition, type ConditionType } from '../../crds/feature-job-status.js';

export interface DesiredCondition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/**
 * The conditions to write: a condition whose status is unchanged keeps its
 * lastTransitionTime (metav1.Condition semantics), so a reconcile that changes nothing
 * computes exactly the conditions already there.
 */
export function computeConditions(options: {
  readonly previous: readonly Condition[] | undefined;
  readonly desired: readonly DesiredCondition[];
  readonly generation: number;
  readonly now: Date;
}): Condition[] {
  const { previous = [], desired, generation, now } = options;
  return desired.map((want) => {
    const before = previous.find((c) => c.type === want.type);
    const lastTransitionTime =
      before !== undefined && before.status === want.status
        ? before.lastTransitionTime
        : now.toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      type: want.type,
      status: want.status,
      observedGeneration: generation,
      lastTransitionTime,
      reason: want.reason,
      message: want.message.slice(0, MAX_CONDITION_MESSAGE_LENGTH),
    };
  });
}

/** Conditions whose status or reason differ from before: each gets an Event. */
export function computeChangedConditions(
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
): Condition[] {
  return next.filter((c) => {
    const before = previous?.find((p) => p.type === c.type);
    return before === undefined ? c.status === 'True' : before.status !== c.status || before.reason !== c.reason;
  });
}
