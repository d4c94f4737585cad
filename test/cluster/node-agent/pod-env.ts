import { readConfigKey, readConfigSource } from './config-sources.js';
import { resolveFieldRef, resolveResourceFieldRef } from './downward-api.js';
import type { KubeApi } from './kube-api.js';
import { PodSpecError } from './pod-spec-error.js';
import type { Container, Pod } from './pod-types.js';
import { rewriteMountedPath, type HostMount } from './pod-volumes.js';

export interface ContainerEnvContext {
  readonly api: KubeApi;
  readonly pod: Pod;
  readonly container: Container;
  readonly mounts: readonly HostMount[];
  /** The apiserver's port: pods reach it as KUBERNETES_SERVICE_HOST=127.0.0.1. */
  readonly apiserverPort: string;
  /** Added to every container (e.g. S3 credentials standing in for EKS Pod Identity); the pod's own env wins. */
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly allocatable: { readonly cpu: string; readonly memory: string };
  readonly cache: Map<string, Promise<Record<string, Buffer> | undefined>>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion):
 * `$(NAME)` becomes the variable's value when it is defined and stays as written when not;
 * `$$` escapes a `$`.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let output = '';
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i]!;
    if (char !== '$' || i + 1 >= input.length) {
      output += char;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      output += '$';
      i += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      const name = close < 0 ? undefined : input.slice(i + 2, close);
      const value = name === undefined ? undefined : lookup(name);
      if (close < 0) {
        output += input.slice(i);
        break;
      }
      output += value ?? input.slice(i, close + 1);
      i = close;
    } else {
      output += char;
    }
  }
  return output;
}

/**
 * The container's environment as the process gets it: the agent's PATH and HOME, HOSTNAME,
 * the in-cluster apiserver address, `extraEnv`, then envFrom and env (resolving fieldRef,
 * resourceFieldRef, secretKeyRef and configMapKeyRef, and `$(VAR)` references to earlier
 * entries). Values under a volume's mountPath are rewritten to its host directory.
 */
export async function buildContainerEnv(context: ContainerEnvContext): Promise<Record<string, string>> {
  const { api, pod, container } = context;
  const namespace = pod.metadata.namespace;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    HOSTNAME: pod.metadata.name,
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: context.apiserverPort,
    KUBERNETES_SERVICE_PORT_HTTPS: context.apiserverPort,
    ...context.extraEnv,
  };
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    if (ref === undefined)
      throw new PodSpecError(
        'Unsupported',
        `container ${container.name}: an envFrom entry without configMapRef or secretRef`,
      );
    const kind = source.configMapRef !== undefined ? 'ConfigMap' : 'Secret';
    const data = await readConfigSource(api, namespace, kind, ref.name, context.cache);
    if (data === undefined) {
      if (ref.optional === true) continue;
      throw new PodSpecError('ConfigError', `${kind.toLowerCase()} "${ref.name}" not found`);
    }
    for (const [key, value] of Object.entries(data)) {
      const name = `${source.prefix ?? ''}${key}`;
      // As the kubelet does: keys that are not valid variable names are skipped.
      if (IDENTIFIER.test(name)) env[name] = value.toString('utf8');
    }
  }
  for (const variable of container.env ?? []) {
    let value: string | undefined;
    const from = variable.valueFrom;
    if (from === undefined) {
      value = expandVariables(variable.value ?? '', (name) => env[name]);
    } else if (from.fieldRef !== undefined) {
      value = resolveFieldRef(pod, from.fieldRef.fieldPath);
    } else if (from.resourceFieldRef !== undefined) {
      value = resolveResourceFieldRef(container, from.resourceFieldRef, context.allocatable);
    } else if (from.secretKeyRef !== undefined || from.configMapKeyRef !== undefined) {
      const kind = from.secretKeyRef !== undefined ? 'Secret' : 'ConfigMap';
      value = (
        await readConfigKey(api, namespace, kind, (from.secretKeyRef ?? from.configMapKeyRef)!, context.cache)
      )?.toString('utf8');
    } else {
      throw new PodSpecError(
        'Unsupported',
        `env ${variable.name}: the node agent cannot resolve valueFrom ${Object.keys(from).join(', ')}`,
      );
    }
    if (value !== undefined) env[variable.name] = value;
  }
  for (const name of Object.keys(env)) env[name] = rewriteMountedPath(env[name]!, context.mounts);
  return env;
}

/**
 * The process's argv: command then args with `$(VAR)` expanded from the container's env and
 * mounted paths rewritten, then passed through `commandMap` (which turns e.g. `featurejob
 * executor` into `node dist/executor/cli/featurejob.js executor`).
 */
export function buildContainerArgv(
  container: Container,
  env: Readonly<Record<string, string>>,
  mounts: readonly HostMount[],
  commandMap: (command: readonly string[]) => string[],
): string[] {
  if (container.command === undefined || container.command.length === 0) {
    throw new PodSpecError(
      'Unsupported',
      `container ${container.name} has no command: ` +
        `the node agent runs no images, so it cannot know ${container.image ?? 'the image'}'s entrypoint`,
    );
  }
  const raw = [...container.command, ...(container.args ?? [])].map((part) =>
    rewriteMountedPath(
      expandVariables(part, (name) => env[name]),
      mounts,
    ),
  );
  const argv = commandMap(raw);
  if (argv.length === 0 || argv[0] === '')
    throw new PodSpecError('ConfigError', `commandMap turned ${JSON.stringify(raw)} into an empty command`);
  return argv;
}
