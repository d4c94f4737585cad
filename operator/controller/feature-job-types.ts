/** Names the controller gives a FeatureJob's children: labels, tasks, deterministic Job names. */
/** Labels on every child, so one selector finds a job's Jobs and Pods. */
export const JOB_LABEL = 'featurejob.dev/job';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** The executor tasks (`featurejob executor <task>`), each run as one child Job. */
export const EXECUTOR_TASKS = ['plan', 'extract', 'pca-statistics', 'pca-fit', 'pca-project'] as const;
export type ExecutorTask = (typeof EXECUTOR_TASKS)[number];

/** The pod label `app.kubernetes.io/component` of each task's pods. */
export const TASK_COMPONENTS: Readonly<Record<ExecutorTask, string>> = {
  plan: 'planner',
  extract: 'executor',
  'pca-statistics': 'pca-statistics',
  'pca-fit': 'pca-fit',
  'pca-project': 'pca-project',
};

/** Deterministic child names: a reconcile that runs twice finds, never duplicates, its children. */
export function computeChildJobName(featureJob: string, task: ExecutorTask): string {
  return `${featureJob}-${task}`;
}

/** Longest FeatureJob name: room for "-extract" and the pods' "-<index>-<random>" within 63. */
export const MAX_NAME_LENGTH = 40;
