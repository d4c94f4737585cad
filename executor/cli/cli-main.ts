import { isFeatureJobError } from '../errors.js';
import { demoCommand } from './demo-command.js';
import { executorCommand } from './executor-command.js';
import { inspectCommand } from './inspect-command.js';
import { modelsCommand } from './models-command.js';
import { reduceCommand } from './reduce-command.js';
import { parseRunArgs } from './parse-run-args.js';
import { runCommand } from './run-command.js';
import { MAIN_HELP, RUN_HELP } from './run-help.js';

/** A command added by a layer above the data plane (the operator adds `operator`). */
export type ExtraCommands = Readonly<Record<string, (args: string[]) => Promise<number>>>;

async function dispatch(argv: string[], extra: ExtraCommands): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'run') {
    const parsed = parseRunArgs(rest);
    if (parsed.help) {
      process.stdout.write(RUN_HELP);
      return 0;
    }
    const result = await runCommand(parsed.config);
    return result.manifest.images.total > 0 ? 0 : 1;
  }
  if (command === 'demo') return demoCommand(rest);
  if (command === 'models') return modelsCommand(rest);
  if (command === 'reduce') return reduceCommand(rest);
  if (command === 'inspect') return inspectCommand(rest);
  if (command === 'executor') return executorCommand(rest);
  const handler = extra[command];
  if (handler !== undefined) return handler(rest);
  process.stderr.write(`featurejob: unknown command '${command}'\n\n${MAIN_HELP}`);
  return 2;
}

/**
 * The `featurejob` command. Exit codes: 0 done, 1 failed, 2 invalid arguments
 * (`executor` has its own: see executor-command.ts).
 */
export function runCli(argv: string[], extra: ExtraCommands = {}): void {
  dispatch(argv, extra).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (isFeatureJobError(error)) {
        process.stderr.write(`featurejob: ${error.code}: ${error.message}\n`);
        process.exitCode = error.code === 'FJ_INVALID_ARGUMENT' ? 2 : 1;
        if (error.code === 'FJ_INVALID_ARGUMENT') {
          const command = ['models', 'demo', 'reduce', 'inspect', 'operator'].includes(argv[0] ?? '') ? argv[0] : 'run';
          process.stderr.write(`Run 'featurejob ${command} --help' for usage.\n`);
        }
      } else {
        process.stderr.write(`featurejob: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
