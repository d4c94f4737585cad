import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildPrefixCommandMap } from '../../cluster/node-agent/command-map.js';
import { KubeApi, isNotFound } from '../../cluster/node-agent/kube-api.js';
import { readCertificateCredentials } from '../../cluster/node-agent/kube-credentials.js';
import type { Container, Pod } from '../../cluster/node-agent/pod-types.js';
import { startNodeAgent, type NodeAgent } from '../../cluster/node-agent/start-node-agent.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { eventually } from '../../support/eventually.js';

const NODE = 'executor-1';
const NAMESPACE = 'default';

interface Condition {
  type: string;
  status: string;
}

/** Whether the process exists and has not exited (a zombie waiting for its parent counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A pod for the executor node: its nodeSelector and toleration, `node` as the command. */
function buildTestPod(name: string, script: string, container: Partial<Container> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, uid: '' },
    spec: {
      restartPolicy: 'Never',
      nodeSelector: { 'featurejob.dev/node-group': 'executors' },
      tolerations: [{ key: 'featurejob.dev/executors', operator: 'Exists', effect: 'NoSchedule' }],
      containers: [{ name: 'main', image: 'featurejob-test:none', command: ['node', '-e', script], ...container }],
    },
  };
}

// Needs the test control plane's binaries (built from Go modules on a cold first run: minutes).
describe('the test node agent (a tiny kubelet running pods as local processes)', { timeout: 30 * 60_000 }, () => {
  let cluster: ControlPlane;
  let agent: NodeAgent;
  let api: KubeApi;
  let workDir: string;
  const podPath = (name: string): string => `/api/v1/namespaces/${NAMESPACE}/pods/${name}`;
  const createPod = (pod: Pod): Promise<Pod> => api.send<Pod>('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod);
  const podWhen = (name: string, what: string, accept: (pod: Pod) => boolean): Promise<Pod> =>
    eventually(`pod ${name} ${what}`, async () => {
      const pod = await api.find<Pod>(podPath(name));
      return pod !== undefined && accept(pod) ? pod : undefined;
    });
  const finished = (name: string): Promise<Pod> =>
    podWhen(name, 'to finish', (pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed');
  const running = (name: string): Promise<Pod> => podWhen(name, 'to run', (pod) => pod.status?.phase === 'Running');

  before(async () => {
    cluster = await startControlPlane({ log: (line) => console.error(`control plane: ${line}`) });
    workDir = await mkdtemp(join(tmpdir(), 'featurejob-node-agent-'));
    api = new KubeApi(
      await readCertificateCredentials(cluster.server, {
        ca: cluster.certificates.ca.cert,
        cert: cluster.certificates.clients.admin.cert,
        key: cluster.certificates.clients.admin.key,
      }),
    );
    agent = await startNodeAgent({
      server: cluster.server,
      certificates: cluster.certificates,
      nodes: [
        {
          name: NODE,
          labels: { 'featurejob.dev/node-group': 'executors' },
          taints: [{ key: 'featurejob.dev/executors', value: 'true', effect: 'NoSchedule' }],
        },
      ],
      commandMap: buildPrefixCommandMap({ node: [process.execPath] }),
      extraEnv: { FEATUREJOB_TEST_EXTRA: 'from the agent' },
      workDir: join(workDir, 'pods'),
      log: (line) => console.error(`node agent: ${line}`),
    });
  });

  after(async () => {
    await agent?.stop();
    api?.close();
    await cluster?.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('registers a Ready node labelled and sized like an EKS m5.xlarge executor, and renews its Lease', async () => {
    const node = await api.get<{
      metadata: { labels: Record<string, string> };
      spec: { taints?: { key: string; value?: string; effect: string }[] };
      status: { capacity: Record<string, string>; allocatable: Record<string, string>; conditions: Condition[] };
    }>(`/api/v1/nodes/${NODE}`);
    assert.equal(node.metadata.labels['node.kubernetes.io/instance-type'], 'm5.xlarge');
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(node.metadata.labels['kubernetes.io/arch'], 'amd64');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE);
    assert.equal(node.metadata.labels['featurejob.dev/node-group'], 'executors');
    assert.ok(
      node.spec.taints?.some(
        (t) => t.key === 'featurejob.dev/executors' && t.value === 'true' && t.effect === 'NoSchedule',
      ),
    );
    assert.equal(node.status.allocatable.cpu, '4');
    assert.equal(node.status.allocatable.memory, '14162Mi');
    assert.equal(node.status.allocatable.pods, '110');
    assert.equal(node.status.capacity.cpu, '4');
    const status = (type: string): string | undefined => node.status.conditions.find((c) => c.type === type)?.status;
    assert.equal(status('Ready'), 'True');
    assert.equal(status('MemoryPressure'), 'False');
    assert.equal(status('DiskPressure'), 'False');
    assert.equal(status('PIDPressure'), 'False');

    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`;
    const first = await api.get<{ spec: { holderIdentity: string; renewTime: string } }>(leasePath);
    assert.equal(first.spec.holderIdentity, NODE);
    await eventually(
      'the Lease to be renewed',
      async () => {
        const lease = await api.get<{ spec: { renewTime: string } }>(leasePath);
        return lease.spec.renewTime !== first.spec.renewTime ? lease : undefined;
      },
      30_000,
    );
  });

  it('runs an Indexed Job to Complete, each index once, with the downward API, emptyDir and extra env resolved', async () => {
    const outDir = join(workDir, 'job-output');
    const script = [
      "const fs = require('fs'), path = require('path');",
      'const e = process.env;',
      'const record = { index: e.JOB_COMPLETION_INDEX, pod: e.POD_NAME, node: e.NODE_NAME, extra: e.FEATUREJOB_TEST_EXTRA,',
      '  apiserver: e.KUBERNETES_SERVICE_HOST + ":" + e.KUBERNETES_SERVICE_PORT, scratchExists: fs.existsSync(e.TMPDIR),',
      '  scratchIsHostDir: e.TMPDIR !== "/scratch", namespaceFile: fs.readFileSync(path.join(e.SA_DIR, "namespace"), "utf8") };',
      'fs.mkdirSync(e.OUT_DIR, { recursive: true });',
      "fs.appendFileSync(path.join(e.OUT_DIR, 'index-' + e.JOB_COMPLETION_INDEX + '.jsonl'), JSON.stringify(record) + '\\n');",
    ].join('\n');
    const template = buildTestPod('unused', script, {
      env: [
        { name: 'OUT_DIR', value: outDir },
        { name: 'TMPDIR', value: '/scratch' },
        { name: 'SA_DIR', value: '/var/run/secrets/kubernetes.io/serviceaccount' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    });
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'indexed', namespace: NAMESPACE },
      spec: {
        completionMode: 'Indexed',
        completions: 2,
        parallelism: 2,
        backoffLimit: 0,
        template: { spec: { ...template.spec, volumes: [{ name: 'scratch', emptyDir: {} }] } },
      },
    };
    await api.send('POST', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, job);
    await eventually(
      'the Job to be Complete',
      async () => {
        const current = await api.get<{ status: { conditions?: Condition[] } }>(
          `/apis/batch/v1/namespaces/${NAMESPACE}/jobs/indexed`,
        );
        const failed = current.status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
        if (failed !== undefined) throw new Error(`the Job failed: ${JSON.stringify(current.status)}`);
        return current.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')
          ? current
          : undefined;
      },
      120_000,
    );
    assert.deepEqual((await readdir(outDir)).sort(), ['index-0.jsonl', 'index-1.jsonl']);
    for (const index of ['0', '1']) {
      const lines = (await readFile(join(outDir, `index-${index}.jsonl`), 'utf8')).trim().split('\n');
      assert.equal(lines.length, 1, `index ${index} ran once`);
      const record = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.equal(record.index, index);
      assert.match(String(record.pod), new RegExp(`^indexed-${index}-`));
      assert.equal(record.node, NODE);
      assert.equal(record.extra, 'from the agent');
      assert.equal(record.apiserver, `127.0.0.1:${new URL(cluster.server).port}`);
      assert.equal(record.scratchExists, true);
      assert.equal(record.scratchIsHostDir, true);
      assert.equal(record.namespaceFile, NAMESPACE);
    }
    const pods = await api.get<{ items: Pod[] }>(
      `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=job-name%3Dindexed`,
    );
    assert.equal(pods.items.length, 2);
    for (const pod of pods.items) {
      assert.equal(pod.status?.phase, 'Succeeded');
      const terminated = pod.status?.containerStatuses?.[0]?.state.terminated;
      assert.equal(terminated?.exitCode, 0);
      assert.equal(terminated?.reason, 'Completed');
      assert.equal(pod.status?.podIP, '127.0.0.1');
    }
  });

  it('OOM-kills a pod whose processes exceed its memory limit: Failed, reason OOMKilled, exit code 137', async () => {
    const script = 'const keep = []; setInterval(() => keep.push(Buffer.alloc(16 * 1024 * 1024, 1)), 50);';
    await createPod(
      buildTestPod('hungry', script, { resources: { limits: { memory: '64Mi' }, requests: { memory: '64Mi' } } }),
    );
    const pod = await finished('hungry');
    assert.equal(pod.status?.phase, 'Failed');
    const terminated = pod.status?.containerStatuses?.[0]?.state.terminated;
    assert.equal(terminated?.reason, 'OOMKilled');
    assert.equal(terminated?.exitCode, 137);
  });

  it('reports a failing command as Failed with its exit code, reason Error and the log end as message', async () => {
    const script = "console.error('cannot go on'); process.exit(3);";
    await createPod(buildTestPod('failing', script, { terminationMessagePolicy: 'FallbackToLogsOnError' }));
    const pod = await finished('failing');
    assert.equal(pod.status?.phase, 'Failed');
    const terminated = pod.status?.containerStatuses?.[0]?.state.terminated;
    assert.equal(terminated?.exitCode, 3);
    assert.equal(terminated?.reason, 'Error');
    assert.match(terminated?.message ?? '', /cannot go on/);
    assert.match(await readFile(agent.podLogPath(NAMESPACE, 'failing')!, 'utf8'), /cannot go on/);
  });

  it('stops the process of a deleted running pod and finishes the deletion', async () => {
    await createPod(buildTestPod('sleeper', 'setInterval(() => {}, 1000);'));
    await running('sleeper');
    const pid = agent.runningPods().find((pod) => pod.name === 'sleeper')?.pid;
    assert.ok(pid !== undefined && isAlive(pid));
    await api.send('DELETE', podPath('sleeper'));
    await eventually('the pod object to disappear', async () => {
      try {
        await api.get(podPath('sleeper'));
        return undefined;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    });
    assert.equal(isAlive(pid), false);
    assert.equal(
      agent.runningPods().some((pod) => pod.name === 'sleeper'),
      false,
    );
  });

  it('reports a container killed by SIGKILL as exit code 137, reason Error', async () => {
    await createPod(buildTestPod('victim', 'setInterval(() => {}, 1000);'));
    await running('victim');
    await eventually('the process to be known', async () =>
      agent.runningPods().some((pod) => pod.name === 'victim') ? true : undefined,
    );
    assert.equal(agent.killPod(NAMESPACE, 'victim', 'SIGKILL'), true);
    const pod = await finished('victim');
    assert.equal(pod.status?.phase, 'Failed');
    const terminated = pod.status?.containerStatuses?.[0]?.state.terminated;
    assert.equal(terminated?.exitCode, 137);
    assert.equal(terminated?.reason, 'Error');
  });

  it('fails a pod it cannot run with a message that names the limitation', async () => {
    const pod = buildTestPod('two-containers', 'process.exit(0)');
    pod.spec.containers.push({ name: 'sidecar', image: 'featurejob-test:none', command: ['node', '-e', '0'] });
    await createPod(pod);
    const result = await finished('two-containers');
    assert.equal(result.status?.phase, 'Failed');
    const terminated = result.status?.containerStatuses?.[0]?.state.terminated;
    assert.equal(terminated?.reason, 'StartError');
    assert.match(terminated?.message ?? '', /exactly one container/);
  });

  it('on stop(), kills the pods it runs, their children included, and deletes its Node', async () => {
    const pidFile = join(workDir, 'grandchild.pid');
    const script = [
      "const child = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
      "require('fs').writeFileSync(process.env.PID_FILE, String(child.pid));",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    await createPod(buildTestPod('left-running', script, { env: [{ name: 'PID_FILE', value: pidFile }] }));
    await running('left-running');
    const pid = await eventually(
      'the process to be known',
      async () => agent.runningPods().find((pod) => pod.name === 'left-running')?.pid,
    );
    const grandchild = Number(
      await eventually('the child to start', async () =>
        existsSync(pidFile) ? (await readFile(pidFile, 'utf8')) || undefined : undefined,
      ),
    );
    assert.equal(isAlive(grandchild), true);
    const logPath = agent.podLogPath(NAMESPACE, 'left-running')!;
    await agent.stop();
    assert.equal(isAlive(pid), false);
    await eventually('the child to be gone', async () => (isAlive(grandchild) ? undefined : true), 5000);
    assert.deepEqual(agent.runningPods(), []);
    assert.equal(existsSync(logPath), true);
    assert.equal(await api.find(`/api/v1/nodes/${NODE}`), undefined);
  });
});
