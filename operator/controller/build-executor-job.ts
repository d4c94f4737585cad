/**
 * The batch/v1 Jobs a FeatureJob owns: a one-pod planner Job and an Indexed extraction Job
 * (one completion index per partition). Pure builders: same FeatureJob, same objects.
 * Why Indexed Jobs rather than hand-managed pods: docs/operator.md.
 */
import type { FeatureJobSpec } from '../../crds/feature-job-spec.js';
import { COMPLETION_INDEX_ENV, EXECUTOR_CONFIG_ENV } from '../../executor/config/executor-config.js';
import { ExecutorExitCodes } from '../../executor/cluster/executor-exit-codes.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { buildExecutorConfig } from './build-executor-config.js';
import { FEATURE_JOB_API_VERSION, FEATURE_JOB_KIND, type FeatureJobObject } from '../../crds/feature-job-resource.js';
import {
  COMPONENT_LABEL,
  JOB_LABEL,
  TASK_COMPONENTS,
  computeChildJobName,
  type ExecutorTask,
} from './feature-job-types.js';

export const EXECUTOR_CONTAINER = 'executor';
const SCRATCH_PATH = '/scratch';
/** A fixed non-root uid/gid (distroless "nonroot"), matching the image's user. */
const EXECUTOR_UID = 65532;

export interface ChildJobOptions {
  readonly featureJob: FeatureJobObject;
  readonly spec: FeatureJobSpec;
  readonly config: OperatorConfig;
}

export function buildChildLabels(featureJob: string, task: ExecutorTask): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'featurejob',
    'app.kubernetes.io/managed-by': 'featurejob-operator',
    [COMPONENT_LABEL]: TASK_COMPONENTS[task],
    [JOB_LABEL]: featureJob,
  };
}

function buildOwnerReference(featureJob: FeatureJobObject): Record<string, unknown> {
  return {
    apiVersion: FEATURE_JOB_API_VERSION,
    kind: FEATURE_JOB_KIND,
    name: featureJob.metadata.name,
    uid: featureJob.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function buildPodTemplate(options: ChildJobOptions, task: ExecutorTask): Record<string, unknown> {
  const { featureJob, spec, config } = options;
  const defaults = config.executorDefaults;
  const requests = { ...defaults.requests, ...spec.executor.resources?.requests };
  const limits = { ...defaults.limits, ...spec.executor.resources?.limits };
  const executorConfig = buildExecutorConfig(spec, {
    cpuRequest: requests.cpu,
    ...(limits.memory === undefined ? {} : { memoryLimit: limits.memory }),
    ...(config.defaultRegion === undefined ? {} : { defaultRegion: config.defaultRegion }),
  });
  const env: Array<Record<string, unknown>> = [
    { name: EXECUTOR_CONFIG_ENV, value: JSON.stringify(executorConfig) },
    { name: 'FEATUREJOB_CACHE', value: `${SCRATCH_PATH}/cache` },
    { name: 'TMPDIR', value: SCRATCH_PATH },
    { name: 'FEATUREJOB_LOG_LEVEL', value: 'info' },
  ];
  if (executorConfig.region !== undefined) env.push({ name: 'AWS_REGION', value: executorConfig.region });
  return {
    metadata: { labels: buildChildLabels(featureJob.metadata.name, task) },
    spec: {
      restartPolicy: 'Never',
      // Executors only talk to S3 (Pod Identity / IRSA); they never call the API server.
      automountServiceAccountToken: false,
      serviceAccountName: spec.executor.serviceAccountName ?? defaults.serviceAccountName,
      nodeSelector: spec.executor.nodeSelector ?? defaults.nodeSelector,
      tolerations: spec.executor.tolerations ?? defaults.tolerations,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: EXECUTOR_UID,
        runAsGroup: EXECUTOR_UID,
        fsGroup: EXECUTOR_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: EXECUTOR_CONTAINER,
          image: spec.executor.image ?? config.executorImage,
          imagePullPolicy: spec.executor.imagePullPolicy ?? config.imagePullPolicy,
          command: [...config.executorCommand, 'executor', task],
          env,
          resources: { requests, limits },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationMessagePolicy: 'FallbackToLogsOnError',
          volumeMounts: [{ name: 'scratch', mountPath: SCRATCH_PATH }],
        },
      ],
      volumes: [{ name: 'scratch', emptyDir: { sizeLimit: defaults.scratchSizeLimit } }],
    },
  };
}

/** Disruptions (preemption, drain, eviction by the API) never use up a partition's attempts. */
function buildPodFailurePolicy(onBadConfiguration: 'FailIndex' | 'FailJob'): Record<string, unknown> {
  return {
    rules: [
      {
        action: onBadConfiguration,
        onExitCodes: {
          containerName: EXECUTOR_CONTAINER,
          operator: 'In',
          values: [ExecutorExitCodes.badConfiguration],
        },
      },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      // An executor that got SIGTERM stops before committing and exits 143: not its fault.
      {
        action: 'Ignore',
        onExitCodes: { containerName: EXECUTOR_CONTAINER, operator: 'In', values: [ExecutorExitCodes.interrupted] },
      },
    ],
  };
}

function buildJob(
  options: ChildJobOptions,
  task: ExecutorTask,
  jobSpec: Record<string, unknown>,
): Record<string, unknown> {
  const { featureJob, spec } = options;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: computeChildJobName(featureJob.metadata.name, task),
      namespace: featureJob.metadata.namespace,
      labels: buildChildLabels(featureJob.metadata.name, task),
      ownerReferences: [buildOwnerReference(featureJob)],
    },
    spec: {
      ...jobSpec,
      suspend: spec.suspend,
      podReplacementPolicy: 'Failed',
      ...(spec.activeDeadlineSeconds === undefined ? {} : { activeDeadlineSeconds: spec.activeDeadlineSeconds }),
      template: buildPodTemplate(options, task),
    },
  };
}

/** One pod: lists the input and writes the plan under the output. */
export function buildPlannerJob(options: ChildJobOptions): Record<string, unknown> {
  return buildJob(options, 'plan', {
    completions: 1,
    parallelism: 1,
    backoffLimit: options.spec.retry.maxAttemptsPerPartition - 1,
    podFailurePolicy: buildPodFailurePolicy('FailJob'),
  });
}

function buildIndexedJob(options: ChildJobOptions, task: ExecutorTask, completions: number): Record<string, unknown> {
  const { spec } = options;
  return buildJob(options, task, {
    completionMode: 'Indexed',
    completions,
    parallelism: Math.min(spec.parallelism, completions),
    backoffLimitPerIndex: spec.retry.maxAttemptsPerPartition - 1,
    maxFailedIndexes: Math.min(spec.retry.maxFailedPartitions, completions),
    podFailurePolicy: buildPodFailurePolicy('FailIndex'),
  });
}

/** One completion index per planned partition; each index has its own retry budget. */
export function buildExtractJob(options: ChildJobOptions & { readonly partitions: number }): Record<string, unknown> {
  return buildIndexedJob(options, 'extract', options.partitions);
}

/** PCA, after the manifest: statistics per group (indexed), one fit, a projection per partition (indexed). */
export function buildPcaJob(
  options: ChildJobOptions & {
    readonly task: 'pca-statistics' | 'pca-fit' | 'pca-project';
    readonly completions: number;
  },
): Record<string, unknown> {
  if (options.task !== 'pca-fit') return buildIndexedJob(options, options.task, options.completions);
  return buildJob(options, 'pca-fit', {
    completions: 1,
    parallelism: 1,
    backoffLimit: options.spec.retry.maxAttemptsPerPartition - 1,
    podFailurePolicy: buildPodFailurePolicy('FailJob'),
  });
}

export { COMPLETION_INDEX_ENV };
