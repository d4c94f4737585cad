/**
 * Whether a computed status means the same as the stored one, so that a reconcile of a
 * steady world writes nothing (KubeRay's InconsistentRayClusterStatus rule). Compared deeply
 * and independently of key order, absent and undefined fields alike; conditions as a map by
 * type, on type, status, reason, message and observedGeneration: a lastTransitionTime that
 * differs while the rest is equal is no change of meaning.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition, FeatureJobStatus } from '../../crds/feature-job-status.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value without undefined fields, at any depth (JSON would drop them too). */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, inner]) => (inner === undefined ? [] : [[key, dropUndefined(inner)]])),
  );
}

function computeConditionMeanings(conditions: readonly Condition[] | undefined): Record<string, unknown> {
  const byType: Record<string, unknown> = {};
  for (const c of conditions ?? [])
    byType[c.type] = dropUndefined({
      status: c.status,
      reason: c.reason,
      message: c.message,
      observedGeneration: c.observedGeneration,
    });
  return byType;
}

export function isStatusEquivalent(stored: FeatureJobStatus | undefined, computed: FeatureJobStatus): boolean {
  const { conditions: storedConditions, ...storedRest } = stored ?? {};
  const { conditions: computedConditions, ...computedRest } = computed;
  return (
    isDeepStrictEqual(computeConditionMeanings(storedConditions), computeConditionMeanings(computedConditions)) &&
    isDeepStrictEqual(dropUndefined(storedRest), dropUndefined(computedRest))
  );
}
