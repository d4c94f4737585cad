/**
 * The controller loop: informers on FeatureJobs and on the Jobs and Pods the operator made
 * only enqueue `namespace/name`; workers take keys off the queue and reconcile them, never
 * two at once for one key; errors back off per key; reconciles that ask to be looked at again
 * are re-queued after their delay.
 */
import type { Logger } from '../../executor/log/logger.js';
import type { OperatorMetrics } from '../metrics/operator-metrics.js';
import type { KubeObject } from '../../crds/kube-object.js';
import { Informer, type InformerEvent } from '../kube/informer.js';
import type { KubeClient } from '../kube/kube-client.js';
import {
  FEATURE_JOB_GROUP,
  FEATURE_JOB_PLURAL,
  FEATURE_JOB_VERSION,
  type FeatureJobObject,
} from '../../crds/feature-job-resource.js';
import { JOB_LABEL } from './feature-job-types.js';
import { reconcileFeatureJob, type ReconcileContext } from './reconcile-feature-job.js';
import { WorkQueue } from './work-queue.js';

export const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=featurejob-operator';
const MAX_ERROR_BACKOFF_MS = 60_000;

export interface Controller {
  hasSynced(): boolean;
  /** The FeatureJobs in the informer's cache, as last seen (read-only views: the dashboard). */
  listFeatureJobs(): FeatureJobObject[];
  stop(): Promise<void>;
}

function collectionPath(prefix: string, resource: string, namespace: string | undefined): string {
  return namespace === undefined ? `${prefix}/${resource}` : `${prefix}/namespaces/${namespace}/${resource}`;
}

export function startController(options: {
  client: KubeClient;
  context: ReconcileContext;
  metrics: OperatorMetrics;
  logger: Logger;
  /** Told of every FeatureJob the informer sees change or vanish (the dashboard's throughput history). */
  onFeatureJob?: (event: InformerEvent, job: FeatureJobObject) => void;
}): Controller {
  const { client, context, metrics, logger, onFeatureJob } = options;
  const namespace = context.config.namespace;
  const queue = new WorkQueue();
  const failures = new Map<string, number>();
  const enqueueOwner = (_event: string, object: KubeObject): void => {
    const owner = object.metadata.labels?.[JOB_LABEL];
    if (owner !== undefined && object.metadata.namespace !== undefined)
      queue.add(`${object.metadata.namespace}/${owner}`);
  };
  const featureJobs = new Informer<FeatureJobObject>({
    client,
    path: collectionPath(`/apis/${FEATURE_JOB_GROUP}/${FEATURE_JOB_VERSION}`, FEATURE_JOB_PLURAL, namespace),
    logger,
    onEvent: (event, object) => {
      onFeatureJob?.(event, object);
      const key = Informer.keyOf(object);
      if (event === 'deleted') {
        metrics.forgetJob(object.metadata.namespace, object.metadata.name);
        return;
      }
      queue.add(key);
    },
  });
  const informers = [
    featureJobs,
    new Informer({
      client,
      path: collectionPath('/apis/batch/v1', 'jobs', namespace),
      labelSelector: MANAGED_BY_SELECTOR,
      logger,
      onEvent: enqueueOwner,
    }),
    new Informer({
      client,
      path: collectionPath('/api/v1', 'pods', namespace),
      labelSelector: MANAGED_BY_SELECTOR,
      logger,
      onEvent: enqueueOwner,
    }),
  ];
  for (const informer of informers) informer.start();

  const recountPhases = (): void => {
    const counts: Record<string, number> = {};
    for (const job of featureJobs.list()) {
      const phase = job.status?.phase ?? 'Pending';
      counts[phase] = (counts[phase] ?? 0) + 1;
    }
    metrics.setJobsByPhase(counts);
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const [ns = '', name = ''] = key.split('/');
      const started = performance.now();
      try {
        const result = await reconcileFeatureJob(context, ns, name);
        failures.delete(key);
        if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
        metrics.observeReconcile(
          (performance.now() - started) / 1000,
          result.requeueAfterMs === undefined ? 'ok' : 'requeue',
        );
        const status = result.status;
        if (status?.partitions !== undefined) {
          const { total, succeeded, failed, active } = status.partitions;
          metrics.setPartitions(ns, name, {
            pending: Math.max(0, total - succeeded - failed - active),
            active,
            succeeded,
            failed,
          });
        }
        if (status?.images !== undefined) metrics.addImagesProcessed(ns, name, status.images);
        if (result.retriesByCause !== undefined)
          for (const [cause, n] of Object.entries(result.retriesByCause)) metrics.countRetries(cause, n);
        recountPhases();
      } catch (error) {
        const attempt = (failures.get(key) ?? 0) + 1;
        failures.set(key, attempt);
        const delayMs = Math.min(500 * 2 ** attempt, MAX_ERROR_BACKOFF_MS);
        logger.warn(
          { featureJob: name, namespace: ns, error: (error as Error).message, retryInMs: delayMs },
          'reconcile failed',
        );
        metrics.observeReconcile((performance.now() - started) / 1000, 'error');
        queue.addAfter(key, delayMs);
      } finally {
        queue.done(key);
      }
    }
  };
  const workers = Array.from({ length: context.config.workers }, () => worker());

  return {
    hasSynced: () => informers.every((informer) => informer.hasSynced()),
    listFeatureJobs: () => featureJobs.list(),
    async stop() {
      queue.shutDown();
      await Promise.all(informers.map((informer) => informer.stop()));
      await Promise.all(workers);
    },
  };
}
