/** The commands of the installed `featurejob` binary: the data plane's, and `operator`. */
import type { CliCommands } from '../../executor/cli/cli-main.js';
import { DATA_PLANE_COMMANDS } from '../../executor/cli/data-plane-commands.js';

export const FEATUREJOB_COMMANDS: CliCommands = Object.freeze({
  ...DATA_PLANE_COMMANDS,
  operator: {
    synopsis: 'operator',
    summary: 'the Kubernetes operator (container entry point)',
    // Imported when it runs, like the data plane's commands.
    run: async (args) => (await import('./operator-command.js')).operatorCommand(args),
  },
});
