import { isFeatureJobError } from '../errors.js';
import { renderMainHelp, type CommandSummary } from './flags/render-help.js';

/** A `featurejob` command: what `featurejob --help` says of it, and how it runs. */
export interface CliCommand extends CommandSummary {
  /** Returns the exit code; FJ_INVALID_ARGUMENT thrown from here is exit code 2. */
  run(args: string[]): Promise<number>;
}

/** The commands one binary knows, in `--help` order. */
export type CliCommands = Readonly<Record<string, CliCommand>>;

export interface CliStreams {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

async function dispatch(argv: string[], commands: CliCommands, streams: CliStreams): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    streams.out.write(renderMainHelp(commands));
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    streams.err.write(`featurejob: unknown command '${name}'\n\n${renderMainHelp(commands)}`);
    return 2;
  }
  return command.run(rest);
}

/**
 * The `featurejob` command line with the given commands; resolves to the exit code:
 * 0 done, 1 failed, 2 invalid arguments (`executor` has its own: see executor-command.ts).
 */
export async function runCliCommand(
  argv: string[],
  commands: CliCommands,
  streams: CliStreams = { out: process.stdout, err: process.stderr },
): Promise<number> {
  try {
    return await dispatch(argv, commands, streams);
  } catch (error) {
    if (!isFeatureJobError(error)) {
      streams.err.write(
        `featurejob: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return 1;
    }
    streams.err.write(`featurejob: ${error.code}: ${error.message}\n`);
    if (error.code !== 'FJ_INVALID_ARGUMENT') return 1;
    // Only a known command gets this far, so its own help exists.
    streams.err.write(`Run 'featurejob ${argv[0]} --help' for usage.\n`);
    return 2;
  }
}

/** Runs the command line and leaves its exit code on the process. */
export function runCli(argv: string[], commands: CliCommands): void {
  void runCliCommand(argv, commands).then((code) => {
    process.exitCode = code;
  });
}
