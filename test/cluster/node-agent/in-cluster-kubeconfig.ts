/**
 * In-cluster API access for a pod's process. In a real pod, client-go and
 * @kubernetes/client-node read the ServiceAccount token, CA and namespace at a fixed path,
 * /var/run/secrets/kubernetes.io/serviceaccount. The agent has no mount namespaces, so it
 * cannot put them there (and rewriting env and arguments does not reach a path compiled into a
 * library). When the container mounts that path, the agent writes a kubeconfig naming the same
 * files, the projected volume's host directory, and sets KUBECONFIG, which both libraries
 * prefer to their in-cluster config. The process then calls the API server with its pod's own
 * bound ServiceAccount token, so it runs under that account's RBAC and nothing more.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostMount } from './pod-volumes.js';

export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
export const IN_CLUSTER_KUBECONFIG = 'in-cluster.kubeconfig';

/** The kubeconfig equivalent of the in-cluster config (pure). */
export function buildInClusterKubeconfig(options: {
  server: string;
  caFile: string;
  token: string;
  namespace: string;
}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'in-cluster', cluster: { server: options.server, 'certificate-authority': options.caFile } }],
    // The token itself, not a token file: client-node reads `token-file`, client-go `tokenFile`,
    // and the agent does not refresh tokens anyway.
    users: [{ name: 'service-account', user: { token: options.token } }],
    contexts: [
      { name: 'in-cluster', context: { cluster: 'in-cluster', user: 'service-account', namespace: options.namespace } },
    ],
    'current-context': 'in-cluster',
  };
}

/**
 * When `mounts` has the ServiceAccount path, writes `<podDir>/in-cluster.kubeconfig` from its
 * token, ca.crt and namespace files and returns the file's path; otherwise undefined (e.g.
 * `automountServiceAccountToken: false`).
 */
export async function writeInClusterKubeconfig(options: {
  mounts: readonly HostMount[];
  podDir: string;
  apiserverPort: string;
}): Promise<string | undefined> {
  const mount = options.mounts.find((candidate) => candidate.mountPath === SERVICE_ACCOUNT_MOUNT);
  if (mount === undefined) return undefined;
  const [token, namespace] = await Promise.all([
    readFile(join(mount.hostPath, 'token'), 'utf8'),
    readFile(join(mount.hostPath, 'namespace'), 'utf8'),
  ]);
  const path = join(options.podDir, IN_CLUSTER_KUBECONFIG);
  const config = buildInClusterKubeconfig({
    server: `https://127.0.0.1:${options.apiserverPort}`,
    caFile: join(mount.hostPath, 'ca.crt'),
    token: token.trim(),
    namespace: namespace.trim(),
  });
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}
