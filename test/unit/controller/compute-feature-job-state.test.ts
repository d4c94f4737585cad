import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureJobSpecSchema } from '../../../crds/feature-job-spec.js';
import type { PodObject } from '../../../operator/kube/pod-object.js';
import { buildStatus } from '../../../operator/controller/build-status.js';
import { computeChangedConditions } from '../../../operator/controller/compute-conditions.js';
import { isStatusEquivalent } from '../../../operator/controller/is-status-equivalent.js';
import {
  computeFeatureJobState,
  computeStorageFailureDecision,
  type World,
} from '../../../operator/controller/compute-feature-job-state.js';
import { computeStorageFailure } from '../../../operator/controller/compute-storage-failure.js';
import { FeatureJobError } from '../../../executor/errors.js';
import type { JobObject } from '../../../operator/kube/job-object.js';
import type { OutputObservation } from '../../../operator/controller/output-observer.js';
import type { PlanIndex } from '../../../executor/plan/plan-schema.js';
import type { Manifest } from '../../../executor/output/manifest-schema.js';

const spec = FeatureJobSpecSchema.parse({ input: { bucket: 'in-bucket' }, output: { bucket: 'out-bucket' } });
const SHA = 'a'.repeat(64);
const model = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: '/models/vgg16.onnx', sha256: SHA };
/** The plan this spec's planner would write (input s3://in-bucket, parquet). */
const plan: PlanIndex = {
  version: 1,
  planId: 'p1abc',
  inputUri: 's3://in-bucket',
  outputUri: 's3://out-bucket',
  format: 'parquet',
  model,
  listed: 25,
  images: 25,
  skipped: 0,
  partitions: [
    { index: 0, images: 10 },
    { index: 1, images: 10 },
    { index: 2, images: 5 },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
};
/** The manifest this plan's merge would write, with `overrides`. */
function manifestOf(overrides: Partial<Manifest> = {}): Manifest {
  const partition = (index: number, rows: number) => ({
    index,
    uri: `s3://out-bucket/features/part-0000${index}-a.parquet`,
    rows,
    failed: 0,
    sha256: SHA,
    bytes: 1,
  });
  return {
    version: 1,
    planId: 'p1abc',
    model,
    input: { uri: 's3://in-bucket', listed: 25, images: 25, skipped: 0 },
    output: { uri: 's3://out-bucket', format: 'parquet' },
    images: { total: 25, succeeded: 25, failed: 0 },
    failuresByCode: {},
    partitions: [partition(0, 10), partition(1, 10), partition(2, 5)],
    errorsUri: 's3://out-bucket/errors.jsonl',
    createdAt: '2026-01-01T00:10:00.000Z',
    ...overrides,
  };
}
const now = new Date('2026-01-01T01:00:00Z');

function observed(partitions: number, extra: Partial<OutputObservation> = {}): OutputObservation {
  return {
    plan,
    manifest: undefined,
    committed: { partitions, succeeded: partitions * 10, failed: 0 },
    committedIndexes: new Set(),
    ...extra,
  };
}

function world(overrides: Partial<World>): World {
  return {
    spec,
    previous: undefined,
    planJob: undefined,
    extractJob: undefined,
    plannerPods: [],
    executorPods: [],
    output: observed(0),
    storageFailure: undefined,
    now,
    stallTimeoutSeconds: 600,
    ...overrides,
  };
}

const job = (name: string, status: JobObject['status']): JobObject => ({ metadata: { name }, status });
const failedPod = (name: string, index: number, reason: string, exitCode: number): PodObject => ({
  metadata: { name, annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } },
  status: { phase: 'Failed', containerStatuses: [{ name: 'executor', state: { terminated: { exitCode, reason } } }] },
});
const unschedulable = (since: string): PodObject => ({
  metadata: { name: 'p' },
  status: {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/1 nodes are available: 1 Insufficient cpu.',
        lastTransitionTime: since,
      },
    ],
  },
});

describe('computeFeatureJobState', () => {
  it('plans first: without a plan in storage it asks for the planner Job', () => {
    const decision = computeFeatureJobState(world({ output: { ...observed(0), plan: undefined } }));
    assert.equal(decision.phase, 'Planning');
    assert.equal(decision.ensure, 'plan');
  });

  it('runs the executors once the plan exists and counts committed partitions', () => {
    const decision = computeFeatureJobState(
      world({ output: observed(1), extractJob: job('j-extract', { active: 2 }) }),
    );
    assert.equal(decision.phase, 'Running');
    assert.equal(decision.ensure, 'extract');
    assert.match(decision.progressing.message, /1\/3 partitions committed, 2 executor/);
  });

  it('merges when every partition committed, and is Complete once the manifest exists', () => {
    assert.equal(computeFeatureJobState(world({ output: observed(3) })).merge, true);
    const done = computeFeatureJobState(
      world({ output: observed(3, { manifest: manifestOf({ images: { total: 25, succeeded: 24, failed: 1 } }) }) }),
    );
    assert.equal(done.phase, 'Complete');
    assert.equal(done.merge, false);
  });

  it('fails with the last failure of a failed partition when the Job gave up', () => {
    const decision = computeFeatureJobState(
      world({
        output: observed(1),
        extractJob: job('j-extract', {
          failedIndexes: '2',
          conditions: [{ type: 'Failed', status: 'True', reason: 'FailedIndexes' }],
        }),
        executorPods: [
          failedPod('j-extract-1-a', 1, 'Error', 1),
          failedPod('j-extract-2-a', 2, 'OOMKilled', 137),
          failedPod('j-extract-2-b', 2, 'OOMKilled', 137),
        ],
      }),
    );
    assert.equal(decision.phase, 'Failed');
    assert.equal(decision.failed?.reason, 'PartitionsFailed');
    assert.match(decision.failed?.message ?? '', /partition 2: OOMKilled/);
    assert.deepEqual(decision.failedPartitions, [2]);
    assert.equal(decision.podFailures.length, 3);
  });

  it('says DeadlineExceeded when activeDeadlineSeconds ended the Job', () => {
    const decision = computeFeatureJobState(
      world({ extractJob: job('j', { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] }) }),
    );
    assert.equal(decision.failed?.reason, 'DeadlineExceeded');
  });

  it('reports unschedulable executors with the scheduler message, then fails after the stall timeout', () => {
    const recent = computeFeatureJobState(
      world({ extractJob: job('j', {}), executorPods: [unschedulable('2026-01-01T00:59:00Z')] }),
    );
    assert.equal(recent.phase, 'Running');
    assert.deepEqual(recent.progressing, {
      status: 'False',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
    });
    const stale = computeFeatureJobState(
      world({ extractJob: job('j', {}), executorPods: [unschedulable('2026-01-01T00:40:00Z')] }),
    );
    assert.equal(stale.phase, 'Failed');
    assert.equal(stale.failed?.reason, 'Unschedulable');
  });

  it('says so when the executor ServiceAccount is missing (no pod can even be created)', () => {
    const decision = computeFeatureJobState(
      world({
        output: { ...observed(0), plan: undefined },
        missingServiceAccount: {
          message: 'serviceaccount "featurejob-executor" not found',
          since: '2026-01-01T00:59:00Z',
        },
      }),
    );
    assert.equal(decision.phase, 'Planning');
    assert.deepEqual(decision.progressing, {
      status: 'False',
      reason: 'ServiceAccountMissing',
      message: 'serviceaccount "featurejob-executor" not found',
    });
  });

  it('does not call a job stalled while another of its executors runs', () => {
    const running: PodObject = {
      metadata: { name: 'r' },
      status: { phase: 'Running', containerStatuses: [{ name: 'executor', state: { running: {} } }] },
    };
    const decision = computeFeatureJobState(
      world({ extractJob: job('j', {}), executorPods: [unschedulable('2026-01-01T00:00:00Z'), running] }),
    );
    assert.equal(decision.progressing.status, 'True');
  });

  it('fails planning with the planner pod reason', () => {
    const planner: PodObject = {
      metadata: { name: 'j-plan-x' },
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'executor',
            state: {
              terminated: {
                exitCode: 78,
                reason: 'Error',
                message:
                  '{"code":"FJ_NO_INPUT_IMAGES","reason":"NoInputImages","message":"no images under s3://in-bucket"}',
              },
            },
          },
        ],
      },
    };
    const decision = computeFeatureJobState(
      world({
        output: { ...observed(0), plan: undefined },
        planJob: job('j-plan', { conditions: [{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy' }] }),
        plannerPods: [planner],
      }),
    );
    assert.equal(decision.phase, 'Failed');
    assert.equal(decision.failed?.reason, 'PlanningFailed');
    assert.match(decision.failed?.message ?? '', /FJ_NO_INPUT_IMAGES/);
  });

  it('keeps its phase and backs off when storage cannot be read for a reason that may pass', () => {
    const storageFailure = computeStorageFailure({
      error: new FeatureJobError('FJ_STORAGE_UNREACHABLE', 'connect ECONNREFUSED'),
      step: 'observe',
      previous: undefined,
      now,
    });
    const decision = computeFeatureJobState(
      world({ output: undefined, storageFailure, previous: { phase: 'Running' } }),
    );
    assert.equal(decision.phase, 'Running');
    assert.equal(decision.failed, undefined);
    assert.equal(decision.retryAfterMs, 10_000);
    assert.equal(decision.progressing.status, 'Unknown');
    assert.equal(decision.progressing.reason, 'StorageUnavailable');
    assert.match(decision.progressing.message, /^attempt 1 .*FJ_STORAGE_UNREACHABLE: connect ECONNREFUSED$/);
  });

  it("fails with the code's own reason when storage holds what retrying cannot fix", () => {
    const storageFailure = computeStorageFailure({
      error: new FeatureJobError('FJ_MANIFEST_INVALID', 's3://out-bucket/manifest.json is not valid JSON'),
      step: 'observe',
      previous: undefined,
      now,
    });
    const decision = computeFeatureJobState(
      world({ output: undefined, storageFailure, previous: { phase: 'Merging' } }),
    );
    assert.equal(decision.phase, 'Failed');
    assert.equal(decision.failed?.reason, 'ManifestInvalid');
    assert.match(
      decision.failed?.message ?? '',
      /FJ_MANIFEST_INVALID: s3:\/\/out-bucket\/manifest.json is not valid JSON/,
    );
    assert.deepEqual(
      { ...decision.progressing, message: '' },
      { status: 'False', reason: 'ManifestInvalid', message: '' },
    );
    assert.equal(decision.retryAfterMs, undefined);
  });

  it('stops merging when the merge fails terminally, and retries it later when it may pass', () => {
    const merging = computeFeatureJobState(world({ output: observed(3) }));
    assert.equal(merging.merge, true);
    const terminal = computeStorageFailureDecision(
      merging,
      computeStorageFailure({
        error: new FeatureJobError('FJ_PLAN_MISMATCH', 'partition 1 committed 9 rows'),
        step: 'merge',
        previous: undefined,
        now,
      }),
    );
    assert.equal(terminal.phase, 'Failed');
    assert.equal(terminal.failed?.reason, 'PlanMismatch');
    assert.equal(terminal.merge, false);
    const transient = computeStorageFailureDecision(
      merging,
      computeStorageFailure({ error: new Error('socket hang up'), step: 'merge', previous: undefined, now }),
    );
    assert.equal(transient.phase, 'Merging');
    assert.equal(transient.merge, false);
    assert.equal(transient.progressing.reason, 'MergeFailed');
    assert.match(transient.progressing.message, /FJ_STORAGE_FAILED: socket hang up/);
  });
});

describe('computeFeatureJobState on an output another job wrote', () => {
  const otherInput = { ...plan, planId: 'p2other', inputUri: 's3://in-bucket/other' };
  const statusOf = (w: World) =>
    buildStatus({ world: w, decision: computeFeatureJobState(w), spec: w.spec, generation: 1, manifestUri: undefined });

  it('fails PlanMismatch on a plan of another input, naming both, and creates nothing: no Job, no merge', () => {
    // Every partition committed (under the other plan): without the check this would merge.
    const decision = computeFeatureJobState(world({ output: observed(3, { plan: otherInput }) }));
    assert.equal(decision.phase, 'Failed');
    assert.equal(decision.ensure, undefined);
    assert.equal(decision.merge, false);
    assert.equal(decision.failed?.reason, 'PlanMismatch');
    assert.match(
      decision.failed?.message ?? '',
      /output s3:\/\/out-bucket holds a plan for input s3:\/\/in-bucket\/other, this FeatureJob reads s3:\/\/in-bucket/,
    );
    assert.deepEqual([decision.progressing.status, decision.progressing.reason], ['False', 'PlanMismatch']);
  });

  it("never turns Complete on another job's manifest, and reports none of its counts", () => {
    const foreign = manifestOf({ input: { uri: 's3://in-bucket/other', listed: 25, images: 25, skipped: 0 } });
    const w = world({ output: observed(0, { plan: undefined, manifest: foreign }) });
    const decision = computeFeatureJobState(w);
    assert.equal(decision.phase, 'Failed');
    assert.equal(decision.failed?.reason, 'ForeignOutput');
    const status = statusOf(w);
    assert.equal(
      status.conditions?.some((c) => c.type === 'Complete'),
      false,
    );
    assert.equal(status.images, undefined);
    assert.equal(status.partitions, undefined);
    const sameInputOtherPlan = computeFeatureJobState(
      world({ output: observed(3, { manifest: manifestOf({ planId: 'p9other' }) }) }),
    );
    assert.equal(sameInputOtherPlan.failed?.reason, 'ForeignOutput');
  });

  it("is Complete on the manifest its own plan's merge wrote", () => {
    assert.equal(computeFeatureJobState(world({ output: observed(3, { manifest: manifestOf() }) })).phase, 'Complete');
  });

  it('waits, creating nothing, while a Job it does not own has the name of the Job it would create', () => {
    const planning = world({
      output: { ...observed(0), plan: undefined },
      foreignJobs: { plan: { name: 'j-plan', owner: 'FeatureJob j (uid 1234)' } },
    });
    const decision = computeFeatureJobState(planning);
    assert.equal(decision.phase, 'Planning');
    assert.equal(decision.ensure, undefined);
    assert.equal(decision.failed, undefined);
    assert.deepEqual([decision.progressing.status, decision.progressing.reason], ['False', 'JobNameTaken']);
    assert.match(
      decision.progressing.message,
      /^Job j-plan exists and is not this FeatureJob's \(its owner is FeatureJob j \(uid 1234\)\): the operator never adopts/,
    );
    const running = computeFeatureJobState(
      world({ output: observed(1), foreignJobs: { extract: { name: 'j-extract', owner: undefined } } }),
    );
    assert.equal(running.phase, 'Running');
    assert.equal(running.ensure, undefined);
    assert.match(running.progressing.message, /Job j-extract exists and is not this FeatureJob's \(it has no owner\)/);
    // A foreign Job under another child's name does not stand in the way of this one.
    const unrelated = computeFeatureJobState(
      world({ output: observed(1), foreignJobs: { plan: { name: 'j-plan', owner: undefined } } }),
    );
    assert.equal(unrelated.ensure, 'extract');
  });

  it('computes the same status on the next look, so a second reconcile writes nothing', () => {
    const taken = world({
      output: { ...observed(0), plan: undefined },
      foreignJobs: { plan: { name: 'j-plan', owner: undefined } },
    });
    const first = statusOf(taken);
    const later = { ...taken, previous: first, now: new Date(now.getTime() + 60_000) };
    assert.ok(isStatusEquivalent(first, statusOf(later)));
    assert.deepEqual(computeChangedConditions(first.conditions, statusOf(later).conditions ?? []), []);
    const mismatch = world({ output: observed(0, { plan: otherInput }) });
    const failed = statusOf(mismatch);
    assert.ok(isStatusEquivalent(failed, statusOf({ ...mismatch, previous: failed })));
  });
});

describe('computeFeatureJobState with spec.reduce', () => {
  const reduceSpec = FeatureJobSpecSchema.parse({
    input: { bucket: 'in-bucket' },
    output: { bucket: 'out-bucket' },
    reduce: { pca: { components: 2 } },
  });
  const manifest = manifestOf();
  const merged = (): OutputObservation => observed(3, { manifest });
  const reduceWorld = (overrides: Partial<World>): World => world({ spec: reduceSpec, output: merged(), ...overrides });
  const complete = (name: string): JobObject => job(name, { conditions: [{ type: 'Complete', status: 'True' }] });
  const observation = (overrides: object) => ({
    statisticsGroups: 1,
    partitions: 3,
    modelWritten: false,
    projected: 0,
    finished: false,
    ...overrides,
  });

  it('runs the statistics Job first, one index per statistics group', () => {
    const decision = computeFeatureJobState(reduceWorld({ reduce: observation({}) }));
    assert.equal(decision.phase, 'Reducing');
    assert.equal(decision.ensure, 'pca-statistics');
    assert.equal(decision.completions, 1);
  });

  it('fits once the statistics Job completed, then projects every partition once the model is in storage', () => {
    assert.equal(
      computeFeatureJobState(reduceWorld({ pcaJobs: { 'pca-statistics': complete('s') }, reduce: observation({}) }))
        .ensure,
      'pca-fit',
    );
    const fitted = observation({ modelWritten: true, model: { components: 2, whiten: false, rows: 25, sha256: 'x' } });
    const projecting = computeFeatureJobState(
      reduceWorld({ pcaJobs: { 'pca-statistics': complete('s'), 'pca-fit': complete('f') }, reduce: fitted }),
    );
    assert.equal(projecting.ensure, 'pca-project');
    assert.equal(projecting.completions, 3);
    const done = computeFeatureJobState(reduceWorld({ reduce: { ...fitted, projected: 3 } }));
    assert.equal(done.finishReduce, true);
  });

  it('fails with ReduceFailed when a PCA Job failed', () => {
    const decision = computeFeatureJobState(
      reduceWorld({
        pcaJobs: {
          'pca-fit': job('f', { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] }),
        },
        reduce: observation({}),
      }),
    );
    assert.equal(decision.phase, 'Failed');
    assert.equal(decision.failed?.reason, 'ReduceFailed');
  });
});

describe('the Suspended condition', () => {
  const suspendedSpec = FeatureJobSpecSchema.parse({
    input: { bucket: 'in-bucket' },
    output: { bucket: 'out-bucket' },
    suspend: true,
  });
  const statusOf = (w: World) =>
    buildStatus({ world: w, decision: computeFeatureJobState(w), spec: w.spec, generation: 1, manifestUri: undefined });
  const suspendedOf = (w: World) => statusOf(w).conditions?.find((c) => c.type === 'Suspended');

  it('is absent from a job that was never suspended', () => {
    assert.equal(suspendedOf(world({ extractJob: job('j', {}) })), undefined);
  });

  it('turns False with reason Resumed once spec.suspend is cleared, which gets an Event', () => {
    const suspended = statusOf(world({ spec: suspendedSpec, extractJob: job('j', {}) }));
    assert.equal(suspended.conditions?.find((c) => c.type === 'Suspended')?.reason, 'Suspended');
    const later = new Date(now.getTime() + 60_000);
    const resumed = statusOf(world({ previous: suspended, extractJob: job('j', {}), now: later }));
    const condition = resumed.conditions?.find((c) => c.type === 'Suspended');
    assert.deepEqual({ status: condition?.status, reason: condition?.reason }, { status: 'False', reason: 'Resumed' });
    assert.deepEqual(
      computeChangedConditions(suspended.conditions, resumed.conditions ?? []).map((c) => `${c.type}/${c.reason}`),
      ['Progressing/Running', 'Suspended/Resumed'],
    );
  });

  it('keeps saying Resumed, unchanged, on the next reconcile', () => {
    const suspended = statusOf(world({ spec: suspendedSpec, extractJob: job('j', {}) }));
    const resumed = statusOf(world({ previous: suspended, extractJob: job('j', {}) }));
    const again = statusOf(
      world({ previous: resumed, extractJob: job('j', {}), now: new Date(now.getTime() + 120_000) }),
    );
    assert.deepEqual(again.conditions, resumed.conditions);
  });
});
