import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { openStore } from '../../executor/storage/open-store.js';
import { createS3Client } from '../../executor/storage/s3-client.js';
import { uploadDirectory } from '../support/upload-directory.js';
import { join } from 'node:path';
import { ensureMinioBinary } from '../support/minio-binary.js';
import { buildMinioClientEnv, buildMinioLaunch } from '../support/minio-server.js';
import { isRunning, launchComponent, logTail, type ComponentProcess } from './component-process.js';
import { freePort } from './free-port.js';
import { httpsGet, waitForOk } from './https-get.js';
import { KUBERNETES_VERSION } from './kubernetes-version.js';
import { EXECUTOR_NODE, launchNodeAgent } from './node-agent/launch-node-agent.js';
import { installOperatorPrerequisites, OPERATOR_CLI, OPERATOR_NAMESPACE } from './operator-install.js';
import {
  readClusterState,
  runningComponents,
  STATE_DIR,
  tearDownCluster,
  writeClusterState,
  type ClusterState,
} from './cluster-state.js';
import { startControlPlane } from './start-control-plane.js';

/**
 * `npm run cluster -- up|down|status`: a long-lived local test cluster for development, with
 * its processes detached from the command and its state (kubeconfig, env, logs, pids, etcd data)
 * in `.cluster/` at the repository root. Tests start their own with startControlPlane().
 */

const log = (line: string): void => console.error(`cluster: ${line}`);

function usage(state: ClusterState): string {
  return [
    `Kubernetes ${KUBERNETES_VERSION} control plane at ${state.server}, MinIO, and the test node agent`,
    `running pods as local processes on node ${EXECUTOR_NODE.name} (taint featurejob.dev/executors=true:NoSchedule).`,
    '',
    `  source ${join(STATE_DIR, 'env')}     # KUBECONFIG, AWS_ENDPOINT_URL_S3 and credentials, ` +
      'FEATUREJOB_DASHBOARD_URL, kubectl and helm on PATH',
    '  kubectl get --raw /readyz',
    '  kubectl get nodes',
    `  the operator (featurejob operator, as ServiceAccount ${OPERATOR_NAMESPACE}/featurejob-operator): logs/featurejob-operator.log`,
    '  its dashboard: open "$FEATUREJOB_DASHBOARD_URL" (read-only; docs/dashboard.md)',
    '  npm run cluster -- upload <dir> s3://<bucket>/<prefix>   # put images into the MinIO',
    '  kubectl apply -f crds/examples/featurejob-fruits.yaml && kubectl get fj -w',
    `  pods' directories (logs, volumes): ${join(STATE_DIR, 'node-agent')}/`,
    `  logs: ${join(STATE_DIR, 'logs')}/`,
    '  npm run cluster -- status | down',
  ].join('\n');
}

/** MinIO, detached, with its data in .cluster/minio/; resolves with its endpoint once it is live. */
async function launchMinio(onLaunch: (component: ComponentProcess) => Promise<void>): Promise<string> {
  const binary = await ensureMinioBinary();
  const rootDir = join(STATE_DIR, 'minio');
  await mkdir(rootDir, { recursive: true });
  const port = await freePort();
  const { args, env } = buildMinioLaunch({ rootDir, port, consolePort: await freePort() });
  const minio = await launchComponent('minio', binary, args, join(STATE_DIR, 'logs', 'minio.log'), {
    detached: true,
    env,
  });
  await onLaunch(minio);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForOk(`${endpoint}/minio/health/live`, { insecure: true }, 60_000, async () => {
    if (!isRunning(minio))
      throw new Error(`minio exited during startup; the end of ${minio.log}:\n${await logTail(minio)}`);
  });
  return endpoint;
}

async function up(): Promise<number> {
  const previous = await readClusterState();
  if (previous !== undefined && runningComponents(previous).length === previous.components.length) {
    console.log(`already up.\n${usage(previous)}`);
    return 0;
  }
  if (existsSync(STATE_DIR)) {
    log('removing the remains of a previous cluster');
    await tearDownCluster();
  }
  await mkdir(STATE_DIR, { recursive: true });
  const components: ComponentProcess[] = [];
  const startedAt = new Date().toISOString();
  const record = (server: string): Promise<void> =>
    writeClusterState({ server, kubeconfig: join(STATE_DIR, 'kubeconfig'), startedAt, components });
  // Recorded as each starts, so that `down` finds them even if this command is interrupted.
  const onLaunch = async (component: ComponentProcess): Promise<void> => {
    components.push(component);
    await record('(starting)');
  };
  try {
    const controlPlane = await startControlPlane({ dir: STATE_DIR, detached: true, log, onLaunch });

    // Further components join here, after the control plane. Start each with
    // launchComponent(name, binary, args, join(STATE_DIR, 'logs', `${name}.log`), { detached:
    // true }), pass it to onLaunch(), and add what clients need to the env file below; `down`
    // and `status` then handle it like the rest (stopping the last started first).
    log('starting MinIO (a first run builds it from its Go module: minutes)');
    const s3Env = buildMinioClientEnv(await launchMinio(onLaunch));
    await createBuckets(s3Env, EXAMPLE_BUCKETS);
    log('starting the node agent');
    await launchNodeAgent(
      {
        dir: STATE_DIR,
        server: controlPlane.server,
        certificates: controlPlane.certificates,
        nodes: [EXECUTOR_NODE],
        // The executors' S3 credentials, as EKS Pod Identity would provide them.
        extraEnv: s3Env,
        detached: true,
      },
      onLaunch,
    );

    log('installing the FeatureJob CRD and the operator RBAC; starting the operator');
    const access = await installOperatorPrerequisites({
      kubectl: controlPlane.binaries.kubectl,
      env: controlPlane.env(),
      server: controlPlane.server,
      caCertPath: controlPlane.certificates.ca.cert,
      dir: STATE_DIR,
      executorNamespaces: ['default'],
    });
    const operatorPort = await freePort();
    const operator = await launchComponent(
      'featurejob-operator',
      process.execPath,
      [
        OPERATOR_CLI,
        'operator',
        '--executor-image',
        'featurejob:local',
        '--image-pull-policy',
        'Never',
        '--http-port',
        String(operatorPort),
        '--lease-namespace',
        OPERATOR_NAMESPACE,
      ],
      join(STATE_DIR, 'logs', 'featurejob-operator.log'),
      {
        detached: true,
        env: { HOME: process.env.HOME ?? '', KUBECONFIG: access.kubeconfig, FEATUREJOB_LOG_LEVEL: 'info', ...s3Env },
      },
    );
    await onLaunch(operator);
    await waitForOk(`http://127.0.0.1:${operatorPort}/readyz`, { insecure: true }, 60_000, async () => {
      if (!isRunning(operator))
        throw new Error(`the operator exited during startup; the end of ${operator.log}:\n${await logTail(operator)}`);
    });

    const dashboardUrl = `http://127.0.0.1:${operatorPort}/`;
    await record(controlPlane.server);
    const bin = join(STATE_DIR, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(controlPlane.binaries.kubectl, join(bin, 'kubectl'));
    await symlink(controlPlane.binaries.helm, join(bin, 'helm'));
    await writeFile(
      join(STATE_DIR, 'env'),
      [
        '# source this file: the featurejob test cluster (npm run cluster -- up)',
        `export KUBECONFIG='${controlPlane.kubeconfig}'`,
        `export PATH='${bin}':"$PATH"`,
        ...Object.entries(s3Env).map(([name, value]) => `export ${name}='${value}'`),
        "# the operator's read-only dashboard (docs/dashboard.md)",
        `export FEATUREJOB_DASHBOARD_URL='${dashboardUrl}'`,
        '',
      ].join('\n'),
    );
    await writeFile(join(STATE_DIR, 's3.json'), JSON.stringify(s3Env));
    const state = await readClusterState();
    console.log(usage(state!));
    return 0;
  } catch (error) {
    // startControlPlane stopped what it started; anything recorded later goes too.
    await tearDownCluster().catch(() => {});
    throw error;
  }
}

async function down(): Promise<number> {
  if (!existsSync(STATE_DIR)) {
    console.log('no cluster (nothing in .cluster/)');
    return 0;
  }
  const stopped = await tearDownCluster();
  console.log(
    `stopped ${stopped.map((c) => `${c.name} (${c.pid})`).join(', ') || 'nothing (already stopped)'}; removed .cluster/`,
  );
  return 0;
}

async function status(): Promise<number> {
  const state = await readClusterState();
  if (state === undefined) {
    console.log('no cluster: npm run cluster -- up');
    return 1;
  }
  const running = new Set(runningComponents(state));
  for (const component of state.components) {
    console.log(
      `${component.name.padEnd(24)} pid ${String(component.pid).padEnd(8)} ${running.has(component) ? 'running' : 'NOT RUNNING'}`,
    );
  }
  const pki = join(STATE_DIR, 'pki');
  let readyz: string;
  try {
    const answer = await httpsGet(`${state.server}/readyz`, {
      ca: join(pki, 'ca.crt'),
      cert: join(pki, 'client-admin.crt'),
      key: join(pki, 'client-admin.key'),
    });
    readyz = `${answer.status} ${answer.body.trim()}`;
  } catch (error) {
    readyz = error instanceof Error ? error.message : String(error);
  }
  console.log(`${state.server}/readyz: ${readyz}`);
  const healthy = running.size === state.components.length && readyz.startsWith('200');
  if (healthy) console.log(`\n${usage(state)}`);
  return healthy ? 0 : 1;
}

/** The buckets crds/examples/featurejob-fruits.yaml reads and writes, created by `up`. */
const EXAMPLE_BUCKETS = ['fruits', 'features'];

async function createBuckets(s3Env: Record<string, string>, buckets: readonly string[]): Promise<void> {
  const client = createS3Client({
    endpoint: s3Env.AWS_ENDPOINT_URL_S3,
    credentials: { accessKeyId: s3Env.AWS_ACCESS_KEY_ID!, secretAccessKey: s3Env.AWS_SECRET_ACCESS_KEY! },
  });
  for (const bucket of buckets) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }
}

/** `upload <dir> s3://bucket/prefix`: creates the bucket if needed and copies the directory into the cluster's MinIO. */
async function upload(): Promise<number> {
  const [dir, target] = process.argv.slice(3);
  if (dir === undefined || target === undefined || !target.startsWith('s3://')) {
    console.error('usage: npm run cluster -- upload <dir> s3://<bucket>/<prefix>');
    return 2;
  }
  const s3Env = JSON.parse(await readFile(join(STATE_DIR, 's3.json'), 'utf8')) as Record<string, string>;
  await createBuckets(s3Env, [target.slice('s3://'.length).split('/')[0]!]);
  const client = createS3Client({
    endpoint: s3Env.AWS_ENDPOINT_URL_S3,
    credentials: { accessKeyId: s3Env.AWS_ACCESS_KEY_ID!, secretAccessKey: s3Env.AWS_SECRET_ACCESS_KEY! },
  });
  const count = await uploadDirectory(dir, openStore(target, { s3Client: () => client }));
  console.log(`uploaded ${count} files to ${target}`);
  return 0;
}

const commands: Record<string, () => Promise<number>> = { up, down, status, upload };
const command = commands[process.argv[2] ?? ''];
if (command === undefined) {
  console.error('usage: npm run cluster -- up|down|status|upload <dir> s3://<bucket>/<prefix>');
  process.exit(2);
}
command().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`cluster ${process.argv[2]}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
