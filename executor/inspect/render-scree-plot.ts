/**
 * The scree plot: each leading component's share of the variance (bars, or a line when
 * there are too many for bars) on the left axis, the cumulative share on a secondary axis
 * in %, guide lines at 90/95/99 % with a marker where each is reached, and a dashed line
 * after the last component the fitted model kept.
 */
import { FeatureJobError } from '../errors.js';
import { labelTicks, linearScale, renderAxis, type PlotArea, type Tick } from './axis.js';
import { computeNiceTicks } from './compute-nice-ticks.js';
import {
  computeCumulativeVariance,
  computeVarianceThresholds,
  formatPercent,
  formatVarianceThreshold,
  type VarianceThreshold,
} from './compute-variance-thresholds.js';
import { closeSvg, formatCount, openSvg, px, renderHeading, renderTextLines } from './svg-markup.js';

export const DEFAULT_MAX_COMPONENTS = 100;

const WIDTH = 900;
const HEIGHT = 510;
const AREA: PlotArea = { left: 80, top: 50, width: 730, height: 360 };
/** Narrower slots than this get a line instead of bars. */
const MIN_BAR_SLOT = 3;
/** Up to this many components, the cumulative curve has a dot per component. */
const MAX_DOTTED = 60;

const KEPT_COLOUR = '#4c78a8';
const DROPPED_COLOUR = '#b9c8da';
const CUMULATIVE_COLOUR = '#d1362f';
const TARGET_COLOURS = ['#2e8b3a', '#e07b00', '#8e44ad'];

export function renderScreePlot(options: {
  explainedVarianceRatio: readonly number[];
  fitted: number;
  title?: string;
  maxComponents?: number;
}): string {
  const ratios = options.explainedVarianceRatio;
  const total = ratios.length;
  const { fitted } = options;
  const maxComponents = options.maxComponents ?? DEFAULT_MAX_COMPONENTS;
  if (total === 0)
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'a scree plot needs at least one explained variance ratio');
  if (!Number.isInteger(fitted) || fitted < 1 || fitted > total) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `fitted must be a whole number of components from 1 to ${total}, got ${fitted}`,
    );
  }
  if (!Number.isInteger(maxComponents) || maxComponents < 1) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `maxComponents must be a whole number ≥ 1, got ${maxComponents}`);
  }
  const cumulative = computeCumulativeVariance(ratios);
  const thresholds = computeVarianceThresholds({ explainedVarianceRatio: ratios });
  const shown = Math.min(total, maxComponents);
  const title = options.title ?? 'Explained variance';

  const slot = AREA.width / shown;
  const bottom = AREA.top + AREA.height;
  const right = AREA.left + AREA.width;
  /** Centre of component c (1-based). */
  const toX = (component: number): number => AREA.left + (component - 0.5) * slot;
  const maxShare = Math.max(...ratios.slice(0, shown)) * 100;
  const shareTicks = computeNiceTicks({ min: 0, max: maxShare > 0 ? maxShare : 1, count: 6 });
  const toShareY = linearScale([shareTicks.min, shareTicks.max], [bottom, AREA.top]);
  const toCumulativeY = linearScale([0, 100], [bottom, AREA.top]);
  const cumulativeY = (component: number): number => toCumulativeY(Math.min(1, cumulative[component - 1]!) * 100);

  const parts: string[] = [openSvg({ width: WIDTH, height: HEIGHT, title }), renderHeading({ width: WIDTH, title })];
  parts.push(
    renderAxis({
      side: 'left',
      area: AREA,
      scale: toShareY,
      ticks: labelTicks(shareTicks),
      title: 'share of the variance per component (%)',
      grid: true,
    }),
  );
  parts.push(
    renderAxis({
      side: 'right',
      area: AREA,
      scale: toCumulativeY,
      ticks: labelTicks(computeNiceTicks({ min: 0, max: 100, count: 6 })),
      title: 'cumulative share (%)',
      colour: CUMULATIVE_COLOUR,
    }),
  );
  parts.push(
    renderAxis({
      side: 'bottom',
      area: AREA,
      scale: (component) => toX(component),
      ticks: componentTicks(shown),
      title: 'principal component',
    }),
  );

  // Per-component shares: bars while they are wide enough, otherwise a line.
  if (slot >= MIN_BAR_SLOT) {
    const barWidth = slot * 0.8;
    const bars = (from: number, to: number): string =>
      range(from, to)
        .map((c) => {
          const top = toShareY(ratios[c - 1]! * 100);
          return `<rect x="${px(toX(c) - barWidth / 2)}" y="${px(top)}" width="${px(barWidth)}" height="${px(bottom - top)}"/>`;
        })
        .join('');
    parts.push(`<g class="shares" fill="${KEPT_COLOUR}">${bars(1, Math.min(fitted, shown))}</g>\n`);
    if (fitted < shown)
      parts.push(`<g class="shares-dropped" fill="${DROPPED_COLOUR}">${bars(fitted + 1, shown)}</g>\n`);
  } else {
    const line = (from: number, to: number, colour: string): string =>
      `<polyline class="shares" fill="none" stroke="${colour}" stroke-width="1.5" points="${range(from, to)
        .map((c) => `${px(toX(c))},${px(toShareY(ratios[c - 1]! * 100))}`)
        .join(' ')}"/>\n`;
    parts.push(line(1, Math.min(fitted, shown), KEPT_COLOUR));
    if (fitted < shown) parts.push(line(fitted, shown, DROPPED_COLOUR));
  }

  // Guide lines at the targets, under the cumulative curve.
  thresholds.forEach((threshold, t) => {
    const y = px(toCumulativeY(threshold.target * 100));
    const colour = TARGET_COLOURS[t % TARGET_COLOURS.length];
    parts.push(
      `<line class="guide" x1="${px(AREA.left)}" y1="${y}" x2="${px(right)}" y2="${y}" stroke="${colour}" ` +
        'stroke-width="1" stroke-dasharray="5 4" opacity="0.8"/>\n',
    );
  });
  parts.push(
    `<g class="guide-labels" font-size="10" paint-order="stroke" stroke="#ffffff" stroke-width="3">` +
      guideLabelPositions(thresholds.map((threshold) => toCumulativeY(threshold.target * 100)))
        .map(
          (y, t) =>
            `<text x="${px(AREA.left + 4)}" y="${px(y)}" fill="${TARGET_COLOURS[t % TARGET_COLOURS.length]}">` +
            `${formatPercent(thresholds[t]!.target)}</text>`,
        )
        .join('') +
      '</g>\n',
  );

  // The fitted boundary.
  if (fitted < shown) {
    const x = AREA.left + fitted * slot;
    const nearRight = x > AREA.left + AREA.width * 0.8;
    parts.push(
      '<g class="fitted">' +
        `<line x1="${px(x)}" y1="${px(AREA.top)}" x2="${px(x)}" y2="${px(bottom)}" ` +
        'stroke="#333333" stroke-width="1.2" stroke-dasharray="6 3"/>' +
        `<text x="${px(nearRight ? x - 4 : x + 4)}" y="${px(bottom - 8)}" text-anchor="${nearRight ? 'end' : 'start'}" ` +
        'font-size="11" fill="#333333" paint-order="stroke" stroke="#ffffff" stroke-width="3">' +
        `${formatCount(fitted)} fitted</text></g>\n`,
    );
  }

  // The cumulative curve.
  const curve = range(1, shown).map((c) => `${px(toX(c))},${px(cumulativeY(c))}`);
  parts.push(
    `<polyline class="cumulative" fill="none" stroke="${CUMULATIVE_COLOUR}" stroke-width="2" points="${curve.join(' ')}"/>\n`,
  );
  if (shown <= MAX_DOTTED) {
    parts.push(
      `<g fill="${CUMULATIVE_COLOUR}">${range(1, shown)
        .map((c) => `<circle cx="${px(toX(c))}" cy="${px(cumulativeY(c))}" r="2.2"/>`)
        .join('')}</g>\n`,
    );
  }

  // Where each target is reached: a drop line, a marker and a label.
  let lastLabelX = -Infinity;
  thresholds.forEach((threshold, t) => {
    const c = threshold.components;
    if (c === undefined || c > shown) return;
    const colour = TARGET_COLOURS[t % TARGET_COLOURS.length]!;
    const x = toX(c);
    const y = cumulativeY(c);
    // Rotated text reading upwards, just right of the drop line and below the marker; its
    // glyphs lie left of the baseline, hence the 12.
    const labelX = Math.max(x + 12, lastLabelX + 12);
    const labelY = Math.max(y + 10, AREA.top + 70);
    lastLabelX = labelX;
    parts.push(
      `<g class="threshold" data-target="${threshold.target}" data-component="${c}">` +
        `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x)}" y2="${px(bottom)}" ` +
        `stroke="${colour}" stroke-width="1.2" stroke-dasharray="2 2"/>` +
        `<path d="M${px(x)} ${px(y - 6)}L${px(x + 6)} ${px(y)}L${px(x)} ${px(y + 6)}L${px(x - 6)} ${px(y)}Z" ` +
        `fill="${colour}" stroke="#ffffff" stroke-width="1"/>` +
        `<text x="${px(labelX)}" y="${px(labelY)}" transform="rotate(-90 ${px(labelX)} ${px(labelY)})" ` +
        `text-anchor="end" font-size="10" fill="${colour}" paint-order="stroke" stroke="#ffffff" stroke-width="3">` +
        `${formatPercent(threshold.target)} at ${formatCount(c)}</text>` +
        '</g>\n',
    );
  });

  const shownText =
    shown < total
      ? `The first ${formatCount(shown)} of ${formatCount(total)} components shown`
      : `All ${formatCount(total)} components shown`;
  const keptText = fitted === total ? 'all' : `the first ${formatCount(fitted)}`;
  const darkerText = fitted < shown ? ' (darker, left of the dashed line)' : '';
  const caption = [
    `${shownText}; ` +
      `the fitted model kept ${keptText}${darkerText}, ` +
      `explaining ${formatPercent(Math.min(1, cumulative[fitted - 1]!))} of the variance.`,
    `Components to reach ${thresholds.map((threshold) => describeThreshold(threshold, { fitted, shown, total })).join(' · ')}.`,
  ];
  parts.push(renderTextLines({ x: AREA.left, y: bottom + 62, lines: caption, lineHeight: 16 }));
  parts.push(closeSvg());
  return parts.join('');
}

/** `90 %: 12`, `99 %: 312 (not shown)`, or `99 %: not within the 50 fitted` when never reached. */
function describeThreshold(
  threshold: VarianceThreshold,
  context: { fitted: number; shown: number; total: number },
): string {
  const c = threshold.components;
  if (c === undefined) {
    return context.total === context.fitted
      ? formatVarianceThreshold(threshold, context.fitted)
      : `${formatPercent(threshold.target)}: not within all ${formatCount(context.total)}`;
  }
  return `${formatPercent(threshold.target)}: ${formatCount(c)}${c > context.shown ? ' (not shown)' : ''}`;
}

/** Whole component numbers at round steps, starting at 1. */
function componentTicks(shown: number): Tick[] {
  const nice = computeNiceTicks({ min: 1, max: shown, count: 8 });
  const step = Math.max(1, nice.step);
  const values = nice.values.filter((value) => Number.isInteger(value) && value >= 1 && value <= shown);
  if (values[0] !== 1 && (values[0] === undefined || values[0] - 1 >= step * 0.4)) values.unshift(1);
  return values.map((value) => ({ value, label: formatCount(value) }));
}

/** The y of each guide's label: just above its line, nudged up so labels don't overlap. */
function guideLabelPositions(lineYs: readonly number[]): number[] {
  const positions: number[] = [];
  let previous = Infinity;
  for (const lineY of lineYs) {
    const y = Math.min(lineY - 3, previous - 11);
    positions.push(y);
    previous = y;
  }
  return positions;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
