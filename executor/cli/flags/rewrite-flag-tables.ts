/**
 * Replaces the generated option tables in a markdown document. Each sits between
 * `<!-- flags:NAME -->` and `<!-- /flags -->` lines; the prose around them is left alone.
 */

const MARKED_TABLE = /^<!-- flags:([a-z][a-z-]*) -->\n[\s\S]*?^<!-- \/flags -->$/gm;

/**
 * Every marker must name a table and every table must be marked exactly once, so a table
 * can neither go stale unseen nor be dropped from the document by accident.
 */
export function rewriteFlagTables(markdown: string, tables: Readonly<Record<string, string>>): string {
  const seen = new Map<string, number>();
  const rewritten = markdown.replace(MARKED_TABLE, (_, name: string) => {
    const table = tables[name];
    if (table === undefined)
      throw new Error(`<!-- flags:${name} --> names no flag table (known: ${Object.keys(tables).join(', ')})`);
    seen.set(name, (seen.get(name) ?? 0) + 1);
    return `<!-- flags:${name} -->\n${table.endsWith('\n') ? table : `${table}\n`}<!-- /flags -->`;
  });
  for (const name of Object.keys(tables)) {
    const count = seen.get(name) ?? 0;
    if (count !== 1) throw new Error(`expected one <!-- flags:${name} --> … <!-- /flags --> block, found ${count}`);
  }
  return rewritten;
}
