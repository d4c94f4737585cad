import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCacheDir } from './cache-dir.js';

export const CLI_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'executor', 'cli', 'featurejob.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for CLI runs in tests: models cached across tests, quiet progress. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, FEATUREJOB_CACHE: testCacheDir('featurejob-cache'), ...extra };
}

/** Runs the real `featurejob` command as a user would, in its own process group. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; onStart?: (pid: number) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: options.env ?? cliEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (child.pid !== undefined) options.onStart?.(child.pid);
  });
}
