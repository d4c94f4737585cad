#!/usr/bin/env node
/**
 * The `featurejob` command. Exit codes: 0 done, 1 failed, 2 invalid arguments.
 */
import { isFeatureJobError } from '../errors.js';
import { demoCommand } from './demo-command.js';
import { inspectCommand } from './inspect-command.js';
import { modelsCommand } from './models-command.js';
import { reduceCommand } from './reduce-command.js';
import { parseRunArgs } from './parse-run-args.js';
import { runCommand } from './run-command.js';
import { MAIN_HELP, RUN_HELP } from './run-help.js';

async function main(argv: string[]): Promise<number> {
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
  process.stderr.write(`featurejob: unknown command '${command}'\n\n${MAIN_HELP}`);
  return 2;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isFeatureJobError(error)) {
      process.stderr.write(`featurejob: ${error.code}: ${error.message}\n`);
      process.exitCode = error.code === 'FJ_INVALID_ARGUMENT' ? 2 : 1;
      if (error.code === 'FJ_INVALID_ARGUMENT') {
        const command = ['models', 'demo', 'reduce', 'inspect'].includes(argv[0] ?? '') ? argv[0] : 'run';
        process.stderr.write(`Run 'featurejob ${command} --help' for usage.\n`);
      }
    } else {
      process.stderr.write(`featurejob: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
