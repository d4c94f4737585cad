import { spawn } from 'node:child_process';

/** The failure when `go` cannot be started at all. */
export class GoMissingError extends Error {
  constructor(cause: string) {
    super(
      `cannot run go (${cause}). The test control plane builds etcd, Kubernetes and helm from ` +
        'their Go modules: install Go (the version in test/cluster/go/*/go.mod or newer) and put it on PATH.',
    );
    this.name = 'GoMissingError';
  }
}

export interface RunGoOptions {
  /** The module directory to run in. */
  readonly cwd: string;
  /** Added to the environment (CGO_ENABLED, GOBIN, ...). */
  readonly env?: Record<string, string>;
}

/**
 * Runs the `go` command at the lowest CPU priority (`nice -n 19` where there is a nice, so a
 * tens-of-minutes build leaves the machine usable) and resolves with its stdout. It never
 * downloads another toolchain (GOTOOLCHAIN=local) and ignores any go.work above the module.
 * Rejects with GoMissingError when Go is not installed, or with the tail of its output.
 */
export function runGo(args: readonly string[], options: RunGoOptions): Promise<string> {
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', ...options.env };
  const [command, commandArgs] =
    process.platform === 'win32' ? ['go', [...args]] : ['nice', ['-n', '19', 'go', ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      output = (output + chunk.toString('utf8')).slice(-8000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    });
    child.on('error', (error) => reject(new GoMissingError(error.message)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      // nice reports a command it cannot find with status 127.
      else if (code === 127 && /go.*(not found|No such file)/i.test(output)) reject(new GoMissingError(output.trim()));
      else reject(new Error(`go ${args.join(' ')} failed (${signal ?? code}) in ${options.cwd}:\n${output}`));
    });
  });
}
