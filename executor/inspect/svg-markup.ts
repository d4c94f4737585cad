/**
 * The few pieces of SVG text the plots share. Plain strings, no dependency: the plots are
 * small and fixed, and a hand-written document renders the same in browsers and librsvg.
 */

const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

// Control characters are not allowed in XML 1.0 at all, not even escaped; neither are the
// noncharacters U+FFFE/U+FFFF nor lone UTF-16 surrogates (the `u` flag makes a surrogate
// pair one code point, so only unpaired halves match the range).
// eslint-disable-next-line no-control-regex
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids, matched to remove them
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/**
 * Text and attribute values: labels are directory names, so they may hold any character.
 * The five markup characters become entities; characters XML cannot hold become U+FFFD.
 */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '\uFFFD').replace(/[<>&"']/g, (c) => XML_ESCAPES[c] as string);
}

/** Escaped text cut to `maxLength` characters (code points) with an ellipsis. */
export function svgText(text: string, maxLength = 80): string {
  const chars = Array.from(text);
  const cut = chars.length > maxLength ? `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…` : text;
  return escapeXml(cut);
}

/** A coordinate with two decimals at most: enough for a screen, and keeps the file small. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export function openSvg(options: { width: number; height: number; title: string }): string {
  const { width, height } = options;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ` +
    `font-family="${FONT_FAMILY}" font-size="12">\n` +
    `<title>${svgText(options.title, 200)}</title>\n` +
    `<rect x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>\n`
  );
}

export function closeSvg(): string {
  return '</svg>\n';
}

/** The heading drawn centred at the top of a plot. */
export function renderHeading(options: { width: number; title: string }): string {
  return (
    `<text x="${px(options.width / 2)}" y="28" text-anchor="middle" font-size="15" font-weight="bold">` +
    `${svgText(options.title, 110)}</text>\n`
  );
}

/** Lines of small grey text, one under the other, e.g. a caption under a plot. */
export function renderTextLines(options: {
  x: number;
  y: number;
  lines: readonly string[];
  lineHeight?: number;
  fontSize?: number;
}): string {
  const lineHeight = options.lineHeight ?? 15;
  return options.lines
    .map(
      (line, i) =>
        `<text x="${px(options.x)}" y="${px(options.y + i * lineHeight)}" font-size="${options.fontSize ?? 11}" fill="#444444">` +
        `${svgText(line, 200)}</text>\n`,
    )
    .join('');
}

/** 1234567 -> `1,234,567`, the same everywhere (no locale). */
export function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Roughly how wide `text` is at `fontSize` in a sans-serif font: about 0.62 em a character,
 * a full em for wide scripts and emoji. Good enough to size legend columns.
 */
export function estimateTextWidth(text: string, fontSize: number): number {
  let ems = 0;
  for (const char of text) ems += (char.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.62;
  return ems * fontSize;
}
