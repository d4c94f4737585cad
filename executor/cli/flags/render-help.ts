/**
 * `--help` text rendered from the flag tables: a command's usage and options, and the
 * command list of `featurejob --help` for whichever commands a binary has.
 */
import type { CommandSpec, FlagSpec, FlagTable } from './flag-table.js';

/** Lines stay within a classic wide terminal; the descriptions start at one column. */
const WIDTH = 100;
const LABEL_WIDTH = 34;
const INDENT = 2;

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Markdown code spans read as plain text in a terminal. */
export function stripMarkdown(text: string): string {
  return text.replace(/`/g, '');
}

/** `(default 8)`, `(env X, else Y)`, `(required, or env X)`, or nothing. */
function describeFlagSettings(flag: FlagSpec): string {
  const fallback = flag.default === undefined ? undefined : stripMarkdown(flag.default);
  let settings: string | undefined;
  if (flag.required === true) settings = flag.env === undefined ? 'required' : `required, or env ${flag.env}`;
  else if (flag.env !== undefined)
    settings = fallback === undefined ? `env ${flag.env}` : `env ${flag.env}, else ${fallback}`;
  else if (fallback !== undefined) settings = `default ${fallback}`;
  return settings === undefined ? '' : ` (${settings})`;
}

/** `-o, --out <dir>`, with room where a flag has no short alias so the long names line up. */
export function formatFlagLabel(name: string, flag: Pick<FlagSpec, 'short' | 'value'>): string {
  return `${flag.short === undefined ? '    ' : `-${flag.short}, `}--${name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
}

function renderOption(label: string, description: readonly string[]): string[] {
  const pad = ' '.repeat(INDENT + LABEL_WIDTH + 2);
  const head = `${' '.repeat(INDENT)}${label}`;
  if (label.length > LABEL_WIDTH) return [head, ...description.map((line) => `${pad}${line}`)];
  return description.map((line, i) => (i === 0 ? `${head.padEnd(pad.length)}${line}` : `${pad}${line}`));
}

function describeFlag(flag: FlagSpec): string[] {
  const settings = describeFlagSettings(flag);
  if (typeof flag.help === 'string') return wrapText(`${flag.help}${settings}`, WIDTH - INDENT - LABEL_WIDTH - 2);
  const [first = '', ...rest] = flag.help as readonly string[];
  return [`${first}${settings}`, ...rest];
}

export function renderOptionLines(flags: FlagTable): string[] {
  const lines = Object.entries(flags).flatMap(([name, flag]) =>
    renderOption(formatFlagLabel(name, flag), describeFlag(flag)),
  );
  return [...lines, ...renderOption(formatFlagLabel('help', { short: 'h' }), ['show this help'])];
}

export function renderCommandHelp(spec: CommandSpec): string {
  const [first, ...more] = spec.usage;
  const sections = [
    [`Usage: ${first ?? `featurejob ${spec.command}`}`, ...more.map((line) => `       ${line}`)].join('\n'),
    spec.about.trimEnd(),
    [spec.optionsTitle ?? 'Options:', ...renderOptionLines(spec.flags)].join('\n'),
    ...(spec.footer === undefined ? [] : [spec.footer.trimEnd()]),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** One line (or a wrapped few) per command in `featurejob --help`. */
export interface CommandSummary {
  /** The command with its main arguments, e.g. `run <input> --out <output>`. */
  readonly synopsis: string;
  readonly summary: string;
}

export function renderMainHelp(commands: Readonly<Record<string, CommandSummary>>): string {
  const entries = Object.values(commands);
  const width = Math.max(...entries.map((entry) => entry.synopsis.length)) + 3;
  const lines = entries.flatMap(({ synopsis, summary }) =>
    wrapText(summary, WIDTH - INDENT - width).map(
      (line, i) => `${' '.repeat(INDENT)}${(i === 0 ? synopsis : '').padEnd(width)}${line}`,
    ),
  );
  return [
    'Usage: featurejob <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'featurejob <command> --help' for a command's options.",
    '',
  ].join('\n');
}
