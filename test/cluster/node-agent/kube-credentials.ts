import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { KubeApiCredentials } from './kube-api.js';

/** PEM file paths: the CA of the serving certificate and a client certificate with its key. */
export interface CertificatePaths {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export async function readCertificateCredentials(server: string, paths: CertificatePaths): Promise<KubeApiCredentials> {
  const [ca, cert, key] = await Promise.all([readFile(paths.ca), readFile(paths.cert), readFile(paths.key)]);
  return { server, ca, cert, key };
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: { server: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string };
  }[];
  users?: {
    name: string;
    user: {
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
    };
  }[];
}

/**
 * The server and client certificate of a kubeconfig's current context (embedded `-data` or
 * file paths relative to the kubeconfig). Token and exec credentials are not supported: the
 * test control plane's kubeconfigs use client certificates.
 */
export async function readKubeconfigCredentials(path: string): Promise<KubeApiCredentials> {
  const config = parse(await readFile(path, 'utf8')) as Kubeconfig;
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (context === undefined) throw new Error(`kubeconfig ${path}: no current context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user;
  if (cluster === undefined || user === undefined)
    throw new Error(`kubeconfig ${path}: context ${contextName} names a missing cluster or user`);
  const load = async (data: string | undefined, file: string | undefined, what: string): Promise<Buffer> => {
    if (data !== undefined) return Buffer.from(data, 'base64');
    if (file !== undefined) return readFile(resolve(dirname(path), file));
    throw new Error(`kubeconfig ${path}: no ${what} (the node agent authenticates with a client certificate)`);
  };
  return {
    server: cluster.server,
    ca: await load(cluster['certificate-authority-data'], cluster['certificate-authority'], 'certificate-authority'),
    cert: await load(user['client-certificate-data'], user['client-certificate'], 'client-certificate'),
    key: await load(user['client-key-data'], user['client-key'], 'client-key'),
  };
}
