import { FeatureJobError } from '../errors.js';

/** The shares of the total variance that `inspect` reports and the scree plot marks. */
export const VARIANCE_TARGETS = [0.9, 0.95, 0.99] as const;

/**
 * Float sums of ratios that are exactly a target (0.5 + 0.4 = 0.9) can land a hair below it;
 * that is still reaching the target.
 */
const TOLERANCE = 1e-9;

export interface VarianceThreshold {
  /** A share of the total variance, e.g. 0.95. */
  readonly target: number;
  /**
   * How many of the leading components it takes to explain `target` of the total variance,
   * or undefined when all the fitted components together do not reach it.
   */
  readonly components: number | undefined;
}

/** Running sums of the explained variance ratios: element i covers components 1..i+1. */
export function computeCumulativeVariance(explainedVarianceRatio: readonly number[]): number[] {
  const cumulative: number[] = [];
  let total = 0;
  explainedVarianceRatio.forEach((ratio, index) => {
    if (!Number.isFinite(ratio) || ratio < 0) {
      throw new FeatureJobError(
        'FJ_INVALID_ARGUMENT',
        `explained variance ratio ${index + 1} must be a finite number ≥ 0, got ${ratio}`,
      );
    }
    total += ratio;
    cumulative.push(total);
  });
  return cumulative;
}

/**
 * For each target share of the total variance, the number of leading components that reach it.
 * The ratios are relative to the variance of all the original dimensions, so K fitted
 * components may explain less than a target: that is "not within the K fitted", not an error.
 */
export function computeVarianceThresholds(options: {
  readonly explainedVarianceRatio: readonly number[];
  readonly targets?: readonly number[];
}): VarianceThreshold[] {
  const cumulative = computeCumulativeVariance(options.explainedVarianceRatio);
  return (options.targets ?? VARIANCE_TARGETS).map((target) => {
    if (!Number.isFinite(target) || target <= 0 || target > 1) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `a variance target is a share in (0, 1], got ${target}`);
    }
    const index = cumulative.findIndex((share) => share >= target - TOLERANCE);
    return { target, components: index === -1 ? undefined : index + 1 };
  });
}

/** `90 %: 12 components` or `99 %: not within the 50 fitted`. */
export function formatVarianceThreshold(threshold: VarianceThreshold, fitted: number): string {
  const share = `${formatPercent(threshold.target)}`;
  if (threshold.components === undefined) return `${share}: not within the ${fitted} fitted`;
  return `${share}: ${threshold.components} component${threshold.components === 1 ? '' : 's'}`;
}

/** 0.95 -> `95 %`, 0.9876 -> `98.76 %` (at most two decimals, no trailing zeros). */
export function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(2))} %`;
}
