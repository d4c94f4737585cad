/**
 * The README's option tables, generated from the flag tables of both binaries' commands
 * (this is the one place that knows all of them). `npm run docs:cli` rewrites them; a unit
 * test fails when the committed README differs.
 */
import { fileURLToPath } from 'node:url';
import type { CommandSpec } from '../../executor/cli/flags/flag-table.js';
import { INSPECT_COMMAND } from '../../executor/cli/flags/inspect-flags.js';
import { MODELS_COMMAND } from '../../executor/cli/flags/models-flags.js';
import { PLAN_COMMAND } from '../../executor/cli/flags/plan-flags.js';
import { REDUCE_COMMAND } from '../../executor/cli/flags/reduce-flags.js';
import { renderFlagMarkdown } from '../../executor/cli/flags/render-flag-markdown.js';
import { rewriteFlagTables } from '../../executor/cli/flags/rewrite-flag-tables.js';
import { RUN_COMMAND } from '../../executor/cli/flags/run-flags.js';
import { VERIFY_COMMAND } from '../../executor/cli/flags/verify-flags.js';
import { OPERATOR_COMMAND } from './operator-flags.js';

/** Resolved from dist/operator/cli/ (compiled) to the repository root. */
export const README_PATH = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** Marker name (`<!-- flags:NAME -->`) → the command whose options it lists. */
export const README_FLAG_TABLES: Readonly<Record<string, CommandSpec>> = Object.freeze({
  run: RUN_COMMAND,
  plan: PLAN_COMMAND,
  'models-pull': MODELS_COMMAND,
  reduce: REDUCE_COMMAND,
  inspect: INSPECT_COMMAND,
  verify: VERIFY_COMMAND,
  operator: OPERATOR_COMMAND,
});

export function renderReadmeFlagTables(readme: string): string {
  const tables = Object.fromEntries(
    Object.entries(README_FLAG_TABLES).map(([name, spec]) => [name, renderFlagMarkdown(spec)]),
  );
  return rewriteFlagTables(readme, tables);
}
