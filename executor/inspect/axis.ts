/** Linear scales and the axes (line, ticks, tick labels, title, grid) drawn around a plot area. */
import { formatTick, type NiceTicks } from './compute-nice-ticks.js';
import { px, svgText } from './svg-markup.js';

/** The rectangle the data is drawn in, in SVG user units. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export type Scale = (value: number) => number;

/** Maps [domain0, domain1] onto [range0, range1]; a zero-width domain maps to range0. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const factor = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * factor;
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

/** Nice ticks labelled with formatTick, optionally with a suffix (` %`). */
export function labelTicks(ticks: NiceTicks, suffix = ''): Tick[] {
  return ticks.values.map((value) => ({ value, label: `${formatTick(value, ticks.step)}${suffix}` }));
}

export type AxisSide = 'bottom' | 'left' | 'right';

const TICK_LENGTH = 5;
const GRID_COLOUR = '#e6e6e6';

/**
 * One axis along a side of `area`: its line, tick marks and labels, a title (rotated for
 * vertical axes), and optionally light grid lines across the area at each tick.
 */
export function renderAxis(options: {
  side: AxisSide;
  area: PlotArea;
  scale: Scale;
  ticks: readonly Tick[];
  title?: string;
  grid?: boolean;
  colour?: string;
  /** How far from the axis line the title sits. */
  titleOffset?: number;
}): string {
  const { side, area, scale, ticks } = options;
  const colour = options.colour ?? '#333333';
  const right = area.left + area.width;
  const bottom = area.top + area.height;
  const parts: string[] = [];
  if (options.grid === true) {
    for (const { value } of ticks) {
      const at = px(scale(value));
      parts.push(
        side === 'bottom'
          ? `<line x1="${at}" y1="${px(area.top)}" x2="${at}" y2="${px(bottom)}"/>`
          : `<line x1="${px(area.left)}" y1="${at}" x2="${px(right)}" y2="${at}"/>`,
      );
    }
    parts.unshift(`<g stroke="${GRID_COLOUR}" stroke-width="1">`);
    parts.push('</g>');
  }
  parts.push(`<g stroke="${colour}" fill="${colour}" font-size="11">`);
  if (side === 'bottom') {
    parts.push(`<line x1="${px(area.left)}" y1="${px(bottom)}" x2="${px(right)}" y2="${px(bottom)}"/>`);
    for (const tick of ticks) {
      const x = px(scale(tick.value));
      parts.push(`<line x1="${x}" y1="${px(bottom)}" x2="${x}" y2="${px(bottom + TICK_LENGTH)}"/>`);
      parts.push(
        `<text x="${x}" y="${px(bottom + 18)}" text-anchor="middle" stroke="none">${svgText(tick.label, 16)}</text>`,
      );
    }
    if (options.title !== undefined) {
      const y = bottom + (options.titleOffset ?? 38);
      parts.push(
        `<text x="${px(area.left + area.width / 2)}" y="${px(y)}" text-anchor="middle" font-size="12" stroke="none">` +
          `${svgText(options.title, 100)}</text>`,
      );
    }
  } else {
    const x = side === 'left' ? area.left : right;
    const direction = side === 'left' ? -1 : 1;
    parts.push(`<line x1="${px(x)}" y1="${px(area.top)}" x2="${px(x)}" y2="${px(bottom)}"/>`);
    for (const tick of ticks) {
      const y = scale(tick.value);
      parts.push(`<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + direction * TICK_LENGTH)}" y2="${px(y)}"/>`);
      parts.push(
        `<text x="${px(x + direction * (TICK_LENGTH + 3))}" y="${px(y + 4)}" ` +
          `text-anchor="${side === 'left' ? 'end' : 'start'}" stroke="none">${svgText(tick.label, 16)}</text>`,
      );
    }
    if (options.title !== undefined) {
      const tx = x + direction * (options.titleOffset ?? 52);
      const ty = area.top + area.height / 2;
      parts.push(
        `<text x="${px(tx)}" y="${px(ty)}" transform="rotate(${direction * 90} ${px(tx)} ${px(ty)})" ` +
          `text-anchor="middle" font-size="12" stroke="none">${svgText(options.title, 80)}</text>`,
      );
    }
  }
  parts.push('</g>');
  return `${parts.join('\n')}\n`;
}
