#!/usr/bin/env node
/**
 * The installed `featurejob` binary: the data plane's commands plus `featurejob operator`.
 * It lives here so that executor/ never imports the control plane.
 */
import { runCli } from '../../executor/cli/cli-main.js';
import { FEATUREJOB_COMMANDS } from './featurejob-commands.js';

runCli(process.argv.slice(2), FEATUREJOB_COMMANDS);
