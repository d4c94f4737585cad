/**
 * The shape of a command's flag table: the one place a flag is written. Parsing
 * (parse-command-line.ts), `--help` (render-help.ts) and the README's option tables
 * (render-flag-markdown.ts) are all derived from it, so they cannot disagree.
 */
import type { z } from 'zod';

/** The two kinds node:util parseArgs knows; every other type is a string run through `schema`. */
export const FlagTypes = ['string', 'boolean'] as const;
export type FlagType = (typeof FlagTypes)[number];

export interface FlagSpec {
  readonly type: FlagType;
  /** One-letter alias, without the dash. */
  readonly short?: string;
  /** The value's placeholder in `--help`, e.g. `<n>` (string flags). */
  readonly value?: string;
  /** The settings field the flag fills; default: its name in camelCase (`batch-size` → `batchSize`). */
  readonly key?: string;
  /** Validates or converts the raw value; a failure is FJ_INVALID_ARGUMENT naming the flag. */
  readonly schema?: z.ZodType;
  /** The default as a reader should see it (markdown: backticks are dropped in `--help`). */
  readonly default?: string;
  readonly required?: boolean;
  /** An environment variable read when the flag is absent (an empty value counts as absent). */
  readonly env?: string;
  /** `--help` text: a string is word-wrapped; an array is printed line by line as written. */
  readonly help: string | readonly string[];
  /** The README's meaning cell (markdown, one line); default: the help text on one line. */
  readonly readme?: string;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** The one positional argument a command takes (`<input>`, `<output>`, a model name). */
export interface PositionalSpec {
  readonly name: string;
  /** The settings field it fills, when the command's settings include it. */
  readonly key?: string;
  readonly help: string;
  readonly readme?: string;
}

export interface CommandSpec<F extends FlagTable = FlagTable> {
  /** As typed after `featurejob`, e.g. `run` or `models`. */
  readonly command: string;
  /** Usage lines without the leading `Usage: `. */
  readonly usage: readonly string[];
  /** Preformatted paragraphs between the usage and the options. */
  readonly about: string;
  readonly positional?: PositionalSpec;
  readonly flags: F;
  /** Preformatted text after the options (exit codes, references). */
  readonly footer?: string;
  /** A heading for the options in `--help` (default `Options:`). */
  readonly optionsTitle?: string;
}

/** What a flag holds once parsed: its schema's output, else a string or a boolean. */
export type FlagValue<S extends FlagSpec> = S extends { schema: z.ZodType<infer O> }
  ? O
  : S['type'] extends 'boolean'
    ? boolean
    : string;

/** Parsed flags by flag name; absent flags (without an environment fallback) are undefined. */
export type FlagValues<F extends FlagTable> = { readonly [K in keyof F]?: FlagValue<F[K]> };

/** Declares a command's table; `const` keeps the literal types that FlagValues reads. */
export function defineCommand<const F extends FlagTable>(spec: CommandSpec<F>): CommandSpec<F> {
  return Object.freeze(spec);
}

/** `batch-size` → `batchSize`, unless the flag names its field. */
export function computeFlagKey(name: string, flag: FlagSpec): string {
  return flag.key ?? name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
