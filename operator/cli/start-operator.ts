/**
 * Assembles the operator process: the HTTP server (health, readiness, metrics, the dashboard) at once, and
 * the controller while this replica holds the leader Lease (or always, without election).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../executor/log/logger.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { OutputObserver } from '../controller/output-observer.js';
import type { DashboardSource } from '../dashboard/answer-feature-jobs.js';
import { ThroughputHistory } from '../dashboard/throughput-history.js';
import { startController, type Controller } from '../controller/run-controller.js';
import { startHttpServer } from '../http/start-http-server.js';
import { ClusterApi } from '../kube/cluster-api.js';
import { KubeClient } from '../kube/kube-client.js';
import { startLeaderElection } from '../kube/leader-election.js';
import { createOperatorMetrics } from '../metrics/operator-metrics.js';

export interface RunningOperator {
  readonly url: string;
  isLeading(): boolean;
  /** Called when the Lease is lost after having been held. */
  onLostLease(listener: () => void): void;
  stop(): Promise<void>;
}

export async function startOperator(options: {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
  logger: Logger;
  now?: () => Date;
}): Promise<RunningOperator> {
  const { config, kubeConfig, logger } = options;
  const client = new KubeClient(kubeConfig);
  const metrics = createOperatorMetrics();
  const context = {
    api: new ClusterApi(client),
    observer: new OutputObserver(),
    config,
    logger,
    now: options.now ?? (() => new Date()),
  };
  let controller: Controller | undefined;
  const lostListeners: Array<() => void> = [];
  const history = new ThroughputHistory();
  const lead = (): void => {
    controller ??= startController({
      client,
      context,
      metrics,
      logger,
      onFeatureJob: (event, job) => {
        if (event === 'deleted') history.forget(job);
        else history.record(job, context.now().getTime());
      },
    });
  };
  // The dashboard reads the leader's FeatureJob cache: a replica standing by has none.
  const dashboard: DashboardSource = {
    watchedNamespace: config.namespace,
    read: () => {
      if (controller === undefined)
        return {
          available: false,
          reason:
            `this operator replica (${config.identity}) is standing by for the leader Lease ` +
            "and keeps no FeatureJob cache: reach the leader's pod",
        };
      if (!controller.hasSynced()) return { available: false, reason: 'the FeatureJob cache has not synced yet' };
      return { available: true, jobs: controller.listFeatureJobs() };
    },
    samples: (job) => history.samples(job),
  };
  const http = await startHttpServer({
    host: config.httpHost,
    port: config.httpPort,
    metrics,
    logger,
    dashboard,
    // A follower is ready (it stands by); the leader once its caches have synced.
    isReady: () =>
      controller === undefined || controller.hasSynced()
        ? { ready: true }
        : { ready: false, reason: 'informer caches not synced yet' },
  });
  const election = config.leaderElection
    ? startLeaderElection({
        kubeConfig,
        namespace: config.leaseNamespace,
        name: config.leaseName,
        identity: config.identity,
        logger,
        onStartedLeading: () => {
          logger.info({ identity: config.identity }, 'leading');
          lead();
        },
        onStoppedLeading: () => {
          logger.warn({ identity: config.identity }, 'lost the leader lease');
          for (const listener of lostListeners) listener();
        },
      })
    : undefined;
  if (election === undefined) lead();
  return {
    url: http.url,
    isLeading: () => controller !== undefined,
    onLostLease: (listener) => lostListeners.push(listener),
    async stop() {
      await controller?.stop();
      await election?.stop();
      await http.close();
    },
  };
}
