import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunning, stopComponent, type ComponentProcess } from './component-process.js';

/** `.cluster/` at the repository root (git-ignored): the state of `npm run cluster -- up`. */
export const STATE_DIR = fileURLToPath(new URL('../../../.cluster', import.meta.url));

/** What `up` records in `.cluster/state.json` for `down` and `status`. */
export interface ClusterState {
  readonly server: string;
  readonly kubeconfig: string;
  readonly startedAt: string;
  /** Every detached process of the cluster, in start order (the control plane first). */
  readonly components: readonly ComponentProcess[];
}

const stateFile = (dir: string): string => join(dir, 'state.json');

export async function writeClusterState(state: ClusterState, dir = STATE_DIR): Promise<void> {
  await writeFile(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

/** The recorded state, or undefined when no cluster was brought up. */
export async function readClusterState(dir = STATE_DIR): Promise<ClusterState | undefined> {
  if (!existsSync(stateFile(dir))) return undefined;
  return JSON.parse(await readFile(stateFile(dir), 'utf8')) as ClusterState;
}

/** The recorded components that still run. */
export function runningComponents(state: ClusterState): ComponentProcess[] {
  return state.components.filter((component) => isRunning(component));
}

/**
 * Stops every recorded component (last started first; only processes whose pid still runs the
 * recorded binary) and removes the state directory.
 */
export async function tearDownCluster(dir = STATE_DIR): Promise<ComponentProcess[]> {
  const state = await readClusterState(dir);
  const stopped: ComponentProcess[] = [];
  for (const component of [...(state?.components ?? [])].reverse()) {
    if (!isRunning(component)) continue;
    await stopComponent(component);
    stopped.push(component);
  }
  await rm(dir, { recursive: true, force: true });
  return stopped;
}
