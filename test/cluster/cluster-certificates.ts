import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A certificate and its private key, as file paths (PEM). */
export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

/** The users the control plane's clients authenticate as, by client certificate. */
export const CLIENT_USERS = {
  /** kubectl and the tests: cluster-admin through the system:masters group. */
  admin: { commonName: 'featurejob-admin', organization: 'system:masters' },
  /** Bound by the bootstrap RBAC policy to the system:kube-controller-manager ClusterRole. */
  'kube-controller-manager': { commonName: 'system:kube-controller-manager', organization: undefined },
  /** Bound by the bootstrap RBAC policy to the system:kube-scheduler ClusterRole. */
  'kube-scheduler': { commonName: 'system:kube-scheduler', organization: undefined },
} as const;
export type ClientUser = keyof typeof CLIENT_USERS;

/** Everything kube-apiserver, kube-controller-manager and the clients need (paths). */
export interface ClusterCertificates {
  /** Signs the serving certificate and the client certificates; also --root-ca-file. */
  readonly ca: CertificateFiles;
  /** kube-apiserver's serving certificate for 127.0.0.1, localhost and the in-cluster names. */
  readonly apiserver: CertificateFiles;
  readonly clients: Readonly<Record<ClientUser, CertificateFiles>>;
  /**
   * The aggregation layer's front proxy: a second CA (--requestheader-client-ca-file, which
   * kube-controller-manager and kube-scheduler also read to authenticate requests) and the
   * client certificate kube-apiserver proxies to extension apiservers with.
   */
  readonly frontProxy: { readonly ca: CertificateFiles; readonly client: CertificateFiles };
  /** Service-account token signing key pair (RSA): private for the apiserver and controller-manager. */
  readonly serviceAccount: { readonly privateKey: string; readonly publicKey: string };
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('openssl is not installed: the test control plane needs it to issue its X.509 certificates'));
      } else reject(new Error(`openssl ${args[0]} failed: ${stderr || error.message}`));
    });
  });
}

function ecKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

interface Subject {
  readonly commonName: string;
  readonly organization: string | undefined;
}

/** An openssl config holding the subject and the extensions of one certificate. */
function opensslConfig(subject: Subject, extensions: string[]): string {
  return [
    '[req]',
    'prompt = no',
    'distinguished_name = dn',
    'x509_extensions = ext',
    '[dn]',
    ...(subject.organization === undefined ? [] : [`O = ${subject.organization}`]),
    `CN = ${subject.commonName}`,
    '[ext]',
    ...extensions,
    '',
  ].join('\n');
}

async function issue(
  dir: string,
  name: string,
  subject: Subject,
  extensions: string[],
  ca: CertificateFiles | undefined,
): Promise<CertificateFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const config = join(dir, `${name}.cnf`);
  await writeFile(files.key, ecKeyPem(), { mode: 0o600 });
  await writeFile(config, opensslConfig(subject, extensions));
  if (ca === undefined) {
    await openssl([
      'req',
      '-x509',
      '-new',
      '-config',
      config,
      '-key',
      files.key,
      '-sha256',
      '-days',
      '3650',
      '-out',
      files.cert,
    ]);
  } else {
    const csr = join(dir, `${name}.csr`);
    await openssl(['req', '-new', '-config', config, '-key', files.key, '-out', csr]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-sha256',
      '-days',
      '3650',
      '-extfile',
      config,
      '-extensions',
      'ext',
      '-out',
      files.cert,
    ]);
    await rm(csr);
  }
  await rm(config);
  return files;
}

/** The common name of the front-proxy client certificate (--requestheader-allowed-names). */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

const LEAF = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  'authorityKeyIdentifier = keyid',
];

/** A self-signed certificate authority. */
function issueCa(dir: string, name: string, commonName: string): ReturnType<typeof issue> {
  return issue(
    dir,
    name,
    { commonName, organization: undefined },
    [
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
      'subjectKeyIdentifier = hash',
    ],
    undefined,
  );
}

/**
 * Issues, under `dir`, a CA, kube-apiserver's serving certificate, the client certificates and
 * the front-proxy CA and client (EC P-256, with openssl), and an RSA service-account signing
 * key pair (Node's crypto).
 */
export async function createClusterCertificates(dir: string): Promise<ClusterCertificates> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await issueCa(dir, 'ca', 'featurejob-test-ca');
  const apiserver = await issue(
    dir,
    'apiserver',
    { commonName: 'kube-apiserver', organization: undefined },
    [
      ...LEAF,
      'extendedKeyUsage = serverAuth',
      'subjectAltName = IP:127.0.0.1, IP:10.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, ' +
        'DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local',
    ],
    ca,
  );
  const clients = {} as Record<ClientUser, CertificateFiles>;
  for (const user of Object.keys(CLIENT_USERS) as ClientUser[]) {
    clients[user] = await issue(
      dir,
      `client-${user}`,
      CLIENT_USERS[user],
      [...LEAF, 'extendedKeyUsage = clientAuth'],
      ca,
    );
  }
  const frontProxyCa = await issueCa(dir, 'front-proxy-ca', 'featurejob-test-front-proxy-ca');
  const frontProxyClient = await issue(
    dir,
    'front-proxy-client',
    { commonName: FRONT_PROXY_CLIENT, organization: undefined },
    [...LEAF, 'extendedKeyUsage = clientAuth'],
    frontProxyCa,
  );
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccount = { privateKey: join(dir, 'service-account.key'), publicKey: join(dir, 'service-account.pub') };
  await writeFile(serviceAccount.privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(serviceAccount.publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { ca, apiserver, clients, frontProxy: { ca: frontProxyCa, client: frontProxyClient }, serviceAccount };
}
