/**
 * Parses a command line with its flag table: node:util parseArgs options derived from the
 * table, then the positional argument, environment fallbacks, required flags and each flag's
 * schema. Every mistake is FJ_INVALID_ARGUMENT (exit code 2) naming the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { FeatureJobError } from '../../errors.js';
import { computeFlagKey, type CommandSpec, type FlagTable, type FlagValues } from './flag-table.js';

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommandLine<F extends FlagTable> {
  /** `-h`/`--help` was given: nothing else was checked. */
  readonly help: boolean;
  readonly positionals: readonly string[];
  /** By flag name. */
  readonly values: FlagValues<F>;
  /** By settings key (the positional too, when it has one): ready for the command's zod schema. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The parseArgs options a table stands for, with `-h, --help` on every command. */
export function buildParseArgsOptions(flags: FlagTable): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const [name, flag] of Object.entries(flags))
    options[name] = { type: flag.type, ...(flag.short === undefined ? {} : { short: flag.short }) };
  options.help = { type: 'boolean', short: 'h' };
  return options;
}

function invalid(message: string): FeatureJobError {
  return new FeatureJobError('FJ_INVALID_ARGUMENT', message);
}

function describeMissingFlag(name: string, spec: CommandSpec): string {
  const flag = spec.flags[name]!;
  const env = flag.env === undefined ? '' : ` (or ${flag.env})`;
  return `missing --${name}${flag.value === undefined ? '' : ` ${flag.value}`}${env}`;
}

function checkPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const { positional } = spec;
  if (positional === undefined) {
    if (positionals.length > 0)
      throw invalid(`unexpected argument '${positionals[0]}': 'featurejob ${spec.command}' takes options only`);
    return;
  }
  if (positionals.length === 0) throw invalid(`missing <${positional.name}>: ${positional.help}`);
  if (positionals.length > 1)
    throw invalid(`expected one <${positional.name}>, got ${positionals.length}: ${positionals.join(' ')}`);
}

function describeIssues(label: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => `${label}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}

export function parseCommandLine<F extends FlagTable>(
  spec: CommandSpec<F>,
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): ParsedCommandLine<F> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: parseArgs infers the type from its options, assigned in the try
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: buildParseArgsOptions(spec.flags),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // Unknown option, missing value, a value given to a boolean flag.
    throw invalid((error as Error).message);
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  if (raw.help === true) return { help: true, positionals: parsed.positionals, values: {}, fields: {} };
  checkPositionals(spec, parsed.positionals);
  const env = options.env ?? process.env;
  const values: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  if (spec.positional?.key !== undefined) fields[spec.positional.key] = parsed.positionals[0];
  const problems: string[] = [];
  for (const [name, flag] of Object.entries(spec.flags)) {
    const fallback = flag.env === undefined || env[flag.env] === '' ? undefined : env[flag.env];
    const given = raw[name] ?? fallback;
    if (given === undefined) {
      if (flag.required === true) throw invalid(describeMissingFlag(name, spec));
      continue;
    }
    let value: unknown = given;
    if (flag.schema !== undefined) {
      const result = flag.schema.safeParse(given);
      if (!result.success) {
        problems.push(describeIssues(`--${name}`, result.error));
        continue;
      }
      value = result.data;
    }
    values[name] = value;
    fields[computeFlagKey(name, flag)] = value;
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
  return { help: false, positionals: parsed.positionals, values: values as FlagValues<F>, fields };
}

/**
 * Runs the command's settings schema over parsed fields; its zod issues become one
 * FJ_INVALID_ARGUMENT naming the flags (or the positional) that supplied the bad fields.
 */
export function parseCommandSettings<T>(
  spec: CommandSpec,
  fields: Readonly<Record<string, unknown>>,
  parse: (fields: Record<string, unknown>) => T,
): T {
  try {
    return parse({ ...fields });
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    const labels = new Map<string, string>(
      Object.entries(spec.flags).map(([name, flag]) => [computeFlagKey(name, flag), `--${name}`]),
    );
    if (spec.positional?.key !== undefined) labels.set(spec.positional.key, `<${spec.positional.name}>`);
    const message = error.issues
      .map((issue) => {
        const [key, ...rest] = issue.path.map(String);
        const label = labels.get(key ?? '') ?? key ?? 'settings';
        return `${label}: ${rest.length > 0 ? `${rest.join('.')}: ` : ''}${issue.message}`;
      })
      .join('; ');
    throw invalid(message);
  }
}
