/** Test helpers for the inspect plots: parse an SVG with Python's XML parser and rasterise it with sharp (librsvg). */
import sharp from 'sharp';
import { runPython } from '../../support/python-venv.js';

export interface ParsedSvg {
  readonly tag: string;
  readonly width: string;
  readonly height: string;
  readonly title: string;
  /** Every element that has a class attribute: its tag, class, attributes and text. */
  readonly classed: Array<{
    tag: string;
    cls: string;
    attributes: Record<string, string>;
    text: string;
    children: Array<{ tag: string; attributes: Record<string, string>; text: string }>;
  }>;
  /** The text of every <text> element, in document order. */
  readonly texts: string[];
  /** The content of the <style> element, if any. */
  readonly style: string;
}

const PARSE_SVG = `
import json, sys, xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
root = ET.fromstring(sys.stdin.buffer.read())
def tag(e): return e.tag.replace(NS, '')
def text(e): return ''.join(e.itertext())
def child(e): return {'tag': tag(e), 'attributes': dict(e.attrib), 'text': text(e)}
style = root.find(NS + 'style')
print(json.dumps({
  'tag': tag(root),
  'width': root.get('width'),
  'height': root.get('height'),
  'title': text(root.find(NS + 'title')),
  'classed': [dict(child(e), cls=e.get('class'), children=[child(c) for c in e])
              for e in root.iter() if e.get('class') is not None and tag(e) != 'circle'],
  'texts': [text(e) for e in root.iter(NS + 'text')],
  'style': '' if style is None else text(style),
}))
`;

/** Parses `svg` with Python's xml.etree (which rejects ill-formed XML) and summarises it. */
export function parseSvg(svg: string): ParsedSvg {
  return JSON.parse(runPython(PARSE_SVG, { input: svg })) as ParsedSvg;
}

/** The elements of class `cls` (e.g. the `points` group). */
export function classed(parsed: ParsedSvg, cls: string): ParsedSvg['classed'] {
  return parsed.classed.filter((element) => element.cls === cls);
}

/**
 * Renders `svg` with sharp (librsvg): its size, whether sharp's stats see a single colour
 * (a blank picture), and how many distinct RGB colours its pixels have.
 */
export async function rasterise(
  svg: string,
): Promise<{ width: number; height: number; blank: boolean; colours: number }> {
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const stats = await sharp(png).stats();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 3) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return {
    width: info.width,
    height: info.height,
    blank: stats.channels.every((channel) => channel.min === channel.max),
    colours: colours.size,
  };
}
