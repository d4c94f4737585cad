/**
 * How the scatter plot tells labels apart: a fixed qualitative palette of 22 colours handed
 * out in sorted-label order, then, once the colours run out, the same colours again with a
 * different marker style (ring, outlined, dashed ring, pale, dark centre), so that up to
 * 22 × 6 = 132 labels (the 131 Fruits-360 classes) all look different. Beyond that the styles
 * repeat; the legend still tells which is which by order.
 */

/** Saturated, mutually distinct colours that read on white (after Glasbey et al.). */
export const LABEL_COLOURS: readonly string[] = [
  '#d60000',
  '#8c3bff',
  '#018700',
  '#00acc6',
  '#ff7ed1',
  '#6b004f',
  '#ffa52f',
  '#573b00',
  '#005659',
  '#0000dd',
  '#00c7a0',
  '#a1753f',
  '#9d96f0',
  '#95b577',
  '#bf03b8',
  '#645474',
  '#790000',
  '#0774d8',
  '#8e7b01',
  '#004b00',
  '#7fbf00',
  '#ff7752',
];

/** Marker variants, in the order they are used for the 1st, 2nd, … round of colours. */
export const MARKER_VARIANTS: readonly string[] = ['filled', 'ring', 'outlined', 'dashed ring', 'pale', 'dark centre'];

export interface LabelStyle {
  /** Position of the label in sorted order. */
  readonly index: number;
  readonly colour: string;
  readonly variant: string;
  /** CSS declarations for a marker (circle) of this label. */
  readonly css: string;
}

/**
 * Sorted order of labels: numbers inside names compare as numbers (`Plum 2` before `Plum 10`),
 * with plain code-unit order breaking ties so distinct labels never compare equal.
 */
export function compareLabels(a: string, b: string): number {
  return COLLATOR.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

const COLLATOR = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** The style of the label at position `index` of the sorted labels. */
export function labelStyle(index: number): LabelStyle {
  const styles = LABEL_COLOURS.length * MARKER_VARIANTS.length;
  const slot = ((index % styles) + styles) % styles;
  const colour = LABEL_COLOURS[slot % LABEL_COLOURS.length]!;
  const round = Math.floor(slot / LABEL_COLOURS.length);
  return { index, colour, variant: MARKER_VARIANTS[round]!, css: variantCss(round, colour) };
}

function variantCss(round: number, colour: string): string {
  switch (round) {
    case 0:
      return `fill:${colour};fill-opacity:0.8;stroke:none`;
    case 1:
      return `fill:none;stroke:${colour};stroke-width:1.3`;
    case 2:
      return `fill:${colour};fill-opacity:0.85;stroke:#000000;stroke-width:0.8`;
    case 3:
      return `fill:none;stroke:${colour};stroke-width:1.3;stroke-dasharray:1.6 1.1`;
    case 4:
      return `fill:${colour};fill-opacity:0.3;stroke:${colour};stroke-width:1.1`;
    default:
      return `fill:#000000;stroke:${colour};stroke-width:1.6`;
  }
}

/** The distinct labels in sorted order, each with its style. */
export function assignLabelStyles(labels: Iterable<string>): Map<string, LabelStyle> {
  const sorted = [...new Set(labels)].sort(compareLabels);
  return new Map(sorted.map((label, index) => [label, labelStyle(index)]));
}
