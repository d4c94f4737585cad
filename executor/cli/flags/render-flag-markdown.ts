/**
 * A command's option reference as a GitHub-flavoured markdown table (the README's), from the
 * same flag table as parsing and `--help`.
 */
import type { CommandSpec, FlagSpec } from './flag-table.js';

/** A `|` inside a cell, even in a code span, would end the cell. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function describeDefault(flag: FlagSpec): string {
  if (flag.required === true) return flag.env === undefined ? '(required)' : `(required), or \`${flag.env}\``;
  if (flag.env === undefined) return flag.default ?? '';
  return flag.default === undefined ? `\`${flag.env}\`` : `\`${flag.env}\`, else ${flag.default}`;
}

function describeMeaning(flag: FlagSpec): string {
  if (flag.readme !== undefined) return flag.readme;
  return typeof flag.help === 'string'
    ? flag.help
    : (flag.help as readonly string[]).map((line) => line.trim()).join(' ');
}

export function renderFlagMarkdown(spec: CommandSpec): string {
  const rows: string[][] = [];
  if (spec.positional !== undefined)
    rows.push([`\`<${spec.positional.name}>\``, '', spec.positional.readme ?? spec.positional.help]);
  for (const [name, flag] of Object.entries(spec.flags)) {
    const label = `${flag.short === undefined ? '' : `-${flag.short}, `}--${name}`;
    rows.push([`\`${label}\``, describeDefault(flag), describeMeaning(flag)]);
  }
  const lines = [
    ['option', 'default', 'meaning'],
    ['---', '---', '---'],
    ...rows.map((row) => row.map(escapeCell)),
  ].map((cells) => `| ${cells.join(' | ')} |`.replace(/ {2,}\|/g, ' |'));
  // The separator row as the README writes it.
  lines[1] = '|---|---|---|';
  return `${lines.join('\n')}\n`;
}
