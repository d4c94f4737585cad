import { randomBytes } from 'node:crypto';

/** A plan's id: unique per planning attempt, so a racing planner's shards never mix with ours. */
export function createPlanId(now: () => number = Date.now): string {
  return `p${now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** The ids createPlanId makes (and nothing that could leave the plan folder). */
export const PLAN_ID_PATTERN = /^p[0-9a-z]{1,20}$/;
