/**
 * The scatter plot of the first two principal components: one circle per point, coloured by
 * label, with a legend. Large outputs are drawn from a deterministic label-stratified
 * subsample; points with a non-finite coordinate are skipped; both are said in a caption.
 */
import { FeatureJobError } from '../errors.js';
import { labelTicks, linearScale, renderAxis, type PlotArea } from './axis.js';
import { computeNiceTicks } from './compute-nice-ticks.js';
import { assignLabelStyles } from './label-palette.js';
import { labelClass, renderLegend, type LegendEntry } from './scatter-legend.js';
import { closeSvg, formatCount, openSvg, renderHeading, renderTextLines } from './svg-markup.js';
import { interleavedOrder, stratifiedSample } from './subsample-points.js';

export const DEFAULT_MAX_POINTS = 20_000;

const AREA: PlotArea = { left: 80, top: 50, width: 600, height: 600 };
const BOTTOM_MARGIN = 95;
const LEGEND_GAP = 30;
const RIGHT_MARGIN = 20;
const MIN_WIDTH = 820;

export function renderScatterPlot(options: {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  labels: readonly string[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  maxPoints?: number;
}): string {
  const { x, y, labels } = options;
  if (x.length !== labels.length || y.length !== labels.length) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `a scatter plot needs one x, y and label per point, got ${x.length}, ${y.length} and ${labels.length}`,
    );
  }
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `maxPoints must be a whole number ≥ 1, got ${maxPoints}`);
  }

  const finite: number[] = [];
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < labels.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
    finite.push(i);
    if (xi < xMin) xMin = xi;
    if (xi > xMax) xMax = xi;
    if (yi < yMin) yMin = yi;
    if (yi > yMax) yMax = yi;
  }
  const skipped = labels.length - finite.length;
  const drawn = finite.length > maxPoints ? stratifiedSample(finite, labels, maxPoints) : finite;

  const styles = assignLabelStyles(labels);
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const entries: LegendEntry[] = [...styles].map(([label, style]) => ({ label, count: counts.get(label)!, style }));

  const xTicks = computeNiceTicks({ min: xMin, max: xMax, count: 7 });
  const yTicks = computeNiceTicks({ min: yMin, max: yMax, count: 7 });
  const toX = linearScale([xTicks.min, xTicks.max], [AREA.left, AREA.left + AREA.width]);
  const toY = linearScale([yTicks.min, yTicks.max], [AREA.top + AREA.height, AREA.top]);

  const legendLeft = AREA.left + AREA.width + LEGEND_GAP;
  const legend = renderLegend(entries, { left: legendLeft, top: AREA.top, maxHeight: AREA.height });
  const width = Math.max(MIN_WIDTH, Math.ceil(legendLeft + legend.width + RIGHT_MARGIN));
  const height = AREA.top + AREA.height + BOTTOM_MARGIN;
  const title = options.title ?? 'Principal components';

  const radius = drawn.length <= 500 ? 3.5 : drawn.length <= 2_000 ? 2.8 : drawn.length <= 8_000 ? 2.2 : 1.7;
  const circles = interleavedOrder(drawn).map(
    (i) =>
      `<circle class="${labelClass(styles.get(labels[i]!)!)}" ` +
      `cx="${coordinate(toX(x[i]!))}" cy="${coordinate(toY(y[i]!))}" r="${radius}"/>`,
  );

  const caption =
    (drawn.length < finite.length
      ? `${formatCount(drawn.length)} of ${formatCount(finite.length)} points shown ` +
        '(a deterministic sample keeping every label in proportion)'
      : `${formatCount(finite.length)} points`) +
    `, ${formatCount(styles.size)} label${styles.size === 1 ? '' : 's'}` +
    (skipped > 0 ? `; ${formatCount(skipped)} point${skipped === 1 ? '' : 's'} skipped (non-finite coordinates)` : '');

  return (
    openSvg({ width, height, title }) +
    `<style type="text/css">\n${[...styles.values()].map((style) => `.${labelClass(style)}{${style.css}}`).join('\n')}\n</style>\n` +
    renderHeading({ width, title }) +
    renderAxis({
      side: 'bottom',
      area: AREA,
      scale: toX,
      ticks: labelTicks(xTicks),
      title: options.xLabel ?? 'x',
      grid: true,
    }) +
    renderAxis({
      side: 'left',
      area: AREA,
      scale: toY,
      ticks: labelTicks(yTicks),
      title: options.yLabel ?? 'y',
      grid: true,
    }) +
    `<g class="points">\n${circles.join('\n')}${circles.length > 0 ? '\n' : ''}</g>\n` +
    (finite.length === 0
      ? `<text x="${AREA.left + AREA.width / 2}" y="${AREA.top + AREA.height / 2}" text-anchor="middle" fill="#888888">` +
        'no points with finite coordinates</text>\n'
      : '') +
    legend.markup +
    renderTextLines({ x: AREA.left, y: AREA.top + AREA.height + 62, lines: [caption] }) +
    closeSvg()
  );
}

/** One decimal: a tenth of a pixel is plenty for a dot, and the file has thousands of them. */
function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}
