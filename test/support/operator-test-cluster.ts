/**
 * Everything the operator's end-to-end tests run against, all real and on loopback: the
 * control plane (etcd, kube-apiserver, controller-manager with the Job and garbage
 * collector controllers, scheduler), MinIO for S3, the test node agent running executor pods
 * as local processes on an m5.xlarge-labelled node, the generated CRD, and the operator as
 * its own process under the ServiceAccount and RBAC the Helm chart ships.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { OPERATOR_CLUSTER_RULES, OPERATOR_LEASE_RULES } from '../../operator/kube/operator-rbac.js';
import { checked, runCommand, type CommandResult } from '../cluster/run-command.js';
import { startControlPlane, type ControlPlane } from '../cluster/start-control-plane.js';
import { startNodeAgent, type NodeAgent, type NodeDefinition } from '../cluster/node-agent/start-node-agent.js';
import { freePort, startMinio, type MinioServer } from './minio-server.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OPERATOR_CLI = join(REPO_ROOT, 'dist', 'operator', 'cli', 'featurejob.js');
export const CRD_PATH = join(REPO_ROOT, 'crds', 'featurejob.dev_featurejobs.yaml');
export const EXAMPLE_PATH = join(REPO_ROOT, 'crds', 'examples', 'featurejob-fruits.yaml');
export const OPERATOR_NAMESPACE = 'featurejob-system';
export const EXECUTOR_NODE_LABELS = {
  'featurejob.dev/node-group': 'executors',
  'node.kubernetes.io/instance-type': 'm5.xlarge',
};

export interface OperatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** SIGKILL: an operator that dies without any chance to clean up. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface OperatorTestCluster {
  readonly controlPlane: ControlPlane;
  readonly minio: MinioServer;
  readonly agent: NodeAgent;
  readonly dir: string;
  kubectl(args: string[], stdin?: string): Promise<CommandResult>;
  ok(args: string[], stdin?: string): Promise<string>;
  getJson<T>(args: string[]): Promise<T>;
  startOperator(extraArgs?: string[]): Promise<OperatorProcess>;
  stop(): Promise<void>;
}

/** A namespace that enforces the "restricted" Pod Security Standard: a violating pod is refused. */
export function buildRestrictedNamespace(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  };
}

function buildOperatorRbac(): Record<string, unknown> {
  const name = 'featurejob-operator';
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      buildRestrictedNamespace(OPERATOR_NAMESPACE),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: OPERATOR_NAMESPACE } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name },
        rules: OPERATOR_CLUSTER_RULES,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: OPERATOR_NAMESPACE }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `${name}-leader-election`, namespace: OPERATOR_NAMESPACE },
        rules: OPERATOR_LEASE_RULES,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${name}-leader-election`, namespace: OPERATOR_NAMESPACE },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-leader-election` },
        subjects: [{ kind: 'ServiceAccount', name, namespace: OPERATOR_NAMESPACE }],
      },
    ],
  };
}

/** A kubeconfig that authenticates with the operator ServiceAccount's token only. */
async function writeServiceAccountKubeconfig(cluster: ControlPlane, token: string, path: string): Promise<void> {
  const ca = (await readFile(cluster.certificates.ca.cert)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
    users: [{ name: 'featurejob-operator', user: { token } }],
    contexts: [{ name: 'operator', context: { cluster: 'test', user: 'featurejob-operator' } }],
    'current-context': 'operator',
  };
  await writeFile(path, JSON.stringify(config));
}

async function waitForHttp(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `the operator exited (${child.exitCode}); see ${logPath}:\n${(await readFile(logPath, 'utf8')).slice(-3000)}`,
      );
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  throw new Error(`the operator did not become ready; see ${logPath}`);
}

export interface OperatorTestClusterOptions {
  readonly log?: (line: string) => void;
  /**
   * false: no CRD, operator RBAC or operator kubeconfig, for a test where the Helm chart
   * installs them (and runs the operator as a pod); startOperator() then throws. Default true.
   */
  readonly installOperator?: boolean;
  /** Nodes beside executor-1 (tainted for executors), e.g. an untainted one for the operator's pod. */
  readonly extraNodes?: readonly NodeDefinition[];
}

export async function startOperatorTestCluster(options: OperatorTestClusterOptions = {}): Promise<OperatorTestCluster> {
  const log = options.log ?? ((line: string) => console.error(line));
  const dir = await mkdtemp(join(tmpdir(), 'featurejob-e2e-'));
  const controlPlane = await startControlPlane({ log: (line) => log(`control plane: ${line}`) });
  const minio = await startMinio();
  const kubectl = (args: string[], stdin?: string): Promise<CommandResult> =>
    runCommand(controlPlane.binaries.kubectl, args, controlPlane.env(), stdin);
  const ok = (args: string[], stdin?: string): Promise<string> =>
    checked(kubectl(args, stdin), `kubectl ${args.join(' ')}`);
  const installOperator = options.installOperator ?? true;
  const operatorKubeconfig = join(dir, 'operator.kubeconfig');
  if (installOperator) {
    await ok(['apply', '--server-side', '-f', CRD_PATH]);
    await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/featurejobs.featurejob.dev']);
    await ok(['apply', '-f', '-'], JSON.stringify(buildOperatorRbac()));
    const token = (
      await ok(['create', 'token', 'featurejob-operator', '-n', OPERATOR_NAMESPACE, '--duration=4h'])
    ).trim();
    await writeServiceAccountKubeconfig(controlPlane, token, operatorKubeconfig);
  }

  const agent = await startNodeAgent({
    kubeconfig: controlPlane.kubeconfig,
    nodes: [
      {
        name: 'executor-1',
        labels: EXECUTOR_NODE_LABELS,
        taints: [{ key: 'featurejob.dev/executors', value: 'true', effect: 'NoSchedule' }],
      },
      ...(options.extraNodes ?? []),
    ],
    // The executor image's entry point is `featurejob`: here, this checkout's build.
    commandMap: (command) =>
      command[0] === 'featurejob' ? [process.execPath, OPERATOR_CLI, ...command.slice(1)] : [...command],
    // Stands in for EKS Pod Identity: the executors' S3 credentials come from the node, not the spec.
    extraEnv: { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey },
    workDir: join(dir, 'node'),
    log: (line) => log(`node agent: ${line}`),
  });
  for (const node of ['executor-1', ...(options.extraNodes ?? []).map((extra) => extra.name)])
    await ok(['wait', '--for=condition=Ready', '--timeout=60s', `node/${node}`]);

  const operators: OperatorProcess[] = [];
  const startOperator = async (extraArgs: string[] = []): Promise<OperatorProcess> => {
    if (!installOperator)
      throw new Error(
        'startOperatorTestCluster({ installOperator: false }) has no operator ServiceAccount to run an operator process with',
      );
    const port = await freePort();
    const logPath = join(dir, `operator-${operators.length}.log`);
    const child = spawn(
      process.execPath,
      [
        OPERATOR_CLI,
        'operator',
        '--executor-image',
        'featurejob:test',
        '--image-pull-policy',
        'Never',
        '--http-port',
        String(port),
        '--lease-namespace',
        OPERATOR_NAMESPACE,
        '--resync',
        '2',
        ...extraArgs,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          KUBECONFIG: operatorKubeconfig,
          FEATUREJOB_LOG_LEVEL: 'info',
          AWS_ACCESS_KEY_ID: minio.accessKey,
          AWS_SECRET_ACCESS_KEY: minio.secretKey,
          AWS_REGION: minio.region,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out = createWriteStream(logPath);
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const url = `http://127.0.0.1:${port}`;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const operator: OperatorProcess = {
      url,
      child,
      logPath,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await Promise.race([exited, delay(15_000).then(() => child.kill('SIGKILL'))]);
        await exited;
      },
    };
    operators.push(operator);
    await waitForHttp(url, child, logPath);
    return operator;
  };

  return {
    controlPlane,
    minio,
    agent,
    dir,
    kubectl,
    ok,
    getJson: async <T>(args: string[]): Promise<T> => JSON.parse(await ok([...args, '-o', 'json'])) as T,
    startOperator,
    async stop() {
      for (const operator of operators) await operator.stop().catch(() => undefined);
      await agent.stop().catch(() => undefined);
      await minio.stop().catch(() => undefined);
      await controlPlane.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The documented example FeatureJob, parsed, for tests to point at their own stores. */
export async function readExampleFeatureJob(): Promise<Record<string, any>> {
  return parseYaml(await readFile(EXAMPLE_PATH, 'utf8')) as Record<string, any>;
}

export { eventually } from './eventually.js';
