/**
 * Installs the operator's prerequisites into a test cluster the way the Helm chart does (the
 * CRD, a ServiceAccount, the ClusterRole and leader-election Role with exactly the rules of
 * operator/kube/operator-rbac.ts) and writes a kubeconfig that authenticates with that
 * ServiceAccount's token only, so the operator runs with its real permissions.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATOR_CLUSTER_RULES, OPERATOR_LEASE_RULES } from '../../operator/kube/operator-rbac.js';
import { checked, runCommand } from './run-command.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OPERATOR_CLI = join(REPO_ROOT, 'dist', 'operator', 'cli', 'featurejob.js');
export const CRD_PATH = join(REPO_ROOT, 'crds', 'featurejob.dev_featurejobs.yaml');
export const OPERATOR_NAMESPACE = 'featurejob-system';
const OPERATOR_ACCOUNT = 'featurejob-operator';

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

export function buildOperatorRbac(namespace: string = OPERATOR_NAMESPACE): Record<string, unknown> {
  const name = OPERATOR_ACCOUNT;
  const lease = `${name}-leader-election`;
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      buildRestrictedNamespace(namespace),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
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
        subjects,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: lease, namespace },
        rules: OPERATOR_LEASE_RULES,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: lease, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: lease },
        subjects,
      },
    ],
  };
}

export interface InstalledOperatorAccess {
  /** A kubeconfig with the operator ServiceAccount's token and nothing else. */
  readonly kubeconfig: string;
}

/** Applies the CRD (waiting until Established) and the RBAC; writes the operator's kubeconfig into `dir`. */
export async function installOperatorPrerequisites(options: {
  kubectl: string;
  env: Record<string, string>;
  server: string;
  caCertPath: string;
  dir: string;
  /** Namespaces that get the executors' ServiceAccount (`featurejob-executor`), as the chart's executor.namespaces. */
  executorNamespaces?: readonly string[];
}): Promise<InstalledOperatorAccess> {
  const ok = (args: string[], stdin?: string): Promise<string> =>
    checked(runCommand(options.kubectl, args, options.env, stdin), `kubectl ${args.join(' ')}`);
  await ok(['apply', '--server-side', '-f', CRD_PATH]);
  await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/featurejobs.featurejob.dev']);
  await ok(['apply', '-f', '-'], JSON.stringify(buildOperatorRbac()));
  for (const namespace of options.executorNamespaces ?? []) {
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'featurejob-executor', namespace },
      }),
    );
  }
  const token = (await ok(['create', 'token', OPERATOR_ACCOUNT, '-n', OPERATOR_NAMESPACE, '--duration=24h'])).trim();
  const ca = (await readFile(options.caCertPath)).toString('base64');
  const kubeconfig = join(options.dir, 'operator.kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: options.server, 'certificate-authority-data': ca } }],
      users: [{ name: OPERATOR_ACCOUNT, user: { token } }],
      contexts: [{ name: 'operator', context: { cluster: 'test', user: OPERATOR_ACCOUNT } }],
      'current-context': 'operator',
    }),
  );
  return { kubeconfig };
}
