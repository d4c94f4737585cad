import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './build-go-binaries.js';
import { createClusterCertificates, FRONT_PROXY_CLIENT, type ClusterCertificates } from './cluster-certificates.js';
import { isRunning, launchComponent, logTail, stopComponent, type ComponentProcess } from './component-process.js';
import { freePort } from './free-port.js';
import { waitForOk } from './https-get.js';
import { writeKubeconfig } from './kubeconfig.js';

/** Cluster-internal addresses (nothing routes them; Services just get one). */
const SERVICE_CIDR = '10.0.0.0/24';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const STARTUP_TIMEOUT_MS = 120_000;

export interface StartControlPlaneOptions {
  /**
   * Where certificates, kubeconfigs, etcd's data and the logs go. Created if missing; removed
   * by stop(). Default: a new temporary directory.
   */
  readonly dir?: string;
  /** Start the components in their own sessions so they outlive this process (`cluster up`). */
  readonly detached?: boolean;
  /** Progress lines (binary builds, startup steps). */
  readonly log?: (line: string) => void;
  /** Called as each process starts, before it is ready (so `up` can record it at once). */
  readonly onLaunch?: (component: ComponentProcess) => void | Promise<void>;
}

export interface ControlPlane {
  readonly dir: string;
  /** `https://127.0.0.1:PORT` */
  readonly server: string;
  /** The admin (system:masters) kubeconfig. */
  readonly kubeconfig: string;
  readonly certificates: ClusterCertificates;
  readonly binaries: ControlPlaneBinaries;
  /** etcd, kube-apiserver, kube-controller-manager, kube-scheduler, in start order. */
  readonly processes: readonly ComponentProcess[];
  /** Environment for kubectl, helm or a client: `{ KUBECONFIG }`. */
  env(): Record<string, string>;
  /** Stops the components (last started first) and removes `dir`. */
  stop(): Promise<void>;
}

async function assertAlive(component: ComponentProcess): Promise<void> {
  if (!isRunning(component)) {
    throw new Error(
      `${component.name} exited during startup; the end of ${component.log}:\n${await logTail(component)}`,
    );
  }
}

/**
 * Starts a real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC and Node
 * authorization, the default admission plugins, service-account tokens), kube-controller-manager
 * (one service account per controller, so RBAC applies to them too) and kube-scheduler, each
 * with its own client certificate. Resolves once the apiserver is ready, both controllers are
 * healthy and the `default` ServiceAccount exists. There are no nodes: Pods stay Pending.
 * Builds the binaries first if they are not cached (see build-go-binaries.ts).
 */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const binaries = await ensureControlPlaneBinaries(log);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'featurejob-cluster-')));
  const processes: ComponentProcess[] = [];
  const detached = options.detached === true;
  const stopAll = async (): Promise<void> => {
    for (const component of [...processes].reverse()) await stopComponent(component);
  };
  // Without detached, nothing may outlive this process (a test that crashes included).
  const killOnExit = (): void => {
    for (const component of processes) if (isRunning(component)) process.kill(component.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!detached) process.once('exit', killOnExit);

  try {
    await mkdir(join(dir, 'logs'), { recursive: true });
    const certificates = await createClusterCertificates(join(dir, 'pki'));
    const ports = { etcd: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
    const launch = async (name: string, args: string[]): Promise<ComponentProcess> => {
      const binary = binaries[name as keyof ControlPlaneBinaries];
      const component = await launchComponent(name, binary, args, join(dir, 'logs', `${name}.log`), { detached });
      processes.push(component);
      await options.onLaunch?.(component);
      return component;
    };

    log('starting etcd');
    const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
    const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
    const etcd = await launch('etcd', [
      '--name=featurejob-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=featurejob-test=${peerUrl}`,
      // A throwaway cluster: no fsync keeps it fast on a busy disk.
      '--unsafe-no-fsync=true',
    ]);
    await waitForOk(`${etcdUrl}/health`, { insecure: true }, STARTUP_TIMEOUT_MS, () => assertAlive(etcd));

    log('starting kube-apiserver');
    const server = `https://127.0.0.1:${ports.apiserver}`;
    const pki = certificates;
    const apiserver = await launch('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The `kubernetes` Service gets no Endpoints: they may not hold a loopback address.
      '--endpoint-reconciler-type=none',
      `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${pki.apiserver.cert}`,
      `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--requestheader-client-ca-file=${pki.frontProxy.ca.cert}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxy.client.cert}`,
      `--proxy-client-key-file=${pki.frontProxy.client.key}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki.serviceAccount.publicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      '--profiling=false',
    ]);
    const adminTls = { ca: pki.ca.cert, cert: pki.clients.admin.cert, key: pki.clients.admin.key };
    await waitForOk(`${server}/readyz`, adminTls, STARTUP_TIMEOUT_MS, () => assertAlive(apiserver));

    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { server, caCert: pki.ca.cert, client: pki.clients.admin, user: 'admin' });
    const controllerKubeconfig = join(dir, 'kube-controller-manager.kubeconfig');
    await writeKubeconfig(controllerKubeconfig, {
      server,
      caCert: pki.ca.cert,
      client: pki.clients['kube-controller-manager'],
      user: 'system:kube-controller-manager',
    });
    const schedulerKubeconfig = join(dir, 'kube-scheduler.kubeconfig');
    await writeKubeconfig(schedulerKubeconfig, {
      server,
      caCert: pki.ca.cert,
      client: pki.clients['kube-scheduler'],
      user: 'system:kube-scheduler',
    });

    log('starting kube-controller-manager and kube-scheduler');
    const controllerPort = await freePort();
    const controllerManager = await launch('kube-controller-manager', [
      `--kubeconfig=${controllerKubeconfig}`,
      `--authentication-kubeconfig=${controllerKubeconfig}`,
      `--authorization-kubeconfig=${controllerKubeconfig}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
      `--root-ca-file=${pki.ca.cert}`,
      `--cluster-signing-cert-file=${pki.ca.cert}`,
      `--cluster-signing-key-file=${pki.ca.key}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${controllerPort}`,
      `--cert-dir=${join(dir, 'kube-controller-manager')}`,
      '--profiling=false',
    ]);
    const schedulerPort = await freePort();
    const scheduler = await launch('kube-scheduler', [
      `--kubeconfig=${schedulerKubeconfig}`,
      `--authentication-kubeconfig=${schedulerKubeconfig}`,
      `--authorization-kubeconfig=${schedulerKubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${schedulerPort}`,
      `--cert-dir=${join(dir, 'kube-scheduler')}`,
      '--profiling=false',
    ]);
    await waitForOk(`https://127.0.0.1:${controllerPort}/healthz`, { insecure: true }, STARTUP_TIMEOUT_MS, () =>
      assertAlive(controllerManager),
    );
    await waitForOk(`https://127.0.0.1:${schedulerPort}/healthz`, { insecure: true }, STARTUP_TIMEOUT_MS, () =>
      assertAlive(scheduler),
    );
    // The service-account controller has run: Pods can be created in `default`.
    await waitForOk(`${server}/api/v1/namespaces/default/serviceaccounts/default`, adminTls, STARTUP_TIMEOUT_MS, () =>
      assertAlive(controllerManager),
    );
    log(`control plane ready at ${server}`);

    let stopped = false;
    return {
      dir,
      server,
      kubeconfig,
      certificates,
      binaries,
      processes,
      env: () => ({ KUBECONFIG: kubeconfig }),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        process.removeListener('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll().catch(() => {});
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
