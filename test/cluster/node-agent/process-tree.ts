import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process trees from /proc (Linux). Each pod's process is started in its own session (setsid),
 * so its tree is every process in that session plus any descendant by parent pid (one that
 * started a session of its own stays a descendant while its parent lives).
 */

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly session: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // state, ppid, pgrp, session
    if (fields[0] === 'Z') return undefined; // exited; holds no memory
    return { pid, ppid: Number(fields[1]), session: Number(fields[3]) };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) stats.push(stat);
  }
  return stats;
}

/**
 * For each root pid, the pids of its tree (the root first, if alive). One pass over /proc
 * serves all roots, which matters when the memory watcher asks four times a second.
 */
export function processTrees(roots: readonly number[]): Map<number, number[]> {
  const trees = new Map<number, number[]>();
  if (roots.length === 0) return trees;
  const processes = allProcesses();
  const children = new Map<number, number[]>();
  for (const stat of processes) {
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [stat.pid]);
    else siblings.push(stat.pid);
  }
  for (const root of roots) {
    const members = new Set<number>();
    const stack = processes.some((stat) => stat.pid === root) ? [root] : [];
    for (const stat of processes) if (stat.session === root) stack.push(stat.pid);
    while (stack.length > 0) {
      const pid = stack.pop()!;
      if (members.has(pid)) continue;
      members.add(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    trees.set(
      root,
      [...members].sort((a, b) => (a === root ? -1 : b === root ? 1 : a - b)),
    );
  }
  return trees;
}

/** Resident memory of one process in bytes (VmRSS), 0 when it is gone or a kernel thread. */
export function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** The sum of VmRSS over a tree (shared pages count once per process, as RSS does). */
export function treeResidentBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += residentBytes(pid);
  return total;
}

/** Sends `signal` to the root's session (process group) and every process of its tree. */
export function signalTree(root: number, signal: NodeJS.Signals): void {
  const pids = processTrees([root]).get(root) ?? [];
  try {
    process.kill(-root, signal);
  } catch {
    // the group leader's group may be empty already
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}
