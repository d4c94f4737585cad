#!/usr/bin/env node
/**
 * The data plane's `featurejob` command (everything but `operator`, which lives in the
 * control plane: operator/cli/featurejob.ts is the installed binary and adds it).
 */
import { runCli } from './cli-main.js';
import { DATA_PLANE_COMMANDS } from './data-plane-commands.js';

runCli(process.argv.slice(2), DATA_PLANE_COMMANDS);
