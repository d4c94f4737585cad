import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { constants } from 'node:os';

export interface ContainerExit {
  /** The exit status, or 128 + the signal's number for a process killed by a signal (SIGKILL: 137). */
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  readonly finishedAt: Date;
}

export interface ContainerProcess {
  readonly pid: number;
  readonly startedAt: Date;
  /** Resolves when the main process has exited (its session may still hold orphans). */
  readonly exited: Promise<ContainerExit>;
}

export interface SpawnContainerOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** stdout and stderr are appended here (a restarted container keeps appending). */
  readonly logPath: string;
}

/** The exit code a container runtime reports for a process ended by `signal`. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Starts the container's process in a session of its own (so the agent can signal its whole
 * tree through the process group, and it is not killed with the agent's terminal). Rejects,
 * with the reason the runtime would give, when the executable cannot be started.
 */
export function spawnContainerProcess(options: SpawnContainerOptions): Promise<ContainerProcess> {
  const [file, ...args] = options.argv as [string, ...string[]];
  const fd = openSync(options.logPath, 'a');
  try {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    return new Promise((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'ENOENT' ? `exec: "${file}": executable file not found in $PATH` : error.message;
        reject(new Error(`failed to start container process: ${why}`));
      });
      child.once('spawn', () => {
        const startedAt = new Date();
        const exited = new Promise<ContainerExit>((done) => {
          child.once('exit', (code, signal) => {
            done({ exitCode: signal === null ? (code ?? 0) : signalExitCode(signal), signal, finishedAt: new Date() });
          });
        });
        // Detached children would otherwise keep the agent's event loop alive past stop().
        child.unref();
        resolve({ pid: child.pid!, startedAt, exited });
      });
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * The end of a container log for the termination message, as the kubelet's
 * FallbackToLogsOnError takes it: the last 80 lines, at most 4096 bytes.
 */
export async function readLogTail(logPath: string, maxBytes = 4096, maxLines = 80): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(logPath, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    return lines.slice(-maxLines - 1).join('\n');
  } finally {
    await handle.close();
  }
}
