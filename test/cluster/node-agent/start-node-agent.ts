import { mkdir } from 'node:fs/promises';
import type { CertificateFiles } from '../cluster-certificates.js';
import { KubeApi, type KubeApiCredentials } from './kube-api.js';
import { readCertificateCredentials, readKubeconfigCredentials } from './kube-credentials.js';
import { startMemoryWatcher } from './memory-watcher.js';
import type { NodeDefinition } from './node-object.js';
import { deleteNode, ensureNode, renewNodeLease, startNodeHeartbeat } from './node-registration.js';
import { PodRunner, type PodRunnerContext } from './pod-runner.js';
import type { Pod } from './pod-types.js';
import { startPodWatcher, type PodWatcher } from './pod-watcher.js';
import { signalTree } from './process-tree.js';

export type { NodeDefinition, NodeTaint } from './node-object.js';

export interface NodeAgentOptions {
  /** `https://127.0.0.1:PORT`; required with `certificates`, overrides the kubeconfig's server. */
  readonly server?: string;
  /** The control plane's certificates (startControlPlane().certificates): the agent acts as admin. */
  readonly certificates?: {
    readonly ca: Pick<CertificateFiles, 'cert'>;
    readonly clients: { readonly admin: CertificateFiles };
  };
  /** Or a kubeconfig with a client certificate (the control plane's admin kubeconfig). */
  readonly kubeconfig?: string;
  readonly nodes: readonly NodeDefinition[];
  /**
   * Maps a container's command + args to the local argv to run, e.g. `['featurejob',
   * 'executor']` to `[process.execPath, '<repo>/dist/executor/cli/featurejob.js', 'executor']`.
   * Default: the raw argv (looked up on PATH).
   */
  readonly commandMap?: (command: readonly string[]) => string[];
  /** Added to every container's environment (the container's own env wins). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Each pod gets a directory here (volumes, the container log); kept after stop(). */
  readonly workDir: string;
  readonly log?: (line: string) => void;
}

export interface RunningPod {
  readonly namespace: string;
  readonly name: string;
  readonly pid: number;
  /** The container's stdout and stderr. */
  readonly logPath: string;
}

export interface NodeAgent {
  /** Kills every pod process, stops watching and heartbeating, and deletes the Node objects. */
  stop(): Promise<void>;
  /** The pods whose process runs now. */
  runningPods(): RunningPod[];
  /** Sends `signal` to a pod's main process; false when the pod has no running process here. */
  killPod(namespace: string, name: string, signal: NodeJS.Signals): boolean;
  /** Where a pod's container log is (running or finished), or undefined for a pod this agent never saw. */
  podLogPath(namespace: string, name: string): string | undefined;
}

const STOP_TIMEOUT_MS = 15_000;

async function resolveCredentials(options: NodeAgentOptions): Promise<KubeApiCredentials> {
  if (options.kubeconfig !== undefined) {
    const fromFile = await readKubeconfigCredentials(options.kubeconfig);
    return options.server === undefined ? fromFile : { ...fromFile, server: options.server };
  }
  if (options.certificates === undefined || options.server === undefined) {
    throw new Error('startNodeAgent needs either `kubeconfig`, or `server` and `certificates`');
  }
  const { ca, clients } = options.certificates;
  return readCertificateCredentials(options.server, { ca: ca.cert, cert: clients.admin.cert, key: clients.admin.key });
}

/**
 * A test-only kubelet: registers `nodes` (Ready, Lease renewed), runs the pods the scheduler
 * binds to them as local processes (one container each; no images, network namespaces,
 * probes or cgroups), enforces memory limits by RSS polling, and reports pod status and
 * finishes deletions like a kubelet. See docs/test-control-plane.md.
 */
export async function startNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  if (options.nodes.length === 0) throw new Error('startNodeAgent: no nodes');
  const log = options.log ?? (() => {});
  const api = new KubeApi(await resolveCredentials(options));
  const apiserverPort = new URL(api.server).port || '443';
  await mkdir(options.workDir, { recursive: true });

  const runners = new Map<string, PodRunner>();
  let stopping = false;
  // Nothing may outlive this process: pods run in sessions of their own, so kill them explicitly.
  const killOnExit = (): void => {
    for (const runner of runners.values()) if (runner.pid !== undefined) signalTree(runner.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  const since = new Date();
  const registered: { definition: NodeDefinition; uid: string }[] = [];
  try {
    for (const definition of options.nodes) {
      const uid = await ensureNode(api, definition, since);
      await renewNodeLease(api, definition.name, uid);
      registered.push({ definition, uid });
      log(`node ${definition.name} registered`);
    }
  } catch (error) {
    process.removeListener('exit', killOnExit);
    api.close();
    throw error;
  }
  const heartbeat = startNodeHeartbeat(api, registered, since, log);

  const allocatable = new Map(
    options.nodes.map((node) => [node.name, { cpu: node.cpu ?? '4', memory: node.memory ?? '14162Mi' }]),
  );
  const context: PodRunnerContext = {
    api,
    workDir: options.workDir,
    apiserverPort,
    extraEnv: options.extraEnv ?? {},
    commandMap: options.commandMap ?? ((command) => [...command]),
    allocatable: (nodeName) => allocatable.get(nodeName) ?? { cpu: '4', memory: '14162Mi' },
    log,
    isStopping: () => stopping,
  };
  // Finished pods stay known (keyed by uid) so that a later event never starts them again.
  const onPod = (pod: Pod): void => {
    let runner = runners.get(pod.metadata.uid);
    if (runner === undefined) {
      runner = new PodRunner(pod, context);
      runners.set(pod.metadata.uid, runner);
    }
    runner.update(pod);
  };
  const onPodGone = (pod: Pod): void => {
    runners.get(pod.metadata.uid)?.podGone();
    runners.delete(pod.metadata.uid);
  };
  const watchers: PodWatcher[] = options.nodes.map((node) =>
    startPodWatcher({ api, nodeName: node.name, onPod, onPodGone, log }),
  );
  const memoryWatcher = startMemoryWatcher(() =>
    [...runners.values()].flatMap((runner) => {
      const pid = runner.pid;
      const limitBytes = runner.memoryLimitBytes;
      if (pid === undefined || limitBytes === undefined) return [];
      return [{ pid, limitBytes, onExceeded: (used: number) => runner.memoryExceeded(used) }];
    }),
  );

  const findRunner = (namespace: string, name: string): PodRunner | undefined => {
    let found: PodRunner | undefined;
    // The newest runner of that name wins (a deleted pod's name may be reused).
    for (const runner of runners.values()) if (runner.namespace === namespace && runner.name === name) found = runner;
    return found;
  };

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        for (const watcher of watchers) watcher.stop();
        heartbeat.stop();
        memoryWatcher.stop();
        api.closeWatches();
        const killed = Promise.all([...runners.values()].map((runner) => runner.killNow()));
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
        await Promise.race([killed, timeout]);
        killOnExit();
        for (const node of options.nodes) {
          await deleteNode(api, node.name).catch((error: unknown) => {
            log(`cannot delete node ${node.name}: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
        api.close();
        process.removeListener('exit', killOnExit);
      })();
      return stopped;
    },
    runningPods() {
      return [...runners.values()].flatMap((runner) => {
        const pid = runner.pid;
        return pid === undefined
          ? []
          : [{ namespace: runner.namespace, name: runner.name, pid, logPath: runner.logPath }];
      });
    },
    killPod(namespace, name, signal) {
      return findRunner(namespace, name)?.kill(signal) ?? false;
    },
    podLogPath(namespace, name) {
      return findRunner(namespace, name)?.logPath;
    },
  };
}
