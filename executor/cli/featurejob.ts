#!/usr/bin/env node
/**
 * The data plane's `featurejob` command (everything but `operator`, which lives in the
 * control plane: operator/cli/featurejob.ts is the installed binary and adds it).
 */
import { runCli } from './cli-main.js';

runCli(process.argv.slice(2));
