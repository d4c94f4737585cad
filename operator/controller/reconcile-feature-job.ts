/**
 * One reconcile of one FeatureJob, level-triggered: re-read the object, its child Jobs and
 * pods and its output in storage; decide (computeFeatureJobState, pure); create what is
 * missing under deterministic names; merge the manifest once every partition committed;
 * write the status in one patch, only when it changed; say when to look again.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FeatureJobSpecSchema, computeSpecProblems, type FeatureJobSpec } from '../../crds/feature-job-spec.js';
import type { Condition, FeatureJobStatus } from '../../crds/feature-job-status.js';
import { MANIFEST_KEY } from '../../executor/plan/partition-naming.js';
import type { Logger } from '../../executor/log/logger.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { buildExtractJob, buildPcaJob, buildPlannerJob } from './build-executor-job.js';
import { buildStatus } from './build-status.js';
import { computeS3Uri } from './build-executor-config.js';
import { computeChangedConditions, computeConditions } from './compute-conditions.js';
import {
  computeFeatureJobState,
  computeStorageFailureDecision,
  type Decision,
  type PcaTask,
  type PodFailure,
  type World,
} from './compute-feature-job-state.js';
import { computeMemoryProblems } from './compute-memory-problems.js';
import { computeMergePatch } from './compute-merge-patch.js';
import { computeOutputMismatch } from './compute-output-mismatch.js';
import { computeStorageFailure, type StorageFailure, type StorageStep } from './compute-storage-failure.js';
import { computeUnreportedFailures } from './compute-unreported-failures.js';
import { isStatusEquivalent } from './is-status-equivalent.js';
import { FEATURE_JOB_API_VERSION, FEATURE_JOB_KIND, type FeatureJobObject } from '../../crds/feature-job-resource.js';
import type { JobObject } from '../kube/job-object.js';
import {
  COMPONENT_LABEL,
  EXECUTOR_TASKS,
  JOB_LABEL,
  MAX_NAME_LENGTH,
  computeChildJobName,
  type ExecutorTask,
} from './feature-job-types.js';
import { isOwnedBy, selectOwnedChildren, type OwnedChildren } from './select-owned-children.js';
import type { OutputLocation, OutputObserver } from './output-observer.js';

export interface ReconcileContext {
  readonly api: ClusterApi;
  readonly observer: OutputObserver;
  readonly config: OperatorConfig;
  readonly logger: Logger;
  readonly now: () => Date;
}

export interface ReconcileResult {
  /** Look again after this long (storage emits no events); undefined: only on changes. */
  readonly requeueAfterMs?: number;
  readonly featureJob?: FeatureJobObject;
  readonly status?: FeatureJobStatus;
  readonly retriesByCause?: Readonly<Record<string, number>>;
}

/** Failed attempts seen for the first time in this reconcile, by cause (for the retries metric). */
function computeNewRetries(
  before: Readonly<Record<string, number>> | undefined,
  after: Readonly<Record<string, number>> | undefined,
): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [cause, n] of Object.entries(after ?? {}))
    if (n > (before?.[cause] ?? 0)) added[cause] = n - (before?.[cause] ?? 0);
  return added;
}

function isFinished(status: FeatureJobStatus | undefined): boolean {
  return status?.phase === 'Complete' || status?.phase === 'Failed';
}

function eventName(featureJob: string, key: string): string {
  return `${featureJob}.${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function buildEvent(options: {
  featureJob: FeatureJobObject;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  now: Date;
  identity: string;
}): Record<string, unknown> {
  const { featureJob, now } = options;
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: options.name, namespace: featureJob.metadata.namespace },
    involvedObject: {
      apiVersion: FEATURE_JOB_API_VERSION,
      kind: FEATURE_JOB_KIND,
      name: featureJob.metadata.name,
      namespace: featureJob.metadata.namespace,
      uid: featureJob.metadata.uid,
    },
    type: options.type,
    reason: options.reason,
    message: options.message.slice(0, 1024),
    source: { component: 'featurejob-operator' },
    reportingComponent: 'featurejob.dev/operator',
    reportingInstance: options.identity.slice(0, 128),
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}

async function emitEvents(
  ctx: ReconcileContext,
  featureJob: FeatureJobObject,
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
  failures: readonly PodFailure[],
): Promise<void> {
  const now = ctx.now();
  const warnings = new Set(['Failed']);
  const ending = next.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  for (const condition of computeChangedConditions(previous, next)) {
    // At the end, Progressing turns False with the same reason as Complete/Failed: one Event says it.
    if (ending && condition.type === 'Progressing') continue;
    const stopped =
      condition.type === 'Progressing' &&
      ((condition.status === 'False' && condition.reason !== 'Completed' && condition.reason !== 'Suspended') ||
        condition.status === 'Unknown');
    const type = warnings.has(condition.type) || stopped ? 'Warning' : 'Normal';
    const name = eventName(
      featureJob.metadata.name,
      `${featureJob.metadata.uid}/${condition.type}/${condition.status}/${condition.reason}/${condition.lastTransitionTime}`,
    );
    await ctx.api.ensureEvent(
      featureJob.metadata.namespace,
      buildEvent({
        featureJob,
        name,
        type,
        reason: condition.reason,
        message: condition.message,
        now,
        identity: ctx.config.identity,
      }),
    );
  }
  for (const failure of failures) {
    const name = eventName(featureJob.metadata.name, `${featureJob.metadata.uid}/pod/${failure.pod}`);
    const where =
      failure.partition === undefined ? `pod ${failure.pod}` : `partition ${failure.partition} (pod ${failure.pod})`;
    await ctx.api.ensureEvent(
      featureJob.metadata.namespace,
      buildEvent({
        featureJob,
        name,
        type: 'Warning',
        reason: failure.reason,
        message: `${where}: ${failure.message}`,
        now,
        identity: ctx.config.identity,
      }),
    );
  }
}

/**
 * Events for what is not reported yet (a condition whose status or reason changed, a pod
 * failure the stored status does not count), then the status, only when its meaning changed
 * (is-status-equivalent.ts) and only the fields that did: a steady world costs no write.
 */
async function writeStatus(
  ctx: ReconcileContext,
  featureJob: FeatureJobObject,
  status: FeatureJobStatus,
  failures: readonly PodFailure[] = [],
): Promise<void> {
  await emitEvents(
    ctx,
    featureJob,
    featureJob.status?.conditions,
    status.conditions ?? [],
    computeUnreportedFailures(featureJob.status?.retries, failures),
  );
  if (isStatusEquivalent(featureJob.status, status)) return;
  await ctx.api.patchFeatureJobStatus(
    featureJob.metadata.namespace,
    featureJob.metadata.name,
    computeMergePatch(featureJob.status ?? {}, status),
  );
}

function logStorageFailure(
  ctx: ReconcileContext,
  featureJob: FeatureJobObject,
  step: StorageStep,
  failure: StorageFailure,
): void {
  const fields = {
    featureJob: featureJob.metadata.name,
    namespace: featureJob.metadata.namespace,
    step,
    code: failure.code,
    reason: failure.reason,
  };
  if (failure.kind === 'terminal') ctx.logger.error(fields, failure.message);
  else ctx.logger.warn({ ...fields, attempt: failure.attempt, retryInMs: failure.retryAfterMs }, failure.message);
}

function computeInvalidSpecStatus(
  featureJob: FeatureJobObject,
  problems: readonly string[],
  now: Date,
): FeatureJobStatus {
  const message = problems.join('; ');
  const generation = featureJob.metadata.generation;
  const previous = featureJob.status;
  return {
    observedGeneration: generation,
    phase: 'Failed',
    conditions: computeConditions({
      previous: previous?.conditions,
      generation,
      now,
      desired: [
        { type: 'Accepted', status: 'False', reason: 'InvalidSpec', message },
        { type: 'Failed', status: 'True', reason: 'InvalidSpec', message },
      ],
    }),
    startTime: previous?.startTime ?? now.toISOString().replace(/\.\d+Z$/, 'Z'),
    completionTime: previous?.completionTime ?? now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function parseSpec(
  featureJob: FeatureJobObject,
  config: OperatorConfig,
): { spec: FeatureJobSpec; problems: [] } | { spec: undefined; problems: string[] } {
  const parsed = FeatureJobSpecSchema.safeParse(featureJob.spec);
  if (!parsed.success) return { spec: undefined, problems: [z.prettifyError(parsed.error)] };
  const problems = [
    ...computeSpecProblems(parsed.data),
    ...computeMemoryProblems(parsed.data, config.executorDefaults),
  ];
  if (featureJob.metadata.name.length > MAX_NAME_LENGTH)
    problems.push(
      `metadata.name must be at most ${MAX_NAME_LENGTH} characters (child Job and pod names derive from it)`,
    );
  return problems.length > 0 ? { spec: undefined, problems } : { spec: parsed.data, problems: [] };
}

/** What to do once finished: nothing, or delete the FeatureJob after ttlSecondsAfterFinished. */
async function reconcileFinished(ctx: ReconcileContext, featureJob: FeatureJobObject): Promise<ReconcileResult> {
  const parsed = FeatureJobSpecSchema.safeParse(featureJob.spec);
  const ttl = parsed.success ? parsed.data.ttlSecondsAfterFinished : undefined;
  const completion = featureJob.status?.completionTime;
  if (ttl === undefined || completion === undefined)
    return { featureJob, ...(featureJob.status === undefined ? {} : { status: featureJob.status }) };
  const dueInMs = Date.parse(completion) + ttl * 1000 - ctx.now().getTime();
  if (dueInMs > 0) return { featureJob, requeueAfterMs: dueInMs };
  ctx.logger.info(
    { featureJob: featureJob.metadata.name, namespace: featureJob.metadata.namespace },
    'ttlSecondsAfterFinished passed, deleting',
  );
  await ctx.api.deleteFeatureJob(featureJob.metadata.namespace, featureJob.metadata.name);
  return {};
}

async function syncChildJob(
  ctx: ReconcileContext,
  namespace: string,
  job: JobObject | undefined,
  spec: FeatureJobSpec,
  parallelism: number | undefined,
): Promise<void> {
  if (job === undefined) return;
  const patch: Record<string, unknown> = {};
  if ((job.spec?.suspend ?? false) !== spec.suspend) patch.suspend = spec.suspend;
  if (parallelism !== undefined && job.spec?.parallelism !== parallelism) patch.parallelism = parallelism;
  if (Object.keys(patch).length > 0) await ctx.api.patchJob(namespace, job.metadata.name, { spec: patch });
}

/**
 * The Jobs under the FeatureJob's child names (the PCA ones only with spec.reduce) and its
 * pods, split into what it owns and what only shares a name (select-owned-children.ts).
 */
async function observeChildren(
  ctx: ReconcileContext,
  featureJob: FeatureJobObject,
  spec: FeatureJobSpec,
): Promise<OwnedChildren> {
  const { namespace, name, uid } = featureJob.metadata;
  const tasks = spec.reduce === undefined ? (['plan', 'extract'] as const) : EXECUTOR_TASKS;
  const [pods, found] = await Promise.all([
    ctx.api.listPods(namespace, `${JOB_LABEL}=${name}`),
    Promise.all(tasks.map((task) => ctx.api.getJob(namespace, computeChildJobName(name, task)))),
  ]);
  const jobs: Partial<Record<ExecutorTask, JobObject | undefined>> = {};
  for (const [i, task] of tasks.entries()) jobs[task] = found[i];
  return selectOwnedChildren({ featureJobUid: uid, jobs, pods });
}

/** Creates a child Job; one that turns out to exist under someone else's ownership is never taken for ours. */
async function createChildJob(
  ctx: ReconcileContext,
  featureJob: FeatureJobObject,
  job: Record<string, unknown>,
): Promise<JobObject | undefined> {
  const created = await ctx.api.ensureJob(featureJob.metadata.namespace, job);
  if (isOwnedBy(created, featureJob.metadata.uid)) return created;
  ctx.logger.warn(
    { featureJob: featureJob.metadata.name, namespace: featureJob.metadata.namespace, job: created.metadata.name },
    'a Job of this name exists and is not owned by this FeatureJob: left alone',
  );
  return undefined;
}

export async function reconcileFeatureJob(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
): Promise<ReconcileResult> {
  const featureJob = await ctx.api.getFeatureJob(namespace, name);
  if (featureJob === undefined || featureJob.metadata.deletionTimestamp !== undefined) return {};
  if (isFinished(featureJob.status)) return reconcileFinished(ctx, featureJob);
  const now = ctx.now();

  const { spec, problems } = parseSpec(featureJob, ctx.config);
  if (spec === undefined) {
    const status = computeInvalidSpecStatus(featureJob, problems, now);
    await writeStatus(ctx, featureJob, status);
    return { featureJob, status };
  }

  const location: OutputLocation = {
    uri: computeS3Uri(spec.output),
    cacheKey: featureJob.metadata.uid,
    ...(spec.input.endpoint === undefined ? {} : { endpoint: spec.input.endpoint }),
    ...((spec.input.region ?? ctx.config.defaultRegion) === undefined
      ? {}
      : { region: spec.input.region ?? ctx.config.defaultRegion }),
  };
  const failureOf = (step: StorageStep, error: unknown): StorageFailure => {
    const failure = computeStorageFailure({ error, step, previous: featureJob.status?.conditions, now });
    logStorageFailure(ctx, featureJob, step, failure);
    return failure;
  };
  const [output, storageFailure] = await ctx.observer.observe(location).then(
    (value) => [value, undefined] as const,
    (error: unknown) => [undefined, failureOf('observe', error)] as const,
  );
  const children = await observeChildren(ctx, featureJob, spec);
  const pods = children.pods;
  const executorAccount = spec.executor.serviceAccountName ?? ctx.config.executorDefaults.serviceAccountName;
  const missingServiceAccount =
    pods.length === 0 && !(await ctx.api.serviceAccountExists(namespace, executorAccount))
      ? {
          message:
            `serviceaccount "${executorAccount}" not found in namespace ${namespace}: ` +
            'create it (the Helm chart does, for the namespaces in executor.namespaces) or set spec.executor.serviceAccountName',
          since: featureJob.metadata.creationTimestamp,
        }
      : undefined;
  let world: World = {
    spec,
    previous: featureJob.status,
    planJob: children.owned.plan,
    extractJob: children.owned.extract,
    plannerPods: pods.filter((pod) => pod.metadata.labels?.[COMPONENT_LABEL] === 'planner'),
    executorPods: pods.filter((pod) => pod.metadata.labels?.[COMPONENT_LABEL] === 'executor'),
    pcaPods: pods.filter((pod) => pod.metadata.labels?.[COMPONENT_LABEL]?.startsWith('pca-') === true),
    output,
    storageFailure,
    now,
    stallTimeoutSeconds: ctx.config.stallTimeoutSeconds,
    ...(missingServiceAccount === undefined ? {} : { missingServiceAccount }),
    ...(Object.keys(children.foreign).length === 0 ? {} : { foreignJobs: children.foreign }),
  };
  if (
    spec.reduce !== undefined &&
    world.output?.manifest !== undefined &&
    computeOutputMismatch(spec, world.output) === undefined
  ) {
    const { 'pca-statistics': statistics, 'pca-fit': fit, 'pca-project': project } = children.owned;
    const pcaJobs: Partial<Record<PcaTask, JobObject>> = {
      ...(statistics === undefined ? {} : { 'pca-statistics': statistics }),
      ...(fit === undefined ? {} : { 'pca-fit': fit }),
      ...(project === undefined ? {} : { 'pca-project': project }),
    };
    world = { ...world, pcaJobs, reduce: await ctx.observer.observeReduce(location, world.output.manifest) };
  }
  let decision: Decision = computeFeatureJobState(world);

  if (decision.merge && world.output?.plan !== undefined) {
    try {
      const manifest = await ctx.observer.merge(location, world.output.plan);
      world = { ...world, output: { ...world.output, manifest } };
      decision = computeFeatureJobState(world);
      ctx.logger.info({ featureJob: name, namespace, images: manifest.images.total }, 'manifest merged');
    } catch (error) {
      decision = computeStorageFailureDecision(decision, failureOf('merge', error));
    }
  }

  if (decision.finishReduce === true && spec.reduce !== undefined && world.output !== undefined) {
    try {
      const manifest = await ctx.observer.finishReduce(location, spec.reduce.pca);
      world = { ...world, output: { ...world.output, manifest } };
      decision = computeFeatureJobState(world);
      ctx.logger.info(
        { featureJob: name, namespace, components: spec.reduce.pca.components },
        'PCA written to the manifest',
      );
    } catch (error) {
      decision = computeStorageFailureDecision(decision, failureOf('merge', error));
    }
  }

  const options = { featureJob, spec, config: ctx.config };
  if (decision.ensure === 'plan' && world.planJob === undefined) {
    const planJob = await createChildJob(ctx, featureJob, buildPlannerJob(options));
    if (planJob !== undefined) {
      world = { ...world, planJob };
      ctx.logger.info({ featureJob: name, namespace }, 'planner job created');
    }
  }
  const plan = world.output?.plan;
  if (decision.ensure === 'extract' && world.extractJob === undefined && plan !== undefined) {
    const extractJob = await createChildJob(
      ctx,
      featureJob,
      buildExtractJob({ ...options, partitions: plan.partitions.length }),
    );
    if (extractJob !== undefined) {
      world = { ...world, extractJob };
      ctx.logger.info({ featureJob: name, namespace, partitions: plan.partitions.length }, 'executor job created');
    }
  }
  const pcaTask = decision.ensure;
  if (
    (pcaTask === 'pca-statistics' || pcaTask === 'pca-fit' || pcaTask === 'pca-project') &&
    world.pcaJobs?.[pcaTask] === undefined
  ) {
    await createChildJob(
      ctx,
      featureJob,
      buildPcaJob({ ...options, task: pcaTask, completions: decision.completions ?? 1 }),
    );
    ctx.logger.info(
      { featureJob: name, namespace, task: pcaTask, completions: decision.completions },
      'PCA job created',
    );
  }
  await syncChildJob(ctx, namespace, world.planJob, spec, undefined);
  await syncChildJob(
    ctx,
    namespace,
    world.extractJob,
    spec,
    plan === undefined ? undefined : Math.min(spec.parallelism, plan.partitions.length),
  );

  const manifestUri =
    world.output?.manifest === undefined || decision.foreignOutput === true
      ? undefined
      : `${location.uri}/${MANIFEST_KEY}`;
  const status = buildStatus({ world, decision, spec, generation: featureJob.metadata.generation, manifestUri });
  await writeStatus(ctx, featureJob, status, decision.podFailures);
  const retriesByCause = computeNewRetries(featureJob.status?.retries, status.retries);
  if (status.phase === 'Complete' || status.phase === 'Failed') {
    ctx.observer.forget(location);
    return {
      featureJob,
      status,
      retriesByCause,
      ...(spec.ttlSecondsAfterFinished === undefined ? {} : { requeueAfterMs: spec.ttlSecondsAfterFinished * 1000 }),
    };
  }
  // A transient storage failure backs off (10 s doubling to 5 min); otherwise look again at the resync.
  return {
    featureJob,
    status,
    retriesByCause,
    requeueAfterMs: decision.retryAfterMs ?? ctx.config.resyncSeconds * 1000,
  };
}
