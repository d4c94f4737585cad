import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { FEATURE_JOB_CRD_NAME } from '../../../crds/feature-job-resource.js';
import { FeatureJobSpecSchema } from '../../../crds/feature-job-spec.js';
import { FEATURE_JOB_CRD_YAML_PATH } from '../../../crds/render-feature-job-crd-yaml.js';
import { checked, runCommand, type CommandResult } from '../../cluster/run-command.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { buildLargestStatus } from '../../unit/crds/build-largest-status.js';

const EXAMPLE_PATH = new URL('../../../../crds/examples/featurejob-fruits.yaml', import.meta.url);
const NAMESPACE = 'featurejobs';

interface FeatureJobObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; [key: string]: unknown };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

function featureJob(name: string, spec: Record<string, unknown>): FeatureJobObject {
  return { apiVersion: 'featurejob.dev/v1alpha1', kind: 'FeatureJob', metadata: { name, namespace: NAMESPACE }, spec };
}

/** The smallest valid spec; each invalid case changes one thing. */
function validSpec(): Record<string, unknown> {
  return { input: { bucket: 'images', prefix: 'in/' }, output: { bucket: 'features', prefix: 'out/' } };
}

// A cold first run builds etcd and Kubernetes from their Go modules (minutes; cached afterwards).
describe('the FeatureJob CRD on a real API server', { timeout: 60 * 60_000 }, () => {
  let cluster: ControlPlane;
  const kubectl = (args: string[], stdin?: string): Promise<CommandResult> =>
    // Its own discovery cache: kubectl must see the new resource, not a cache from before it.
    runCommand(
      cluster.binaries.kubectl,
      args,
      { ...cluster.env(), KUBECACHEDIR: join(cluster.dir, 'kubectl-cache') },
      stdin,
    );
  const ok = (args: string[], stdin?: string): Promise<string> =>
    checked(kubectl(args, stdin), `kubectl ${args.join(' ')}`);
  const getJob = async (name: string): Promise<FeatureJobObject> =>
    JSON.parse(await ok(['get', 'featurejob', name, '-n', NAMESPACE, '-o', 'json'])) as FeatureJobObject;
  /** Creating `spec` fails; resolves the error text. */
  const refused = async (name: string, spec: Record<string, unknown>): Promise<string> => {
    const result = await kubectl(['create', '-f', '-'], JSON.stringify(featureJob(name, spec)));
    assert.notEqual(result.code, 0, `created ${name}: ${result.stdout}`);
    assert.equal((await kubectl(['get', 'featurejob', name, '-n', NAMESPACE])).code, 1, `${name} exists`);
    return result.stderr;
  };

  before(async () => {
    cluster = await startControlPlane({ log: (line) => console.error(`control plane: ${line}`) });
    await ok(['apply', '-f', '-'], await readFile(FEATURE_JOB_CRD_YAML_PATH, 'utf8'));
    await ok(['wait', '--for=condition=Established', `crd/${FEATURE_JOB_CRD_NAME}`, '--timeout=60s']);
    await ok(['create', 'namespace', NAMESPACE]);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('establishes the CRD with every name accepted, its CEL rules within the cost budget', async () => {
    const crd = JSON.parse(await ok(['get', 'crd', FEATURE_JOB_CRD_NAME, '-o', 'json'])) as {
      status: { acceptedNames: Record<string, unknown>; conditions: { type: string; status: string }[] };
    };
    assert.deepEqual(crd.status.acceptedNames, {
      kind: 'FeatureJob',
      listKind: 'FeatureJobList',
      plural: 'featurejobs',
      singular: 'featurejob',
      shortNames: ['fj'],
    });
    const conditions = Object.fromEntries(crd.status.conditions.map((c) => [c.type, c.status]));
    assert.equal(conditions.Established, 'True');
    assert.equal(conditions.NamesAccepted, 'True');
    assert.equal(conditions.NonStructuralSchema, undefined);
  });

  it("accepts the documented example and applies the same defaults as the operator's schema", async () => {
    const example = parse(await readFile(EXAMPLE_PATH, 'utf8')) as FeatureJobObject;
    await ok(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(example));
    const stored = await getJob('fruits');
    assert.deepEqual(stored.spec, FeatureJobSpecSchema.parse(example.spec));
    assert.equal(stored.spec.parallelism, 2);
    assert.deepEqual(stored.spec.output, { bucket: 'features', prefix: 'runs/fruits-1/', format: 'parquet' });
    assert.deepEqual(stored.spec.retry, { maxAttemptsPerPartition: 3, maxFailedPartitions: 0 });
  });

  it('fills in every default of a minimal spec exactly as zod does', async () => {
    await ok(['create', '-f', '-'], JSON.stringify(featureJob('minimal', validSpec())));
    const stored = await getJob('minimal');
    assert.deepEqual(stored.spec, FeatureJobSpecSchema.parse(validSpec()));
    assert.equal(stored.spec.parallelism, 10);
    assert.deepEqual(stored.spec.model, { name: 'vgg16', weights: 'imagenet', precision: 'fp32' });
    assert.deepEqual(stored.spec.executor, { batchSize: 8 });
    assert.equal(stored.spec.suspend, false);
  });

  it('lists featurejobs, by name and by the short name fj, with phase, images, failed, partitions and age', async () => {
    for (const resource of ['featurejobs', 'fj']) {
      const table = await ok(['get', resource, '-n', NAMESPACE]);
      assert.match(table.split('\n')[0]!, /^NAME\s+PHASE\s+IMAGES\s+FAILED\s+PARTITIONS\s+AGE$/, table);
      assert.match(table, /^fruits\s/m);
    }
    const wide = await ok(['get', 'fj', '-n', NAMESPACE, '-o', 'wide']);
    assert.match(
      wide.split('\n')[0]!,
      /^NAME\s+PHASE\s+IMAGES\s+FAILED\s+PARTITIONS\s+AGE\s+THROUGHPUT\s+MODEL$/,
      wide,
    );
  });

  it("refuses both partitions and imagesPerPartition with the CEL rule's message", async () => {
    const stderr = await refused('both', { ...validSpec(), partitions: 4, imagesPerPartition: 64 });
    assert.match(stderr, /set partitions or imagesPerPartition, not both/);
  });

  it('refuses a bucket name with upper case, naming the field and the pattern', async () => {
    const stderr = await refused('upper', { ...validSpec(), input: { bucket: 'Fruits' } });
    assert.match(stderr, /spec\.input\.bucket: Invalid value: "Fruits": spec\.input\.bucket in body should match/);
  });

  it('refuses a spec without input', async () => {
    const stderr = await refused('no-input', { output: { bucket: 'features' } });
    assert.match(stderr, /spec\.input: Required value/);
  });

  it('refuses parallelism 0', async () => {
    const stderr = await refused('idle', { ...validSpec(), parallelism: 0 });
    assert.match(
      stderr,
      /spec\.parallelism: Invalid value: 0: spec\.parallelism in body should be greater than or equal to 1/,
    );
  });

  it('refuses an output that is the input', async () => {
    const stderr = await refused('same', {
      input: { bucket: 'images', prefix: 'a/' },
      output: { bucket: 'images', prefix: 'a/' },
    });
    assert.match(stderr, /output must differ from input/);
  });

  it('refuses an input inside the output, and the same prefix written with and without its slash', async () => {
    const inside = await refused('inside', {
      input: { bucket: 'images', prefix: 'out/a' },
      output: { bucket: 'images', prefix: 'out' },
    });
    assert.match(inside, /output must differ from input and must not contain it/);
    const slash = await refused('slash', {
      input: { bucket: 'images', prefix: 'a' },
      output: { bucket: 'images', prefix: 'a/' },
    });
    assert.match(slash, /output must differ from input and must not contain it/);
  });

  it('refuses a key prefix with a leading slash', async () => {
    const stderr = await refused('leading', {
      input: { bucket: 'images', prefix: '/a' },
      output: { bucket: 'features' },
    });
    assert.match(stderr, /spec\.input\.prefix: Invalid value/);
  });

  it('refuses model weights that are not imagenet, random, an s3:// URL or a path', async () => {
    const stderr = await refused('ftp', { ...validSpec(), model: { weights: 'ftp://x' } });
    assert.match(stderr, /model\.weights must be imagenet, random/);
  });

  it('refuses a misspelt field instead of dropping it', async () => {
    const stderr = await refused('typo', { ...validSpec(), paralelism: 3 });
    assert.match(stderr, /unknown field "spec\.paralelism"/);
  });

  it('refuses to change the input of an existing job, and still allows other changes', async () => {
    const change = await kubectl([
      'patch',
      'fj',
      'minimal',
      '-n',
      NAMESPACE,
      '--type=merge',
      '-p',
      '{"spec":{"input":{"prefix":"other/"}}}',
    ]);
    assert.notEqual(change.code, 0);
    assert.match(change.stderr, /input, output and model are immutable once the job exists/);
    await ok(['patch', 'fj', 'minimal', '-n', NAMESPACE, '--type=merge', '-p', '{"spec":{"parallelism":3}}']);
    const stored = await getJob('minimal');
    assert.equal(stored.spec.parallelism, 3);
    assert.deepEqual(stored.spec.input, { bucket: 'images', prefix: 'in/' });
  });

  it('takes status through the status subresource and shows it in the printer columns', async () => {
    const status = {
      phase: 'Running',
      images: { total: 640, succeeded: 128, failed: 2 },
      progress: { images: '130/640', partitions: '2/10' },
      throughput: '12.5 images/s',
      model: 'vgg16 imagenet',
    };
    await ok([
      'patch',
      'fj',
      'fruits',
      '-n',
      NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
    assert.deepEqual((await getJob('fruits')).status, status);
    const row = (await ok(['get', 'fj', 'fruits', '-n', NAMESPACE, '-o', 'wide', '--no-headers'])).trim();
    assert.match(row, /^fruits\s+Running\s+130\/640\s+2\s+2\/10\s+\S+\s+12\.5 images\/s\s+vgg16 imagenet$/);
  });

  it('stores the largest realistic status (20,000 partitions, every other one failed)', async () => {
    const status = buildLargestStatus();
    await ok([
      'patch',
      'fj',
      'fruits',
      '-n',
      NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
    const stored = await getJob('fruits');
    assert.equal(stored.status?.failedPartitions, status.failedPartitions);
    assert.equal((stored.status?.conditions as unknown[] | undefined)?.length, 16);
  });

  it('refuses a status the schema does not allow', async () => {
    const result = await kubectl([
      'patch',
      'fj',
      'fruits',
      '-n',
      NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Bogus"}}',
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /status\.phase: Unsupported value: "Bogus"/);
  });

  it('ignores status in a write of the whole object, as kubectl edit makes, and keeps the spec change', async () => {
    const before = await getJob('fruits');
    const edited: FeatureJobObject = {
      ...before,
      spec: { ...before.spec, parallelism: 4 },
      status: { ...before.status, phase: 'Complete' },
    };
    await ok(['replace', '-f', '-'], JSON.stringify(edited));
    const after = await getJob('fruits');
    assert.equal(after.spec.parallelism, 4);
    assert.deepEqual(after.status, before.status);
    assert.equal(after.metadata.generation, (before.metadata.generation ?? 0) + 1);
  });
});
