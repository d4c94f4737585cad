import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeApi } from './kube-api.js';
import { writeInClusterKubeconfig } from './in-cluster-kubeconfig.js';
import { buildContainerArgv, buildContainerEnv } from './pod-env.js';
import { PodSpecError } from './pod-spec-error.js';
import type { Container, Pod } from './pod-types.js';
import { prepareVolumes, rewriteMountedPath, type HostMount } from './pod-volumes.js';
import { parseMemoryBytes } from './quantity.js';

/** The prepared container: what each (re)start of its process needs. */
export interface PreparedContainer {
  readonly container: Container;
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly mounts: HostMount[];
  /** resources.limits.memory in bytes, enforced by the memory watcher. */
  readonly limitBytes: number | undefined;
}

export interface PrepareContainerOptions {
  readonly api: KubeApi;
  readonly pod: Pod;
  /** The pod's own directory: volumes, the log, the termination-log file; the default cwd. */
  readonly podDir: string;
  readonly apiserverPort: string;
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly allocatable: { readonly cpu: string; readonly memory: string };
  readonly commandMap: (command: readonly string[]) => string[];
}

/**
 * Everything the kubelet and the runtime do before a container starts, as far as the agent
 * does it: checks the pod is one it can run (exactly one container, no init containers),
 * creates the volumes, resolves env and argv (KUBECONFIG for a mounted ServiceAccount token:
 * in-cluster-kubeconfig.ts), picks the working directory and parses the memory limit.
 * Throws PodSpecError with the reason when it cannot.
 */
export async function prepareContainer(options: PrepareContainerOptions): Promise<PreparedContainer> {
  const { api, pod, podDir } = options;
  const { spec } = pod;
  if (spec.containers.length !== 1) {
    throw new PodSpecError(
      'Unsupported',
      `the node agent runs pods with exactly one container, not ${spec.containers.length}`,
    );
  }
  if ((spec.initContainers ?? []).length > 0)
    throw new PodSpecError('Unsupported', 'the node agent does not run init containers');
  const container = spec.containers[0]!;
  await mkdir(podDir, { recursive: true });
  const cache = new Map<string, Promise<Record<string, Buffer> | undefined>>();
  const volumeMounts = await prepareVolumes(api, pod, container, podDir, cache);
  // The kubelet mounts a file at terminationMessagePath; here the path is rewritten to one.
  const messagePath = container.terminationMessagePath ?? '/dev/termination-log';
  const mounts = [...volumeMounts, { mountPath: messagePath, hostPath: join(podDir, 'termination-log') }].sort(
    (a, b) => b.mountPath.length - a.mountPath.length,
  );
  const env = await buildContainerEnv({
    api,
    pod,
    container,
    mounts,
    apiserverPort: options.apiserverPort,
    extraEnv: options.extraEnv,
    allocatable: options.allocatable,
    cache,
  });
  // The ServiceAccount token's fixed in-cluster path cannot exist here: a kubeconfig names it.
  const inCluster = await writeInClusterKubeconfig({
    mounts: volumeMounts,
    podDir,
    apiserverPort: options.apiserverPort,
  });
  if (inCluster !== undefined && env.KUBECONFIG === undefined) env.KUBECONFIG = inCluster;
  const argv = buildContainerArgv(container, env, mounts, options.commandMap);
  // A workingDir under a mount becomes its host path; any other would be in the image: the pod dir stands in.
  const workingDir = container.workingDir === undefined ? undefined : rewriteMountedPath(container.workingDir, mounts);
  const cwd = workingDir !== undefined && workingDir !== container.workingDir ? workingDir : podDir;
  await mkdir(cwd, { recursive: true });
  const limit = container.resources?.limits?.memory;
  let limitBytes: number | undefined;
  try {
    limitBytes = limit === undefined ? undefined : parseMemoryBytes(limit);
  } catch (error) {
    throw new PodSpecError(
      'ConfigError',
      `container ${container.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { container, argv, env, cwd, mounts, limitBytes };
}
