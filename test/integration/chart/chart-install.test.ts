/**
 * The Helm chart on a real control plane: `helm install` into a namespace that enforces the
 * "restricted" Pod Security Standard, the operator Deployment's pod run by the test node agent
 * on an untainted system node (its `featurejob` command mapped to this checkout's build; it
 * calls the API server with its own projected ServiceAccount token, so under the chart's RBAC
 * only), the documented example FeatureJob run to Complete, `helm upgrade` rolling the
 * Deployment, and `helm uninstall` removing everything it installed but the CRD.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { openStore } from '../../../executor/storage/open-store.js';
import type { FeatureJobStatus } from '../../../crds/feature-job-status.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { CHART_DIR, parseManifests, runHelm } from '../../support/helm-chart.js';
import { freePort } from '../../support/minio-server.js';
import {
  buildRestrictedNamespace,
  eventually,
  readExampleFeatureJob,
  startOperatorTestCluster,
  type OperatorTestCluster,
} from '../../support/operator-test-cluster.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages, type Expectation } from '../../support/write-test-images.js';

const RELEASE = 'featurejob';
const NAMESPACE = 'featurejob';
const OPERATOR_SELECTOR = 'app.kubernetes.io/component=operator,app.kubernetes.io/instance=featurejob';

interface PodJson {
  metadata: { name: string; uid: string };
  spec: {
    nodeName?: string;
    serviceAccountName?: string;
    containers: Array<{ args?: string[]; env?: Array<{ name: string; value?: string }> }>;
  };
  status: { phase: string };
}

describe('the Helm chart installed on a real control plane', { timeout: 30 * 60_000 }, () => {
  let cluster: OperatorTestCluster;
  let dir: string;
  let helmEnv: Record<string, string>;
  let port: number;
  let expected: Map<string, Expectation>;
  let modelPath: string;

  const helm = async (args: string[]): Promise<string> => {
    const result = await runHelm([...args, '--namespace', NAMESPACE], helmEnv);
    assert.equal(result.code, 0, `helm ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  const operatorPods = async (): Promise<PodJson[]> =>
    (await cluster.getJson<{ items: PodJson[] }>(['get', 'pods', '-n', NAMESPACE, '-l', OPERATOR_SELECTOR])).items;
  const ready = async (): Promise<boolean> =>
    fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );

  before(async () => {
    cluster = await startOperatorTestCluster({
      installOperator: false,
      // The operator Deployment cannot go to executor-1 (tainted): a system node like eksctl's.
      extraNodes: [
        {
          name: 'system-1',
          labels: { 'featurejob.dev/node-group': 'system', 'node.kubernetes.io/instance-type': 'm5.large' },
          cpu: '2',
          memory: '7052Mi',
        },
      ],
    });
    helmEnv = cluster.controlPlane.env();
    dir = await mkdtemp(join(tmpdir(), 'featurejob-chart-'));
    modelPath = (await resolveModel({ weights: 'random', seed: 0, cacheDir: join(testCacheDir(), 'featurejob') })).path;
    const images = join(dir, 'images');
    expected = await writePlainImages(images, { count: 6 });
    await cluster.minio.createBucket('fruits');
    await cluster.minio.createBucket('features');
    await uploadDirectory(images, openStore('s3://fruits/Training', { s3Client: () => cluster.minio.client }));
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(buildRestrictedNamespace(NAMESPACE)));
    // Pods share the host's ports here: the operator gets a free one. Recreate, because a
    // surge pod could not bind the port its predecessor holds (on EKS each pod has its own IP).
    port = await freePort();
    await writeFile(
      join(dir, 'values.yaml'),
      stringify({
        image: { repository: 'featurejob', tag: 'test', pullPolicy: 'Never' },
        executor: { image: { pullPolicy: 'Never' } },
        operator: { httpPort: port, resyncSeconds: 2, updateStrategy: { type: 'Recreate' } },
        metrics: { service: { port } },
      }),
    );
  });

  after(async () => {
    await cluster?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('installs under the restricted Pod Security Standard; the operator pod serves /healthz and /readyz and leads', async () => {
    // The namespace really refuses a violating pod, so the operator pod below passed the check.
    const violating = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'violating', namespace: NAMESPACE },
      spec: { containers: [{ name: 'c', image: 'x', command: ['true'] }] },
    };
    const refused = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(violating));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /violates PodSecurity "restricted:latest"/);

    await helm(['install', RELEASE, CHART_DIR, '--values', join(dir, 'values.yaml'), '--wait', '--timeout', '180s']);
    await cluster.ok(['get', 'crd', 'featurejobs.featurejob.dev']);
    const [pod] = await operatorPods();
    assert.equal(pod?.status.phase, 'Running');
    assert.equal(pod?.spec.nodeName, 'system-1');
    assert.equal(pod?.spec.serviceAccountName, 'featurejob-operator');
    await eventually('the operator to be ready', async () => ((await ready()) ? true : undefined), 60_000, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const holder = await eventually(
      'the leader Lease',
      async () =>
        (await cluster.ok([
          'get',
          'lease',
          'featurejob-operator',
          '-n',
          NAMESPACE,
          '-o',
          'jsonpath={.spec.holderIdentity}',
        ])) || undefined,
    );
    assert.equal(holder, pod?.metadata.name, 'POD_NAME from the downward API is the leader identity');
    // The process authenticates as its pod's ServiceAccount (the node agent's in-cluster kubeconfig).
    const podDir = dirname(cluster.agent.podLogPath(NAMESPACE, pod!.metadata.name)!);
    const whoami = await cluster.ok([
      '--kubeconfig',
      join(podDir, 'in-cluster.kubeconfig'),
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    assert.equal(whoami, `system:serviceaccount:${NAMESPACE}:featurejob-operator`);
    // What the chart's RBAC gives the operator's ServiceAccount, and what it does not.
    const as = ['--as', `system:serviceaccount:${NAMESPACE}:featurejob-operator`];
    assert.equal(
      (await cluster.kubectl(['auth', 'can-i', 'create', 'jobs.batch', '-n', 'anywhere', ...as])).stdout.trim(),
      'yes',
    );
    assert.equal(
      (await cluster.kubectl(['auth', 'can-i', 'get', 'secrets', '-n', NAMESPACE, ...as])).stdout.trim(),
      'no',
    );
    assert.equal(
      (
        await cluster.kubectl(['auth', 'can-i', 'update', 'leases.coordination.k8s.io', '-n', 'default', ...as])
      ).stdout.trim(),
      'no',
    );
  });

  it('runs the documented example FeatureJob to Complete, its executors under the chart’s executor defaults', async () => {
    const job = await readExampleFeatureJob();
    job.metadata = { name: 'fruits', namespace: NAMESPACE };
    job.spec.input.endpoint = cluster.minio.endpoint;
    job.spec.input.region = cluster.minio.region;
    job.spec.output.prefix = 'runs/chart/';
    job.spec.imagesPerPartition = 3;
    job.spec.model.weights = modelPath;
    // A 4-CPU test node: small executors instead of the m5.xlarge sizing.
    job.spec.executor = {
      batchSize: 4,
      threads: 1,
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '4Gi' } },
    };
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(job));
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=300s', 'featurejob/fruits', '-n', NAMESPACE]);
    const status = (
      await cluster.getJson<{ status: FeatureJobStatus }>(['get', 'featurejob', 'fruits', '-n', NAMESPACE])
    ).status;
    assert.equal(status.phase, 'Complete');
    assert.deepEqual(status.images, { total: 6, succeeded: 6, failed: 0 });
    assertEachImageOnce(
      await readJobOutput(openStore('s3://features/runs/chart', { s3Client: () => cluster.minio.client })),
      expected,
    );
    const executors = (
      await cluster.getJson<{ items: PodJson[] }>([
        'get',
        'pods',
        '-n',
        NAMESPACE,
        '-l',
        'app.kubernetes.io/component=executor',
      ])
    ).items;
    assert.ok(executors.length >= 2);
    for (const pod of executors) {
      assert.equal(pod.spec.serviceAccountName, 'featurejob-executor');
      assert.equal(
        pod.spec.nodeName,
        'executor-1',
        'the chart’s nodeSelector and toleration put executors on the executor node',
      );
    }
  });

  it('rolls the operator Deployment on helm upgrade with a new log level and stall timeout', async () => {
    const [before] = await operatorPods();
    await helm([
      'upgrade',
      RELEASE,
      CHART_DIR,
      '--reuse-values',
      '--set',
      'operator.logLevel=debug',
      '--set',
      'operator.stallTimeoutSeconds=600',
      '--wait',
      '--timeout',
      '180s',
    ]);
    const after = await eventually('one new operator pod', async () => {
      const pods = await operatorPods();
      return pods.length === 1 && pods[0]!.metadata.uid !== before!.metadata.uid && pods[0]!.status.phase === 'Running'
        ? pods[0]
        : undefined;
    });
    const container = after.spec.containers[0]!;
    assert.ok(container.args?.includes('--stall-timeout=600'));
    assert.equal(container.env?.find((e) => e.name === 'FEATUREJOB_LOG_LEVEL')?.value, 'debug');
    await eventually('the new operator to be ready', async () => ((await ready()) ? true : undefined), 60_000, 200);
    await eventually(
      'the new pod to take the Lease',
      async () =>
        (await cluster.ok([
          'get',
          'lease',
          'featurejob-operator',
          '-n',
          NAMESPACE,
          '-o',
          'jsonpath={.spec.holderIdentity}',
        ])) === after.metadata.name
          ? true
          : undefined,
      60_000,
    );
    assert.match(await helm(['history', RELEASE]), /2\s+.*deployed/);
  });

  it('uninstalls everything it installed but the CRD', async () => {
    const installed = parseManifests(await helm(['get', 'manifest', RELEASE]));
    assert.ok(installed.length >= 9);
    await helm(['uninstall', RELEASE, '--wait', '--timeout', '120s']);
    for (const object of installed) {
      const namespace = object.metadata.namespace === undefined ? [] : ['-n', object.metadata.namespace];
      const found = await cluster.kubectl([
        'get',
        object.kind,
        object.metadata.name,
        ...namespace,
        '--ignore-not-found',
        '-o',
        'name',
      ]);
      assert.equal(found.stdout.trim(), '', `${object.kind} ${object.metadata.name} is still there`);
    }
    await eventually(
      'the operator pod to go',
      async () => ((await operatorPods()).length === 0 ? true : undefined),
      60_000,
    );
    assert.equal(
      (await cluster.kubectl(['get', 'secrets', '-n', NAMESPACE, '-l', 'owner=helm', '-o', 'name'])).stdout.trim(),
      '',
      'no release record',
    );
    await cluster.ok(['get', 'crd', 'featurejobs.featurejob.dev']);
    assert.equal(
      await cluster.ok(['get', 'featurejob', 'fruits', '-n', NAMESPACE, '-o', 'jsonpath={.status.phase}']),
      'Complete',
      'FeatureJobs are the users’ and stay with the CRD',
    );
    // Made by the operator at run time, not by Helm: charts/featurejob/README.md says so.
    assert.equal(
      await cluster.ok(['get', 'leases', '-n', NAMESPACE, '-o', 'name']),
      'lease.coordination.k8s.io/featurejob-operator\n',
    );
  });
});
