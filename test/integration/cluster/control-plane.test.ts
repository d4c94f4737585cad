import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HELM_VERSION, KUBERNETES_VERSION } from '../../cluster/kubernetes-version.js';
import { checked, runCommand, type CommandResult } from '../../cluster/run-command.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { eventually } from '../../support/eventually.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface PodList {
  items: {
    metadata: { name: string; annotations?: Record<string, string> };
    status: { phase?: string; conditions?: Condition[] };
  }[];
}

// A cold first run builds etcd, Kubernetes and helm from their Go modules (minutes; cached
// afterwards). Without Go that fails, and so does this suite: it does not skip.
describe('the test control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler)', {
  timeout: 60 * 60_000,
}, () => {
  let cluster: ControlPlane;
  const kubectl = (args: string[], stdin?: string): Promise<CommandResult> =>
    runCommand(cluster.binaries.kubectl, args, cluster.env(), stdin);
  const ok = (args: string[], stdin?: string): Promise<string> =>
    checked(kubectl(args, stdin), `kubectl ${args.join(' ')}`);

  before(async () => {
    cluster = await startControlPlane({ log: (line) => console.error(`control plane: ${line}`) });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('serves the pinned Kubernetes version to the pinned kubectl', async () => {
    const versions = JSON.parse(await ok(['version', '-o', 'json'])) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string; major: string; minor: string };
    };
    assert.equal(versions.serverVersion.gitVersion, KUBERNETES_VERSION);
    assert.equal(versions.clientVersion.gitVersion, KUBERNETES_VERSION);
    assert.equal(
      `v${versions.serverVersion.major}.${versions.serverVersion.minor}`,
      KUBERNETES_VERSION.replace(/\.\d+$/, ''),
    );
  });

  it('is ready', async () => {
    assert.equal((await ok(['get', '--raw', '/readyz'])).trim(), 'ok');
  });

  it('creates a namespace', async () => {
    await ok(['create', 'namespace', 'featurejob-ns']);
    assert.equal(await ok(['get', 'namespace', 'featurejob-ns', '-o', 'jsonpath={.status.phase}']), 'Active');
  });

  it('enforces RBAC on a ServiceAccount token until a Role grants access', async () => {
    await ok(['create', 'namespace', 'rbac']);
    await ok(['create', 'serviceaccount', 'reader', '-n', 'rbac']);
    await ok(['create', 'secret', 'generic', 'hidden', '-n', 'rbac', '--from-literal=k=v']);
    const token = (await ok(['create', 'token', 'reader', '-n', 'rbac'])).trim();
    // The token alone, without the admin client certificate of the kubeconfig.
    const asReader = (args: string[]): Promise<CommandResult> =>
      runCommand(
        cluster.binaries.kubectl,
        [
          '--kubeconfig=/dev/null',
          `--server=${cluster.server}`,
          `--certificate-authority=${cluster.certificates.ca.cert}`,
          `--token=${token}`,
          ...args,
        ],
        { KUBECONFIG: '' },
      );
    const canI = (): Promise<CommandResult> =>
      kubectl(['auth', 'can-i', 'list', 'secrets', '-n', 'rbac', '--as=system:serviceaccount:rbac:reader']);

    assert.equal(
      (await asReader(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout,
      'system:serviceaccount:rbac:reader',
    );
    const before = await canI();
    assert.equal(before.stdout.trim(), 'no');
    assert.equal(before.code, 1);
    const denied = await asReader(['get', 'secrets', '-n', 'rbac']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden.*"system:serviceaccount:rbac:reader" cannot list resource "secrets"/);

    await ok(['create', 'role', 'secret-reader', '-n', 'rbac', '--verb=get,list', '--resource=secrets']);
    await ok([
      'create',
      'rolebinding',
      'reader-reads-secrets',
      '-n',
      'rbac',
      '--role=secret-reader',
      '--serviceaccount=rbac:reader',
    ]);
    const granted = await eventually('the RoleBinding to apply', async () => {
      const result = await canI();
      return result.stdout.trim() === 'yes' ? result : undefined;
    });
    assert.equal(granted.code, 0);
    assert.equal(
      await checked(asReader(['get', 'secrets', '-n', 'rbac', '-o', 'name']), 'kubectl get secrets (token)'),
      'secret/hidden\n',
    );
    // Still nothing outside the Role's namespace.
    assert.notEqual((await asReader(['get', 'secrets', '-n', 'default'])).code, 0);
  });

  it('runs the Job controller and the scheduler: an Indexed Job gets Pods, unschedulable without nodes', async () => {
    await ok(['create', 'namespace', 'jobs']);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'partitions', namespace: 'jobs' },
      spec: {
        completionMode: 'Indexed',
        completions: 2,
        parallelism: 2,
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 1,
        podReplacementPolicy: 'Failed',
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'executor', image: 'featurejob-executor:test', command: ['true'] }],
          },
        },
      },
    };
    await ok(['apply', '-f', '-'], JSON.stringify(job));
    // The fields of the operator's Jobs survive a round trip: their features are on.
    const stored = JSON.parse(await ok(['get', 'job', 'partitions', '-n', 'jobs', '-o', 'json'])) as {
      spec: Record<string, unknown>;
    };
    assert.equal(stored.spec.backoffLimitPerIndex, 1);
    assert.equal(stored.spec.maxFailedIndexes, 1);
    assert.equal(stored.spec.podReplacementPolicy, 'Failed');
    assert.deepEqual(stored.spec.podFailurePolicy, job.spec.podFailurePolicy);

    const pods = await eventually(
      'the Job controller to create both Pods, and the scheduler to reject them',
      async () => {
        const list = JSON.parse(
          await ok(['get', 'pods', '-n', 'jobs', '-l', 'job-name=partitions', '-o', 'json']),
        ) as PodList;
        const unschedulable = list.items.filter((pod) =>
          pod.status.conditions?.some(
            (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
          ),
        );
        return list.items.length === 2 && unschedulable.length === 2 ? list.items : undefined;
      },
    );
    const indexes = pods.map((pod) => pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(indexes, ['0', '1']);
    for (const pod of pods) {
      assert.equal(pod.status.phase, 'Pending');
      const scheduled = pod.status.conditions!.find((c) => c.type === 'PodScheduled')!;
      assert.match(scheduled.message ?? '', /no nodes available to schedule pods/);
    }
  });

  it('has the pinned helm, which reaches the cluster', async () => {
    const helm = (args: string[]): Promise<string> =>
      checked(
        runCommand(cluster.binaries.helm, args, {
          ...cluster.env(),
          HELM_CONFIG_HOME: `${cluster.dir}/helm`,
          HELM_CACHE_HOME: `${cluster.dir}/helm`,
          HELM_DATA_HOME: `${cluster.dir}/helm`,
        }),
        `helm ${args.join(' ')}`,
      );
    assert.equal(await helm(['version', '--template', '{{.Version}}']), HELM_VERSION);
    assert.deepEqual(JSON.parse(await helm(['list', '--all-namespaces', '-o', 'json'])), []);
  });
});
