import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a CLI (the pinned kubectl or helm) with `env` added to this process's environment
 * (typically `{ KUBECONFIG }`) and optional stdin (a manifest for `kubectl apply -f -`).
 * Resolves whatever the exit status; see `checked()` for the throwing form.
 */
export function runCommand(
  binary: string,
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** The stdout of a command that must succeed; otherwise an error with its stderr. */
export async function checked(result: Promise<CommandResult>, what: string): Promise<string> {
  const { code, stdout, stderr } = await result;
  if (code !== 0) throw new Error(`${what} exited ${code}: ${stderr || stdout}`);
  return stdout;
}
