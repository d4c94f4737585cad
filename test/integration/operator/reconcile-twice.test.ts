import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { runExecutor } from '../../../executor/cluster/run-executor.js';
import { createLogger } from '../../../executor/log/logger.js';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { openStore } from '../../../executor/storage/open-store.js';
import { parseOperatorConfig } from '../../../operator/config/operator-config.js';
import { buildExecutorConfig } from '../../../operator/controller/build-executor-config.js';
import { OutputObserver } from '../../../operator/controller/output-observer.js';
import { reconcileFeatureJob, type ReconcileContext } from '../../../operator/controller/reconcile-feature-job.js';
import { FeatureJobSpecSchema } from '../../../crds/feature-job-spec.js';
import { ClusterApi } from '../../../operator/kube/cluster-api.js';
import { checked, runCommand } from '../../cluster/run-command.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { CountingKubeClient } from '../../support/counting-kube-client.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { CRD_PATH } from '../../support/operator-test-cluster.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages } from '../../support/write-test-images.js';

interface World {
  featureJob: { resourceVersion: string; status: unknown };
  jobs: Array<{ name: string; uid: string; resourceVersion: string }>;
  events: string[];
}

describe('reconciling a FeatureJob against a real API server and MinIO', { timeout: 30 * 60_000 }, () => {
  let cluster: ControlPlane;
  let minio: MinioServer;
  let ctx: ReconcileContext;
  let client: CountingKubeClient;
  let imagesDir: string;
  const start = new Date('2026-11-25T12:00:00Z');
  let clock = start;
  const ok = (args: string[], stdin?: string): Promise<string> =>
    checked(runCommand(cluster.binaries.kubectl, args, cluster.env(), stdin), `kubectl ${args.join(' ')}`);

  async function observeWorld(namespace: string, name: string): Promise<World> {
    const featureJob = JSON.parse(await ok(['get', 'featurejob', name, '-n', namespace, '-o', 'json'])) as {
      metadata: { resourceVersion: string };
      status: unknown;
    };
    const jobs = JSON.parse(await ok(['get', 'jobs', '-n', namespace, '-o', 'json'])) as {
      items: Array<{ metadata: { name: string; uid: string; resourceVersion: string } }>;
    };
    const events = JSON.parse(await ok(['get', 'events', '-n', namespace, '-o', 'json'])) as {
      items: Array<{ metadata: { name: string } }>;
    };
    return {
      featureJob: { resourceVersion: featureJob.metadata.resourceVersion, status: featureJob.status },
      jobs: jobs.items.map((job) => ({
        name: job.metadata.name,
        uid: job.metadata.uid,
        resourceVersion: job.metadata.resourceVersion,
      })),
      events: events.items.map((event) => event.metadata.name).sort(),
    };
  }

  before(async () => {
    cluster = await startControlPlane();
    minio = await startMinio();
    await ok(['apply', '--server-side', '-f', CRD_PATH]);
    await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/featurejobs.featurejob.dev']);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    process.env.AWS_ACCESS_KEY_ID = minio.accessKey;
    process.env.AWS_SECRET_ACCESS_KEY = minio.secretKey;
    client = new CountingKubeClient(kubeConfig);
    ctx = {
      api: new ClusterApi(client),
      observer: new OutputObserver(),
      config: parseOperatorConfig({ executorImage: 'featurejob:test', leaderElection: false }),
      logger: createLogger(),
      now: () => clock,
    };
    imagesDir = await mkdtemp(join(tmpdir(), 'featurejob-reconcile-'));
    await writePlainImages(imagesDir, { count: 6 });
    await minio.createBucket('input-photos');
    await minio.createBucket('output-features');
    await uploadDirectory(imagesDir, openStore('s3://input-photos/photos', { s3Client: () => minio.client }));
  });

  after(async () => {
    await minio?.stop();
    await cluster?.stop();
    if (imagesDir !== undefined) await rm(imagesDir, { recursive: true, force: true });
  });

  it('creates the planner Job once and writes the same status: a second reconcile changes nothing', async () => {
    await ok(['create', 'namespace', 'twice']);
    const spec = {
      input: { bucket: 'input-photos', prefix: 'photos', endpoint: minio.endpoint },
      output: { bucket: 'output-features', prefix: 'twice' },
      imagesPerPartition: 2,
      model: { weights: 'random' },
    };
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'featurejob.dev/v1alpha1',
        kind: 'FeatureJob',
        metadata: { name: 'fj', namespace: 'twice' },
        spec,
      }),
    );

    client.takeWrites();
    const first = await reconcileFeatureJob(ctx, 'twice', 'fj');
    assert.equal(first.status?.phase, 'Planning');
    assert.ok(client.takeWrites().length > 0);
    const afterFirst = await observeWorld('twice', 'fj');
    assert.deepEqual(
      afterFirst.jobs.map((job) => job.name),
      ['fj-plan'],
    );
    await reconcileFeatureJob(ctx, 'twice', 'fj');
    assert.deepEqual(client.takeWrites(), [], 'a second reconcile of a steady world writes nothing');
    assert.deepEqual(await observeWorld('twice', 'fj'), afterFirst);

    // The planner's work, done here by the executor code itself (there is no node in this test);
    // it resolves `random` as a pod does (so the plan names the seed), from the test cache.
    const cacheDir = join(testCacheDir(), 'featurejob');
    await resolveModel({ weights: 'random', cacheDir });
    const savedCache = process.env.FEATUREJOB_CACHE;
    process.env.FEATUREJOB_CACHE = cacheDir;
    const parsedSpec = FeatureJobSpecSchema.parse(spec);
    const settings = buildExecutorConfig(parsedSpec, { cpuRequest: '1' });
    try {
      await runExecutor({
        mode: 'plan',
        env: { FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings) },
        logger: ctx.logger,
      });
    } finally {
      if (savedCache === undefined) delete process.env.FEATUREJOB_CACHE;
      else process.env.FEATUREJOB_CACHE = savedCache;
    }

    const running = await reconcileFeatureJob(ctx, 'twice', 'fj');
    assert.equal(running.status?.phase, 'Running');
    assert.deepEqual(running.status?.partitions, { total: 3, succeeded: 0, failed: 0, active: 0 });
    client.takeWrites();
    const afterRunning = await observeWorld('twice', 'fj');
    assert.deepEqual(afterRunning.jobs.map((job) => job.name).sort(), ['fj-extract', 'fj-plan']);
    await reconcileFeatureJob(ctx, 'twice', 'fj');
    assert.deepEqual(client.takeWrites(), [], 'a second reconcile of a running job writes nothing');
    assert.deepEqual(await observeWorld('twice', 'fj'), afterRunning);
  });

  it('fails a job whose manifest.json is not JSON, with its reason, once: one status write, one Event, then nothing', async () => {
    await ok(['create', 'namespace', 'corrupt']);
    const spec = {
      input: { bucket: 'input-photos', prefix: 'photos', endpoint: minio.endpoint },
      output: { bucket: 'output-features', prefix: 'corrupt' },
      imagesPerPartition: 2,
      model: { weights: 'random' },
    };
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'featurejob.dev/v1alpha1',
        kind: 'FeatureJob',
        metadata: { name: 'fj', namespace: 'corrupt' },
        spec,
      }),
    );
    assert.equal((await reconcileFeatureJob(ctx, 'corrupt', 'fj')).status?.phase, 'Planning');
    const planning = await observeWorld('corrupt', 'fj');

    // Something other than featurejob wrote the manifest before the merge.
    await openStore('s3://output-features/corrupt', { s3Client: () => minio.client }).put(
      'manifest.json',
      '{"version": 1, "images": ',
    );
    client.takeWrites();
    const failed = await reconcileFeatureJob(ctx, 'corrupt', 'fj');
    assert.equal(failed.status?.phase, 'Failed');
    const condition = failed.status?.conditions?.find((c) => c.type === 'Failed');
    assert.equal(condition?.status, 'True');
    assert.equal(condition?.reason, 'ManifestInvalid');
    assert.match(
      condition?.message ?? '',
      /FJ_MANIFEST_INVALID: s3:\/\/output-features\/corrupt\/manifest\.json is not valid JSON/,
    );
    assert.equal(failed.requeueAfterMs, undefined, 'a terminal failure is not retried');
    const writes = client.takeWrites();
    assert.deepEqual(writes.sort(), [
      'PATCH /apis/featurejob.dev/v1alpha1/namespaces/corrupt/featurejobs/fj/status',
      'POST /api/v1/namespaces/corrupt/events',
    ]);
    const world = await observeWorld('corrupt', 'fj');
    assert.equal(world.events.length, planning.events.length + 1, 'one Warning Event for the failure');

    await reconcileFeatureJob(ctx, 'corrupt', 'fj');
    assert.deepEqual(client.takeWrites(), [], 'a failure already reported is not written again');
    assert.deepEqual(await observeWorld('corrupt', 'fj'), world);
  });

  it('backs off while storage is unreachable, naming the code and the attempt, and writes nothing between two attempts', async () => {
    await ok(['create', 'namespace', 'unreachable']);
    const spec = {
      input: { bucket: 'input-photos', prefix: 'photos', endpoint: 'http://127.0.0.1:1' },
      output: { bucket: 'output-features', prefix: 'unreachable' },
      model: { weights: 'random' },
    };
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'featurejob.dev/v1alpha1',
        kind: 'FeatureJob',
        metadata: { name: 'fj', namespace: 'unreachable' },
        spec,
      }),
    );
    client.takeWrites();
    const first = await reconcileFeatureJob(ctx, 'unreachable', 'fj');
    assert.notEqual(first.status?.phase, 'Failed');
    const progressing = first.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual([progressing?.status, progressing?.reason], ['Unknown', 'StorageUnavailable']);
    assert.match(progressing?.message ?? '', /^attempt 1 .*FJ_STORAGE_UNREACHABLE/);
    assert.equal(first.requeueAfterMs, 10_000);
    assert.ok(client.takeWrites().some((write) => write.startsWith('PATCH ')));
    const world = await observeWorld('unreachable', 'fj');
    await reconcileFeatureJob(ctx, 'unreachable', 'fj');
    assert.deepEqual(client.takeWrites(), [], 'the same attempt, nothing new to write');
    assert.deepEqual(await observeWorld('unreachable', 'fj'), world);

    // 10 s later the second attempt: its count in the message, the next wait doubled, no new Event.
    clock = new Date(start.getTime() + 10_000);
    try {
      const second = await reconcileFeatureJob(ctx, 'unreachable', 'fj');
      assert.notEqual(second.status?.phase, 'Failed');
      assert.match(second.status?.conditions?.find((c) => c.type === 'Progressing')?.message ?? '', /^attempt 2 /);
      assert.equal(second.requeueAfterMs, 20_000);
      assert.deepEqual(client.takeWrites(), [
        'PATCH /apis/featurejob.dev/v1alpha1/namespaces/unreachable/featurejobs/fj/status',
      ]);
      assert.deepEqual(
        (await observeWorld('unreachable', 'fj')).events,
        world.events,
        'a failure already reported gets no second Event',
      );
    } finally {
      clock = start;
    }
  });

  it('fails a spec the API server cannot check (a name too long for its children), once', async () => {
    await ok(['create', 'namespace', 'longname']);
    const name = 'a-feature-job-name-that-is-much-too-long-for-pods';
    const spec = {
      input: { bucket: 'input-photos', prefix: 'photos', endpoint: minio.endpoint },
      output: { bucket: 'output-features', prefix: 'long' },
    };
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'featurejob.dev/v1alpha1',
        kind: 'FeatureJob',
        metadata: { name, namespace: 'longname' },
        spec,
      }),
    );
    client.takeWrites();
    const result = await reconcileFeatureJob(ctx, 'longname', name);
    assert.equal(result.status?.phase, 'Failed');
    const accepted = result.status?.conditions?.find((c) => c.type === 'Accepted');
    assert.equal(accepted?.reason, 'InvalidSpec');
    assert.match(accepted?.message ?? '', /at most 40 characters/);
    const world = await observeWorld('longname', name);
    assert.equal(world.jobs.length, 0);
    assert.equal(world.events.length, 1, 'one Warning event for the Failed condition');
    assert.equal(client.takeWrites().length, 2, 'one status patch, one Event');
    await reconcileFeatureJob(ctx, 'longname', name);
    assert.deepEqual(client.takeWrites(), []);
    assert.deepEqual(await observeWorld('longname', name), world);
  });
});
