/** What a probe function may answer: a bare boolean, or a verdict with the reason why not. */
export type ReadinessCheck = () => boolean | { ready: boolean; reason?: string };
export type HealthCheck = () => boolean | { healthy: boolean; reason?: string };

export interface ProbeResult {
  readonly ok: boolean;
  readonly reason?: string;
}

/**
 * Runs a probe function and normalises its answer. A probe that throws counts as failing with
 * the error's message: a broken check must not report the operator ready.
 */
export function computeProbeResult(
  check: () => boolean | { ready?: boolean; healthy?: boolean; reason?: string },
): ProbeResult {
  try {
    const answer = check();
    if (typeof answer === 'boolean') return { ok: answer };
    const ok = answer.ready ?? answer.healthy ?? false;
    return answer.reason === undefined ? { ok } : { ok, reason: answer.reason };
  } catch (error) {
    return { ok: false, reason: `check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
