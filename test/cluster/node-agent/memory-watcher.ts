import { processTrees, treeResidentBytes } from './process-tree.js';

/** A running container with a memory limit. */
export interface MemoryLimitedProcess {
  readonly pid: number;
  readonly limitBytes: number;
  /** Called once per tick while the tree's resident memory is above the limit. */
  onExceeded(usedBytes: number): void;
}

export interface MemoryWatcher {
  stop(): void;
}

/** How often memory is sampled: often enough that a runaway allocation is caught near the limit. */
export const MEMORY_POLL_INTERVAL_MS = 250;

/**
 * Enforces memory limits without cgroups: every tick, sums VmRSS over each limited
 * container's process tree and reports the ones above their limit (the agent then kills the
 * tree and reports OOMKilled, as a real node's OOM killer and kubelet would). Polling misses
 * spikes shorter than a tick, and RSS leaves out the page cache a cgroup would also count.
 */
export function startMemoryWatcher(
  targets: () => readonly MemoryLimitedProcess[],
  intervalMs = MEMORY_POLL_INTERVAL_MS,
): MemoryWatcher {
  const timer = setInterval(() => {
    const limited = targets();
    if (limited.length === 0) return;
    const trees = processTrees(limited.map((target) => target.pid));
    for (const target of limited) {
      const used = treeResidentBytes(trees.get(target.pid) ?? []);
      if (used > target.limitBytes) target.onExceeded(used);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
