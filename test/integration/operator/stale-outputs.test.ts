/**
 * Stale outputs on Kubernetes (docs/reliability.md): a FeatureJob pointed at an output that
 * another job wrote, or whose child Job names are taken, against a real API server (with the
 * Job and garbage-collector controllers) and MinIO. Reconciles run in this process through a
 * client that counts every write, and the planner and executor tasks run the executor's own
 * code here (there is no node), so a test can say exactly what was written and what was not.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import { COMPLETION_INDEX_ENV, EXECUTOR_CONFIG_ENV } from '../../../executor/config/executor-config.js';
import { runExecutor } from '../../../executor/cluster/run-executor.js';
import { createLogger } from '../../../executor/log/logger.js';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { openStore } from '../../../executor/storage/open-store.js';
import type { FeatureJobStatus } from '../../../crds/feature-job-status.js';
import { FeatureJobSpecSchema, type FeatureJobSpecInput } from '../../../crds/feature-job-spec.js';
import { parseOperatorConfig } from '../../../operator/config/operator-config.js';
import { buildExecutorConfig } from '../../../operator/controller/build-executor-config.js';
import { OutputObserver } from '../../../operator/controller/output-observer.js';
import { reconcileFeatureJob, type ReconcileContext } from '../../../operator/controller/reconcile-feature-job.js';
import { ClusterApi } from '../../../operator/kube/cluster-api.js';
import { checked, runCommand } from '../../cluster/run-command.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { CountingKubeClient } from '../../support/counting-kube-client.js';
import { eventually } from '../../support/eventually.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { CRD_PATH } from '../../support/operator-test-cluster.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages } from '../../support/write-test-images.js';

interface JobJson {
  metadata: { name: string; uid: string; resourceVersion: string; ownerReferences?: Array<{ uid: string }> };
  spec: { suspend?: boolean };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

describe('a FeatureJob on an output another job wrote, or under a taken Job name', { timeout: 30 * 60_000 }, () => {
  let cluster: ControlPlane;
  let minio: MinioServer;
  let ctx: ReconcileContext;
  let client: CountingKubeClient;
  let imagesDir: string;
  const savedCache = process.env.FEATUREJOB_CACHE;
  const ok = (args: string[], stdin?: string): Promise<string> =>
    checked(runCommand(cluster.binaries.kubectl, args, cluster.env(), stdin), `kubectl ${args.join(' ')}`);
  const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await ok([...args, '-o', 'json'])) as T;

  const specOf = (input: string, output: string): FeatureJobSpecInput => ({
    input: { bucket: 'input-photos', prefix: input, endpoint: minio.endpoint },
    output: { bucket: 'output-features', prefix: output },
    imagesPerPartition: 4,
    model: { weights: 'random' },
    executor: { threads: 1, batchSize: 4 },
  });

  /** A namespace with the executors' ServiceAccount, as the Helm chart sets one up. */
  async function createNamespace(name: string): Promise<void> {
    await ok(['create', 'namespace', name]);
    await ok(['create', 'serviceaccount', 'featurejob-executor', '-n', name]);
  }

  async function applyFeatureJob(namespace: string, name: string, spec: FeatureJobSpecInput): Promise<void> {
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'featurejob.dev/v1alpha1',
        kind: 'FeatureJob',
        metadata: { name, namespace },
        spec,
      }),
    );
  }

  /** A task of the FeatureJob's child Jobs, run here with the settings the operator gives its pods. */
  async function runTask(spec: FeatureJobSpecInput, mode: 'plan' | 'extract', index?: number): Promise<void> {
    const settings = buildExecutorConfig(FeatureJobSpecSchema.parse(spec), { cpuRequest: '1' });
    await runExecutor({
      mode,
      env: {
        [EXECUTOR_CONFIG_ENV]: JSON.stringify(settings),
        ...(index === undefined ? {} : { [COMPLETION_INDEX_ENV]: String(index) }),
      },
      logger: ctx.logger,
    });
  }

  /** Every object under an output prefix with its ETag, size and modification time: any write changes it. */
  async function listOutput(prefix: string): Promise<string[]> {
    const listed = await minio.client.send(
      new ListObjectsV2Command({ Bucket: 'output-features', Prefix: `${prefix}/` }),
    );
    assert.equal(listed.IsTruncated ?? false, false);
    return (listed.Contents ?? [])
      .map((object) => `${object.Key} ${object.ETag} ${object.Size} ${object.LastModified?.toISOString()}`)
      .sort();
  }

  /** The reasons of the Events about a FeatureJob, sorted. */
  const eventReasonsOf = async (namespace: string, name: string): Promise<string[]> =>
    (
      await getJson<{ items: Array<{ reason: string; involvedObject: { name: string } }> }>([
        'get',
        'events',
        '-n',
        namespace,
      ])
    ).items
      .filter((event) => event.involvedObject.name === name)
      .map((event) => event.reason)
      .sort();
  const listJobs = async (namespace: string): Promise<JobJson[]> =>
    (await getJson<{ items: JobJson[] }>(['get', 'jobs', '-n', namespace])).items;
  const conditionOf = (status: FeatureJobStatus | undefined, type: string) =>
    status?.conditions?.find((condition) => condition.type === type);

  before(async () => {
    cluster = await startControlPlane();
    minio = await startMinio();
    await ok(['apply', '--server-side', '-f', CRD_PATH]);
    await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/featurejobs.featurejob.dev']);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    process.env.AWS_ACCESS_KEY_ID = minio.accessKey;
    process.env.AWS_SECRET_ACCESS_KEY = minio.secretKey;
    // The executor resolves `random` as a pod would; the model is built once into the test cache.
    process.env.FEATUREJOB_CACHE = join(testCacheDir(), 'featurejob');
    await resolveModel({ weights: 'random', cacheDir: process.env.FEATUREJOB_CACHE });
    client = new CountingKubeClient(kubeConfig);
    ctx = {
      api: new ClusterApi(client),
      observer: new OutputObserver(),
      config: parseOperatorConfig({ executorImage: 'featurejob:test', leaderElection: false }),
      logger: createLogger(),
      now: () => new Date(),
    };
    imagesDir = await mkdtemp(join(tmpdir(), 'featurejob-stale-'));
    await writePlainImages(imagesDir, { count: 4 });
    await minio.createBucket('input-photos');
    await minio.createBucket('output-features');
    for (const prefix of ['photos-a', 'photos-c'])
      await uploadDirectory(imagesDir, openStore(`s3://input-photos/${prefix}`, { s3Client: () => minio.client }));
  });

  after(async () => {
    if (savedCache === undefined) delete process.env.FEATUREJOB_CACHE;
    else process.env.FEATUREJOB_CACHE = savedCache;
    await minio?.stop();
    await cluster?.stop();
    if (imagesDir !== undefined) await rm(imagesDir, { recursive: true, force: true });
  });

  it('fails a FeatureJob recreated on a completed output with another input PlanMismatch: no Job, no write', async () => {
    await createNamespace('recreated');
    const specA = specOf('photos-a', 'shared');
    await applyFeatureJob('recreated', 'a', specA);
    assert.equal((await reconcileFeatureJob(ctx, 'recreated', 'a')).status?.phase, 'Planning');
    await runTask(specA, 'plan');
    assert.equal((await reconcileFeatureJob(ctx, 'recreated', 'a')).status?.phase, 'Running');
    await runTask(specA, 'extract', 0);
    const complete = await reconcileFeatureJob(ctx, 'recreated', 'a');
    assert.equal(complete.status?.phase, 'Complete');
    assert.deepEqual(complete.status?.images, { total: 4, succeeded: 4, failed: 0 });
    await ok(['delete', 'featurejob', 'a', '-n', 'recreated', '--wait=true']);

    const before = await listOutput('shared');
    assert.ok(before.some((line) => line.startsWith('shared/manifest.json ')));
    await applyFeatureJob('recreated', 'b', specOf('photos-c', 'shared'));
    client.takeWrites();
    const result = await reconcileFeatureJob(ctx, 'recreated', 'b');
    assert.equal(result.status?.phase, 'Failed');
    const failed = conditionOf(result.status, 'Failed');
    assert.equal(failed?.reason, 'PlanMismatch');
    assert.match(
      failed?.message ?? '',
      new RegExp(
        '^output s3://output-features/shared holds a plan for input s3://input-photos/photos-a, ' +
          'this FeatureJob reads s3://input-photos/photos-c: nothing was created or written',
      ),
    );
    assert.equal(conditionOf(result.status, 'Complete'), undefined);
    assert.equal(result.status?.images, undefined, "the other job's counts are not this one's");
    assert.equal(result.status?.manifestUri, undefined);
    assert.deepEqual(client.takeWrites().sort(), [
      'PATCH /apis/featurejob.dev/v1alpha1/namespaces/recreated/featurejobs/b/status',
      'POST /api/v1/namespaces/recreated/events',
      'POST /api/v1/namespaces/recreated/events',
    ]);
    assert.deepEqual(await eventReasonsOf('recreated', 'b'), ['PlanMismatch', 'SpecValid']);
    assert.deepEqual(
      (await listJobs('recreated')).filter((job) => job.metadata.name.startsWith('b-')),
      [],
      'no Job of b',
    );
    assert.deepEqual(await listOutput('shared'), before, 'the output is as it was');

    const stored = await getJson<{ metadata: { resourceVersion: string } }>([
      'get',
      'featurejob',
      'b',
      '-n',
      'recreated',
    ]);
    await reconcileFeatureJob(ctx, 'recreated', 'b');
    assert.deepEqual(client.takeWrites(), [], 'a second reconcile writes nothing');
    const again = await getJson<{ metadata: { resourceVersion: string } }>([
      'get',
      'featurejob',
      'b',
      '-n',
      'recreated',
    ]);
    assert.equal(again.metadata.resourceVersion, stored.metadata.resourceVersion);
  });

  it('never completes a FeatureJob on a manifest another input made, placed in its output before it', async () => {
    await createNamespace('foreign');
    const output = openStore('s3://output-features/foreign', { s3Client: () => minio.client });
    const shared = openStore('s3://output-features/shared', { s3Client: () => minio.client });
    await output.put('manifest.json', await shared.get('manifest.json'));
    const before = await listOutput('foreign');

    await applyFeatureJob('foreign', 'b', specOf('photos-c', 'foreign'));
    client.takeWrites();
    const result = await reconcileFeatureJob(ctx, 'foreign', 'b');
    assert.equal(result.status?.phase, 'Failed');
    assert.equal(conditionOf(result.status, 'Complete'), undefined);
    const failed = conditionOf(result.status, 'Failed');
    assert.equal(failed?.reason, 'ForeignOutput');
    assert.match(
      failed?.message ?? '',
      /manifest\.json of another job, made for input s3:\/\/input-photos\/photos-a, this FeatureJob reads s3:\/\/input-photos\/photos-c/,
    );
    assert.equal(result.status?.manifestUri, undefined);
    assert.deepEqual(client.takeWrites().sort(), [
      'PATCH /apis/featurejob.dev/v1alpha1/namespaces/foreign/featurejobs/b/status',
      'POST /api/v1/namespaces/foreign/events',
      'POST /api/v1/namespaces/foreign/events',
    ]);
    assert.deepEqual(await eventReasonsOf('foreign', 'b'), ['ForeignOutput', 'SpecValid']);
    assert.deepEqual(await listJobs('foreign'), []);
    assert.deepEqual(await listOutput('foreign'), before);
    await reconcileFeatureJob(ctx, 'foreign', 'b');
    assert.deepEqual(client.takeWrites(), [], 'a second reconcile writes nothing');
  });

  it('waits under JobNameTaken beside a same-named Job it does not own, never touching it, then creates its own', async () => {
    await createNamespace('taken');
    // Someone's Job under the planner Job's name, with the FeatureJob's labels on its pods.
    await ok(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'c-plan', namespace: 'taken' },
        spec: {
          suspend: true,
          template: {
            metadata: { labels: { 'featurejob.dev/job': 'c', 'app.kubernetes.io/component': 'planner' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox', command: ['true'] }] },
          },
        },
      }),
    );
    // The Job controller marks it Suspended; from then on nothing but a writer changes it.
    const foreign = await eventually('the Job controller to mark c-plan Suspended', async () => {
      const [job] = await listJobs('taken');
      return job?.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True') === true
        ? job
        : undefined;
    });

    await applyFeatureJob('taken', 'c', specOf('photos-a', 'taken'));
    client.takeWrites();
    const result = await reconcileFeatureJob(ctx, 'taken', 'c');
    assert.equal(result.status?.phase, 'Planning', 'it waits, it does not fail');
    const progressing = conditionOf(result.status, 'Progressing');
    assert.deepEqual([progressing?.status, progressing?.reason], ['False', 'JobNameTaken']);
    assert.match(
      progressing?.message ?? '',
      /^Job c-plan exists and is not this FeatureJob's \(it has no owner\): the operator never adopts, changes or deletes it/,
    );
    assert.deepEqual(client.takeWrites().sort(), [
      'PATCH /apis/featurejob.dev/v1alpha1/namespaces/taken/featurejobs/c/status',
      'POST /api/v1/namespaces/taken/events',
    ]);
    assert.deepEqual(await eventReasonsOf('taken', 'c'), ['SpecValid']);
    const jobs = await listJobs('taken');
    assert.deepEqual(
      jobs.map((job) => [job.metadata.name, job.metadata.uid, job.metadata.resourceVersion]),
      [['c-plan', foreign.metadata.uid, foreign.metadata.resourceVersion]],
      'the Job is untouched and no other was created',
    );
    assert.equal(jobs[0]?.metadata.ownerReferences, undefined);
    await reconcileFeatureJob(ctx, 'taken', 'c');
    assert.deepEqual(client.takeWrites(), [], 'a second reconcile writes nothing');
    assert.deepEqual(await listOutput('taken'), [], 'nothing in storage either');

    // Once the name is free, the FeatureJob creates its own planner Job.
    await ok(['delete', 'job', 'c-plan', '-n', 'taken', '--wait=true']);
    const featureJob = await getJson<{ metadata: { uid: string } }>(['get', 'featurejob', 'c', '-n', 'taken']);
    const resumed = await reconcileFeatureJob(ctx, 'taken', 'c');
    assert.equal(resumed.status?.phase, 'Planning');
    assert.equal(conditionOf(resumed.status, 'Progressing')?.reason, 'Planning');
    const [own] = await listJobs('taken');
    assert.equal(own?.metadata.name, 'c-plan');
    assert.deepEqual(
      own?.metadata.ownerReferences?.map((ref) => ref.uid),
      [featureJob.metadata.uid],
    );
  });
});
