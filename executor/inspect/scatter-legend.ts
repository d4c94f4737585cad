/**
 * The scatter plot's legend: one row per label (marker, name, point count) in sorted-label
 * order, flowed into up to four columns; labels past what fits are summed up as "… and N more".
 */
import type { LabelStyle } from './label-palette.js';
import { estimateTextWidth, formatCount, px, svgText } from './svg-markup.js';

export interface LegendEntry {
  readonly label: string;
  readonly count: number;
  readonly style: LabelStyle;
}

/** Normal rows, and denser ones for when the normal ones would need more than three columns. */
const ROOMY = { fontSize: 11, rowHeight: 15 };
const DENSE = { fontSize: 10, rowHeight: 13 };
const HEADER_HEIGHT = 20;
const MAX_COLUMNS = 4;
const MARKER_SPACE = 14;
const COLUMN_GAP = 14;
const MAX_LABEL_CHARS = 26;
const MAX_COLUMN_WIDTH = 220;

/** The CSS class of a label's markers (the same class in the plot and the legend). */
export function labelClass(style: LabelStyle): string {
  return `l${style.index}`;
}

/** How a label reads in the legend: shortened, and the empty label as `(none)`. */
export function legendText(entry: LegendEntry): string {
  const chars = Array.from(entry.label === '' ? '(none)' : entry.label);
  const name = chars.length > MAX_LABEL_CHARS ? `${chars.slice(0, MAX_LABEL_CHARS - 1).join('')}…` : chars.join('');
  return `${name} (${formatCount(entry.count)})`;
}

/**
 * The legend with its top-left corner at (left, top), no taller than `maxHeight`; returns the
 * markup and the width it takes.
 */
export function renderLegend(
  entries: readonly LegendEntry[],
  options: { left: number; top: number; maxHeight: number },
): { markup: string; width: number } {
  const rowsFitting = (rowHeight: number): number =>
    Math.max(1, Math.floor((options.maxHeight - HEADER_HEIGHT) / rowHeight));
  const { fontSize, rowHeight } = entries.length > rowsFitting(ROOMY.rowHeight) * 3 ? DENSE : ROOMY;
  const rowsFit = rowsFitting(rowHeight);
  const capacity = rowsFit * MAX_COLUMNS;
  const overflow = entries.length > capacity;
  const shown = overflow ? entries.slice(0, capacity - 1) : entries;
  const slots = shown.length + (overflow ? 1 : 0);
  const columns = Math.max(1, Math.min(MAX_COLUMNS, Math.ceil(slots / rowsFit)));
  const rows = Math.max(1, Math.ceil(slots / columns));
  const texts = shown.map(legendText);
  const more = overflow ? `… and ${formatCount(entries.length - shown.length)} more labels` : undefined;
  const widest = Math.max(
    0,
    ...[...texts, ...(more === undefined ? [] : [more])].map((text) => estimateTextWidth(text, fontSize)),
  );
  const columnWidth = MARKER_SPACE + Math.min(widest, MAX_COLUMN_WIDTH) + COLUMN_GAP;
  const parts = [
    `<g class="legend" font-size="${fontSize}">`,
    `<text x="${px(options.left)}" y="${px(options.top + 11)}" font-size="11" font-weight="bold">Labels (points)</text>`,
  ];
  const position = (slot: number): { x: number; y: number } => ({
    x: options.left + Math.floor(slot / rows) * columnWidth,
    y: options.top + HEADER_HEIGHT + (slot % rows) * rowHeight,
  });
  const radius = rowHeight * 0.3;
  shown.forEach((entry, slot) => {
    const { x, y } = position(slot);
    parts.push(
      `<circle class="${labelClass(entry.style)}" cx="${px(x + 5)}" cy="${px(y + rowHeight / 2 - 1)}" r="${px(radius)}"/>` +
        `<text x="${px(x + MARKER_SPACE)}" y="${px(y + fontSize - 1)}">${svgText(texts[slot]!, 200)}</text>`,
    );
  });
  if (more !== undefined) {
    const { x, y } = position(shown.length);
    parts.push(
      `<text x="${px(x + MARKER_SPACE)}" y="${px(y + fontSize - 1)}" fill="#444444">${svgText(more, 200)}</text>`,
    );
  }
  parts.push('</g>');
  return { markup: `${parts.join('\n')}\n`, width: columns * columnWidth };
}
