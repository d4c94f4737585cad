import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { openStore } from '../../../executor/storage/open-store.js';
import type { FeatureJobStatus } from '../../../crds/feature-job-status.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writeEdgeCaseImages, writePlainImages, type Expectation } from '../../support/write-test-images.js';
import {
  buildRestrictedNamespace,
  eventually,
  readExampleFeatureJob,
  startOperatorTestCluster,
  type OperatorProcess,
  type OperatorTestCluster,
} from '../../support/operator-test-cluster.js';

interface FeatureJobJson {
  metadata: { name: string; uid: string; resourceVersion: string };
  status?: FeatureJobStatus;
}
interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status: { phase: string };
}

// A cold first run builds etcd, Kubernetes and MinIO from their Go modules (minutes, cached).
describe('the operator on a real control plane, with executor pods run by the test node agent', {
  timeout: 60 * 60_000,
}, () => {
  let cluster: OperatorTestCluster;
  let operator: OperatorProcess;
  let modelPath: string;
  let imagesDir: string;
  let expected: Map<string, Expectation>;

  before(async () => {
    cluster = await startOperatorTestCluster();
    // The executor image would carry its model file; here it is built once into the test cache.
    modelPath = (await resolveModel({ weights: 'random', seed: 0, cacheDir: join(testCacheDir(), 'featurejob') })).path;
    imagesDir = await mkdtemp(join(tmpdir(), 'featurejob-e2e-images-'));
    expected = await writePlainImages(imagesDir, { count: 10 });
    for (const [key, expectation] of await writeEdgeCaseImages(imagesDir)) {
      if (key.startsWith('Bad/') && key !== 'Bad/bomb.png') expected.set(key, expectation);
    }
    // Only the plain images and the small bad ones: keep the executors quick.
    await rm(join(imagesDir, 'Odd'), { recursive: true, force: true });
    await rm(join(imagesDir, 'Bad', 'bomb.png'), { force: true });
    await rm(join(imagesDir, 'notes.txt'), { force: true });
    await cluster.minio.createBucket('fruits');
    await cluster.minio.createBucket('features');
    await uploadDirectory(imagesDir, openStore('s3://fruits/Training', { s3Client: () => cluster.minio.client }));
    operator = await cluster.startOperator();
  });

  after(async () => {
    await cluster?.stop();
    if (imagesDir !== undefined) await rm(imagesDir, { recursive: true, force: true });
  });

  /** The documented example, pointed at the test MinIO, the model file and a small node. */
  async function exampleJob(
    namespace: string,
    name: string,
    overrides: { output?: string; executor?: Record<string, unknown>; retry?: Record<string, unknown> } = {},
  ): Promise<Record<string, any>> {
    const job = await readExampleFeatureJob();
    job.metadata = { name, namespace };
    job.spec.input.endpoint = cluster.minio.endpoint;
    job.spec.input.region = cluster.minio.region;
    job.spec.output.prefix = overrides.output ?? `runs/${namespace}/`;
    job.spec.imagesPerPartition = 5;
    job.spec.parallelism = 3;
    job.spec.model.weights = modelPath;
    job.spec.executor = {
      batchSize: 4,
      threads: 1,
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '4Gi' } },
      ...overrides.executor,
    };
    if (overrides.retry !== undefined) job.spec.retry = { ...job.spec.retry, ...overrides.retry };
    return job;
  }

  async function createNamespace(name: string): Promise<void> {
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(buildRestrictedNamespace(name)));
    await cluster.ok(['create', 'serviceaccount', 'featurejob-executor', '-n', name]);
  }

  const getFeatureJob = (namespace: string, name: string): Promise<FeatureJobJson> =>
    cluster.getJson<FeatureJobJson>(['get', 'featurejob', name, '-n', namespace]);
  const phaseIs = (namespace: string, name: string, phase: string) => async (): Promise<FeatureJobJson | undefined> => {
    const job = await getFeatureJob(namespace, name);
    return job.status?.phase === phase ? job : undefined;
  };
  const listPods = async (namespace: string): Promise<PodJson[]> =>
    (await cluster.getJson<{ items: PodJson[] }>(['get', 'pods', '-n', namespace])).items;

  it('runs the documented example to Complete: manifest, each image once, columns in kubectl get, kubectl wait', async (t) => {
    await createNamespace('example');
    const applied = Date.now();
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(await exampleJob('example', 'fruits')));
    const firstRunning = await eventually(
      'a running executor pod',
      async () => {
        const pods = await listPods('example');
        return pods.some((pod) => pod.status.phase === 'Running') ? Date.now() : undefined;
      },
      120_000,
      100,
    );
    t.diagnostic(`kubectl apply to the first executor pod running: ${((firstRunning - applied) / 1000).toFixed(1)} s`);
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=300s', 'featurejob/fruits', '-n', 'example']);
    t.diagnostic(`kubectl apply to Complete: ${((Date.now() - applied) / 1000).toFixed(1)} s`);

    const job = await getFeatureJob('example', 'fruits');
    const images = [...expected.values()].filter((e) => e !== 'skipped').length;
    assert.equal(job.status?.phase, 'Complete');
    assert.deepEqual(job.status?.images, { total: images, succeeded: 10, failed: images - 10 });
    assert.equal(job.status?.progress?.images, `${images}/${images}`);
    assert.equal(job.status?.partitions?.total, Math.ceil(images / 5));
    assert.equal(job.status?.manifestUri, 's3://features/runs/example/manifest.json');
    const output = await readJobOutput(
      openStore('s3://features/runs/example', { s3Client: () => cluster.minio.client }),
    );
    assertEachImageOnce(output, expected);

    const table = await cluster.ok(['get', 'featurejobs', '-n', 'example']);
    assert.match(table.split('\n')[0]!, /NAME\s+PHASE\s+IMAGES\s+FAILED\s+PARTITIONS\s+AGE/);
    assert.match(table, new RegExp(`fruits\\s+Complete\\s+${images}/${images}\\s+${images - 10}\\s+3/3`));
    const wide = await cluster.ok(['get', 'fj', '-n', 'example', '-o', 'wide']);
    assert.match(wide.split('\n')[0]!, /THROUGHPUT\s+MODEL/);

    const events = await cluster.ok([
      'get',
      'events',
      '-n',
      'example',
      '--field-selector',
      'involvedObject.kind=FeatureJob',
      '-o',
      'jsonpath={.items[*].reason}',
    ]);
    assert.match(events, /Completed/);
  });

  it('retries an executor killed mid-partition, and each image still appears exactly once', async () => {
    await createNamespace('killed');
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(await exampleJob('killed', 'fruits')));
    const victim = await eventually(
      'a running executor process',
      async () =>
        cluster.agent.runningPods().find((pod) => pod.namespace === 'killed' && pod.name.startsWith('fruits-extract-')),
      120_000,
      50,
    );
    assert.ok(cluster.agent.killPod('killed', victim.name, 'SIGKILL'));
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=300s', 'featurejob/fruits', '-n', 'killed']);
    const job = await getFeatureJob('killed', 'fruits');
    assert.equal(job.status?.retries?.ExecutorFailed, 1, JSON.stringify(job.status));
    assertEachImageOnce(
      await readJobOutput(openStore('s3://features/runs/killed', { s3Client: () => cluster.minio.client })),
      expected,
    );
    const events = await cluster.ok(['get', 'events', '-n', 'killed', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, new RegExp(`pod ${victim.name}\\): the executor exited with code 137`));
  });

  it('reports executors that can never be scheduled with the scheduler message, and deleting the FeatureJob removes its pods', async () => {
    await createNamespace('nowhere');
    const job = await exampleJob('nowhere', 'fruits', {
      executor: { nodeSelector: { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' } },
    });
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(job));
    const stalled = await eventually('the Unschedulable reason', async () => {
      const current = await getFeatureJob('nowhere', 'fruits');
      return current.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'Unschedulable');
    });
    assert.equal(stalled.status, 'False');
    assert.match(stalled.message, /0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/);
    assert.ok((await listPods('nowhere')).length > 0);
    await cluster.ok(['delete', 'featurejob', 'fruits', '-n', 'nowhere', '--wait=true']);
    await eventually('the pods and Jobs to be garbage collected', async () => {
      const pods = await listPods('nowhere');
      const jobs = (await cluster.getJson<{ items: unknown[] }>(['get', 'jobs', '-n', 'nowhere'])).items;
      return pods.length === 0 && jobs.length === 0 ? true : undefined;
    });
  });

  it('refuses an executor memory limit below what an executor holds (InvalidSpec naming the estimate), creating no Job', async () => {
    // Before the memory estimate (docs/reliability.md, "Memory per executor") this limit ran and
    // was OOMKilled; now it never starts. The OOMKilled reporting itself is unit-tested
    // (classify-pod, compute-unreported-failures).
    await createNamespace('oom');
    const job = await exampleJob('oom', 'fruits', {
      executor: { resources: { requests: { cpu: '1', memory: '200Mi' }, limits: { memory: '200Mi' } } },
      retry: { maxAttemptsPerPartition: 1 },
    });
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(job));
    const accepted = await eventually('the Accepted condition', async () => {
      const condition = (await getFeatureJob('oom', 'fruits')).status?.conditions?.find((c) => c.type === 'Accepted');
      return condition?.status === 'False' ? condition : undefined;
    });
    assert.equal(accepted.reason, 'InvalidSpec');
    assert.match(accepted.message ?? '', /spec\.executor\.resources\.limits\.memory \(200Mi\)/);
    const jobs = (await cluster.getJson<{ items: unknown[] }>(['get', 'jobs', '-n', 'oom'])).items;
    assert.equal(jobs.length, 0, 'no Job was created');
  });

  it('names the log a failed planner left in the output: condition, Event, status.failedPod and the object itself', async () => {
    await createNamespace('logs');
    const job = await exampleJob('logs', 'fruits');
    job.spec.model.weights = '/nonexistent/vgg16.onnx';
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(job));
    await cluster.ok(['wait', '--for=condition=Failed', '--timeout=180s', 'featurejob/fruits', '-n', 'logs']);
    const status = (await getFeatureJob('logs', 'fruits')).status;
    const logUri = status?.failedPod?.logUri ?? '';
    assert.match(
      logUri,
      /^s3:\/\/features\/runs\/logs\/_featurejob\/logs\/plan-a[0-9a-z]+\.log$/,
      JSON.stringify(status),
    );
    assert.match(status?.failedPod?.name ?? '', /^fruits-plan-/);
    assert.match(status?.failedPod?.logTail ?? '', /FJ_MODEL_NOT_FOUND/);
    const failed = status?.conditions?.find((c) => c.type === 'Failed');
    assert.ok(failed?.message.includes(`(log ${logUri}): FJ_MODEL_NOT_FOUND`), failed?.message);
    const events = await cluster.ok(['get', 'events', '-n', 'logs', '-o', 'jsonpath={.items[*].message}']);
    assert.ok(events.includes(`(log ${logUri})`), events);
    const output = openStore('s3://features/runs/logs', { s3Client: () => cluster.minio.client });
    const log = new TextDecoder().decode(await output.get(logUri.slice('s3://features/runs/logs/'.length)));
    assert.match(log, /"code":"FJ_MODEL_NOT_FOUND"/);
  });

  it('finishes a job after the operator is killed mid-job, without redoing committed partitions', async () => {
    await createNamespace('restart');
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify(await exampleJob('restart', 'fruits', { executor: { threads: 1 } })),
    );
    await eventually('the executor Job', async () =>
      (await getFeatureJob('restart', 'fruits')).status?.executorJob === undefined ? undefined : true,
    );
    const extractUid = await cluster.ok([
      'get',
      'job',
      'fruits-extract',
      '-n',
      'restart',
      '-o',
      'jsonpath={.metadata.uid}',
    ]);
    await operator.kill();
    operator = await cluster.startOperator();
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=300s', 'featurejob/fruits', '-n', 'restart']);
    assert.equal(
      await cluster.ok(['get', 'job', 'fruits-extract', '-n', 'restart', '-o', 'jsonpath={.metadata.uid}']),
      extractUid,
      'the same executor Job',
    );
    // The last executor may still be exiting after its commit made the job Complete.
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=60s', 'job/fruits-extract', '-n', 'restart']);
    const pods = await listPods('restart');
    const succeededPerIndex = new Map<string, number>();
    for (const pod of pods.filter(
      (p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'executor' && p.status.phase === 'Succeeded',
    )) {
      const index = pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '?';
      succeededPerIndex.set(index, (succeededPerIndex.get(index) ?? 0) + 1);
    }
    assert.deepEqual([...succeededPerIndex.values()], [1, 1, 1], 'each partition ran to success once');
    assertEachImageOnce(
      await readJobOutput(openStore('s3://features/runs/restart', { s3Client: () => cluster.minio.client })),
      expected,
    );
  });

  it('reduces the features with PCA after extraction when spec.reduce asks for it (statistics, fit and projection as Jobs)', async () => {
    await createNamespace('reduce');
    const job = await exampleJob('reduce', 'fruits');
    job.spec.reduce = { pca: { components: 3 } };
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(job));
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=300s', 'featurejob/fruits', '-n', 'reduce']);
    const jobs = (
      await cluster.getJson<{ items: Array<{ metadata: { name: string } }> }>(['get', 'jobs', '-n', 'reduce'])
    ).items
      .map((j) => j.metadata.name)
      .sort();
    assert.deepEqual(jobs, [
      'fruits-extract',
      'fruits-pca-fit',
      'fruits-pca-project',
      'fruits-pca-statistics',
      'fruits-plan',
    ]);
    const store = openStore('s3://features/runs/reduce', { s3Client: () => cluster.minio.client });
    const manifest = JSON.parse(Buffer.from(await store.get('manifest.json')).toString('utf8')) as {
      pca?: { components: number; rows: number; partitions: Array<{ rows: number }> };
      images: { succeeded: number };
    };
    assert.equal(manifest.pca?.components, 3);
    assert.equal(manifest.pca?.rows, manifest.images.succeeded);
    assert.equal(
      manifest.pca?.partitions.reduce((sum, p) => sum + p.rows, 0),
      manifest.images.succeeded,
    );
    const model = JSON.parse(Buffer.from(await store.get('pca/model.json')).toString('utf8')) as {
      components: number;
      explainedVarianceRatio: number[];
    };
    assert.equal(model.components, 3);
    assert.equal(model.explainedVarianceRatio.length, 3);
  });

  it('serves health, readiness and Prometheus metrics about the jobs it ran', async () => {
    assert.equal((await fetch(`${operator.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${operator.url}/readyz`)).status, 200);
    const metrics = await (await fetch(`${operator.url}/metrics`)).text();
    assert.match(metrics, /featurejob_jobs\{phase="Complete"\} [1-9]/);
    assert.match(metrics, /featurejob_reconcile_duration_seconds_bucket/);
  });
});
