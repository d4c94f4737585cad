import { readFile, writeFile } from 'node:fs/promises';
import type { CertificateFiles } from './cluster-certificates.js';

export interface KubeconfigOptions {
  /** `https://127.0.0.1:PORT` */
  readonly server: string;
  /** The CA that signed the apiserver's serving certificate (PEM file). */
  readonly caCert: string;
  /** The client certificate the user authenticates with. */
  readonly client: CertificateFiles;
  /** The user and context name inside the file. */
  readonly user: string;
}

/** The cluster and context name in every kubeconfig the test control plane writes. */
export const CLUSTER_NAME = 'featurejob-test';

const base64 = async (path: string): Promise<string> => (await readFile(path)).toString('base64');

/**
 * Writes a self-contained kubeconfig (certificates embedded, so it stays valid when copied)
 * as JSON, which kubectl, client-go and helm read like YAML.
 */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: CLUSTER_NAME,
        cluster: { server: options.server, 'certificate-authority-data': await base64(options.caCert) },
      },
    ],
    users: [
      {
        name: options.user,
        user: {
          'client-certificate-data': await base64(options.client.cert),
          'client-key-data': await base64(options.client.key),
        },
      },
    ],
    contexts: [{ name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: options.user } }],
    'current-context': CLUSTER_NAME,
    preferences: {},
  };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
