import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ClusterCertificates } from '../cluster-certificates.js';
import { isRunning, launchComponent, logTail, type ComponentProcess } from '../component-process.js';
import { httpsGet } from '../https-get.js';
import type { NodeAgentConfig } from './node-agent-config.js';
import type { NodeDefinition } from './node-object.js';

const MAIN_SCRIPT = fileURLToPath(new URL('./node-agent-main.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** The repository's compiled featurejob CLI, which `featurejob` commands in pods run. */
export const FEATUREJOB_SCRIPT = fileURLToPath(new URL('../../../executor/cli/featurejob.js', import.meta.url));

/** The executor node of `npm run cluster -- up`: like one node of the EKS executor node group. */
export const EXECUTOR_NODE: NodeDefinition = {
  name: 'executor-1',
  labels: { 'featurejob.dev/node-group': 'executors', 'node.kubernetes.io/instance-type': 'm5.xlarge' },
  taints: [{ key: 'featurejob.dev/executors', value: 'true', effect: 'NoSchedule' }],
};

export interface LaunchNodeAgentOptions {
  /** Holds node-agent.json, the pods' directories (node-agent/) and logs/node-agent.log. */
  readonly dir: string;
  readonly server: string;
  readonly certificates: ClusterCertificates;
  readonly nodes: readonly NodeDefinition[];
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly detached: boolean;
}

async function nodesReady(
  server: string,
  certificates: ClusterCertificates,
  names: readonly string[],
): Promise<boolean> {
  const tls = { ca: certificates.ca.cert, cert: certificates.clients.admin.cert, key: certificates.clients.admin.key };
  for (const name of names) {
    const { status, body } = await httpsGet(`${server}/api/v1/nodes/${encodeURIComponent(name)}`, tls);
    if (status !== 200) return false;
    const node = JSON.parse(body) as { status?: { conditions?: { type: string; status: string }[] } };
    if (!(node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) return false;
  }
  return true;
}

/**
 * Starts node-agent-main.js as a process of its own (`featurejob` commands run the
 * repository's dist/executor/cli/featurejob.js with this Node) and resolves once every node
 * is Ready. The process is returned as soon as it starts through `onLaunch`, so that the
 * caller records it even if it never gets ready.
 */
export async function launchNodeAgent(
  options: LaunchNodeAgentOptions,
  onLaunch: (component: ComponentProcess) => void | Promise<void>,
): Promise<ComponentProcess> {
  const { dir, certificates } = options;
  const config: NodeAgentConfig = {
    server: options.server,
    ca: certificates.ca.cert,
    cert: certificates.clients.admin.cert,
    key: certificates.clients.admin.key,
    nodes: options.nodes.map((node) => ({ ...node, labels: { ...node.labels }, taints: [...(node.taints ?? [])] })),
    commandMap: { featurejob: [process.execPath, FEATUREJOB_SCRIPT] },
    extraEnv: { ...options.extraEnv },
    workDir: join(dir, 'node-agent'),
  };
  const configPath = join(dir, 'node-agent.json');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  await mkdir(join(dir, 'logs'), { recursive: true });
  const component = await launchComponent(
    'node-agent',
    process.execPath,
    [MAIN_SCRIPT, configPath],
    join(dir, 'logs', 'node-agent.log'),
    {
      detached: options.detached,
      // Pods get the agent's HOME, so the executor finds the models cached under ~/.cache.
      env: { HOME: process.env.HOME ?? '/root' },
    },
  );
  await onLaunch(component);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const names = options.nodes.map((node) => node.name);
  for (;;) {
    if (!isRunning(component))
      throw new Error(
        `the node agent exited during startup; the end of ${component.log}:\n${await logTail(component)}`,
      );
    if (await nodesReady(options.server, certificates, names).catch(() => false)) return component;
    if (Date.now() > deadline)
      throw new Error(`nodes ${names.join(', ')} not Ready within ${READY_TIMEOUT_MS} ms; see ${component.log}`);
    await delay(250);
  }
}
