import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FeatureJobStatus } from '../../../crds/feature-job-status.js';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { openStore } from '../../../executor/storage/open-store.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { dumpDom, ensureChromium, visibleText } from '../../support/chromium.js';
import {
  buildRestrictedNamespace,
  eventually,
  readExampleFeatureJob,
  startOperatorTestCluster,
  type OperatorProcess,
  type OperatorTestCluster,
} from '../../support/operator-test-cluster.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages } from '../../support/write-test-images.js';

const NAMESPACE = 'dash';

/** The text of each FeatureJob card on the dumped page, by `namespace/name`. */
function jobCards(dom: string): Map<string, { phase: string; text: string }> {
  const cards = new Map<string, { phase: string; text: string }>();
  for (const match of dom.matchAll(
    /<section class="job" data-job="([^"]+)" data-phase="([^"]+)">([\s\S]*?)<\/section>/g,
  ))
    cards.set(match[1]!, { phase: match[2]!, text: visibleText(match[3]!) });
  return cards;
}

/** The alert line of the page (an error or "No FeatureJobs"), empty when hidden. */
function alertText(dom: string): string {
  const match = /<div id="message" class="message" role="alert"( hidden(="")?)?>([\s\S]*?)<\/div>/.exec(dom);
  assert.ok(match, 'the page has its message line');
  return match[1] === undefined ? visibleText(match[3]!) : '';
}

// The operator (watching one namespace) on the real test control plane runs two real
// FeatureJobs; Debian's headless Chromium loads its dashboard, and the test reads what a person
// would see there. A machine without Chromium installs it (.ci/install-chromium.sh) or fails.
describe('the operator dashboard in a real browser', { timeout: 60 * 60_000 }, () => {
  let cluster: OperatorTestCluster;
  let operator: OperatorProcess;
  let imagesDir: string;

  before(async () => {
    await ensureChromium();
    cluster = await startOperatorTestCluster();
    const modelPath = (await resolveModel({ weights: 'random', seed: 0, cacheDir: join(testCacheDir(), 'featurejob') }))
      .path;
    imagesDir = await mkdtemp(join(tmpdir(), 'featurejob-dashboard-images-'));
    await writePlainImages(imagesDir, { count: 10 });
    await cluster.minio.createBucket('fruits');
    await cluster.minio.createBucket('features');
    await uploadDirectory(imagesDir, openStore('s3://fruits/Training', { s3Client: () => cluster.minio.client }));
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(buildRestrictedNamespace(NAMESPACE)));
    await cluster.ok(['create', 'serviceaccount', 'featurejob-executor', '-n', NAMESPACE]);
    operator = await cluster.startOperator(['--namespace', NAMESPACE]);

    const job = async (
      name: string,
      executor: Record<string, unknown> = {},
    ): Promise<Awaited<ReturnType<typeof readExampleFeatureJob>>> => {
      const spec = await readExampleFeatureJob();
      spec.metadata = { name, namespace: NAMESPACE };
      spec.spec.input.endpoint = cluster.minio.endpoint;
      spec.spec.input.region = cluster.minio.region;
      spec.spec.output.prefix = `runs/${name}/`;
      spec.spec.imagesPerPartition = 5;
      spec.spec.parallelism = 2;
      spec.spec.model.weights = modelPath;
      spec.spec.executor = {
        batchSize: 4,
        threads: 1,
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '4Gi' } },
        ...executor,
      };
      return spec;
    };
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(await job('fruits')));
    // No node has this instance type: the job stalls with Unschedulable, as the e2e test shows.
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify(await job('stuck', { nodeSelector: { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' } })),
    );
    // Weights that do not exist: the planner fails and leaves the end of its log in the output.
    const broken = await job('broken');
    broken.spec.model.weights = '/nonexistent/vgg16.onnx';
    await cluster.ok(['apply', '-f', '-'], JSON.stringify(broken));
    await cluster.ok(['wait', '--for=condition=Complete', '--timeout=300s', 'featurejob/fruits', '-n', NAMESPACE]);
    await cluster.ok(['wait', '--for=condition=Failed', '--timeout=180s', 'featurejob/broken', '-n', NAMESPACE]);
    await eventually('the Unschedulable reason on stuck', async () => {
      const stuck = await cluster.getJson<{ status?: FeatureJobStatus }>([
        'get',
        'featurejob',
        'stuck',
        '-n',
        NAMESPACE,
      ]);
      return stuck.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'Unschedulable')
        ? true
        : undefined;
    });
  });

  after(async () => {
    await cluster?.stop();
    if (imagesDir !== undefined) await rm(imagesDir, { recursive: true, force: true });
  });

  it('shows every FeatureJob with its name, phase, progress, partitions and why one is stuck', async () => {
    const stuck = await cluster.getJson<{ status?: FeatureJobStatus }>(['get', 'featurejob', 'stuck', '-n', NAMESPACE]);
    const dom = await dumpDom(`${operator.url}/`);
    assert.match(dom, /<title>featurejob dashboard: 3 FeatureJobs<\/title>/);
    assert.match(visibleText(dom), /Operator watches namespace dash/);
    assert.equal(alertText(dom), '');
    const cards = jobCards(dom);
    assert.deepEqual([...cards.keys()], ['dash/broken', 'dash/fruits', 'dash/stuck']);

    const fruits = cards.get('dash/fruits')!;
    assert.equal(fruits.phase, 'Complete');
    assert.match(fruits.text, /^fruits dash Complete /);
    assert.match(fruits.text, /10\/10 images \(100%\)/);
    assert.match(fruits.text, /Partitions: 2\/2 partitions 2 succeeded 0 failed 0 active 0 pending/);
    assert.match(fruits.text, /Throughput [0-9.]+ img\/s on average since the start/);
    assert.match(fruits.text, /Manifest s3:\/\/features\/runs\/fruits\/manifest\.json/);
    assert.doesNotMatch(fruits.text, /Failures/);
    // Fields the status does not have are not shown at all.
    assert.doesNotMatch(fruits.text, /Table version|Cost|Log of failed pod|PCA scree/);

    // The failed planner: its pod, where its log tail is, and the last lines of that log.
    const brokenCard = cards.get('dash/broken')!;
    assert.equal(brokenCard.phase, 'Failed');
    assert.match(
      brokenCard.text,
      /Log of failed pod broken-plan-\w+ Full log tail: s3:\/\/features\/runs\/broken\/_featurejob\/logs\/plan-a\w+\.log /,
    );
    assert.match(brokenCard.text, /"code":"FJ_MODEL_NOT_FOUND"/);

    const stuckCard = cards.get('dash/stuck')!;
    // The phase the page shows is the one the API server holds.
    assert.equal(stuckCard.phase, stuck.status?.phase);
    assert.match(stuckCard.text, new RegExp(`^stuck dash ${stuck.status?.phase} `));
    assert.match(
      stuckCard.text,
      /Failures Unschedulable \(Progressing=False, since [^)]+\): .*0\/1 nodes are available/,
    );
  });

  it('serves the same summaries as JSON, and only to GET', async () => {
    const response = await fetch(`${operator.url}/api/featurejobs`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { watching: string; jobs: Array<{ name: string; phase: string }> };
    assert.equal(body.watching, NAMESPACE);
    assert.deepEqual(
      body.jobs.map((job) => job.name),
      ['broken', 'fruits', 'stuck'],
    );
    assert.equal((await fetch(`${operator.url}/api/featurejobs`, { method: 'POST' })).status, 404);
  });

  it('for a namespace the operator does not watch, the page says so and shows no job', async () => {
    const response = await fetch(`${operator.url}/api/featurejobs?namespace=elsewhere`);
    assert.equal(response.status, 404);
    const dom = await dumpDom(`${operator.url}/?namespace=elsewhere`);
    assert.equal(
      alertText(dom),
      'NamespaceNotWatched: this operator watches namespace "dash" only, not "elsewhere": it knows no FeatureJobs there',
    );
    assert.equal(jobCards(dom).size, 0);
    assert.match(visibleText(dom), /Showing namespace elsewhere/);
  });
});
