import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** A running component of the test cluster: what `down` and `status` need to find it again. */
export interface ComponentProcess {
  readonly name: string;
  readonly pid: number;
  /** The executable, to tell the process from a later one that reused its pid. */
  readonly binary: string;
  /** stdout and stderr go here. */
  readonly log: string;
}

export interface LaunchOptions {
  readonly env?: Record<string, string>;
  /**
   * In its own session, not waited for and not killed with this process: for `npm run cluster
   * -- up`, whose components outlive the command.
   */
  readonly detached?: boolean;
}

/** Starts `binary args...` with stdout and stderr appended to `log`. */
export function launchComponent(
  name: string,
  binary: string,
  args: readonly string[],
  log: string,
  options: LaunchOptions = {},
): Promise<ComponentProcess> {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(binary, args, {
      detached: options.detached === true,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', fd, fd],
    });
    return new Promise((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${name} (${binary}): ${error.message}`)));
      child.once('spawn', () => {
        if (options.detached === true) child.unref();
        resolve({ name, pid: child.pid!, binary, log });
      });
    });
  } finally {
    closeSync(fd);
  }
}

/** Whether the component still runs (its pid is alive and runs its binary, where /proc tells). */
export function isRunning(component: Pick<ComponentProcess, 'pid' | 'binary'>): boolean {
  try {
    process.kill(component.pid, 0);
  } catch {
    return false;
  }
  try {
    const status = readFileSync(`/proc/${component.pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z /.test(status)) return false; // exited, not yet reaped
    const argv0 = readFileSync(`/proc/${component.pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 === component.binary;
  } catch {
    return process.platform !== 'linux'; // no /proc: trust the pid
  }
}

async function waitUntilGone(component: ComponentProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(component)) {
    if (Date.now() > deadline) return false;
    await delay(50);
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopComponent(component: ComponentProcess, graceMs = 10_000): Promise<void> {
  if (!isRunning(component)) return;
  process.kill(component.pid, 'SIGTERM');
  if (await waitUntilGone(component, graceMs)) return;
  if (isRunning(component)) process.kill(component.pid, 'SIGKILL');
  if (!(await waitUntilGone(component, 10_000)))
    throw new Error(`${component.name} (pid ${component.pid}) does not exit`);
}

/** The last `chars` characters of a component's log, for error messages. */
export async function logTail(component: Pick<ComponentProcess, 'log'>, chars = 4000): Promise<string> {
  try {
    return (await readFile(component.log, 'utf8')).slice(-chars);
  } catch {
    return '(no log)';
  }
}
