import type { AddressInfo } from 'node:net';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DashboardSource } from '../dashboard/answer-feature-jobs.js';
import type { OperatorMetrics } from '../metrics/operator-metrics.js';
import type { HealthCheck, ReadinessCheck } from './probe-result.js';
import { QuietLogController } from './quiet-log-controller.js';
import { registerDashboardRoutes } from './register-dashboard-routes.js';
import { registerOperatorRoutes } from './register-operator-routes.js';

export interface StartHttpServerOptions {
  /** Default `0.0.0.0`: the kubelet and Prometheus reach the pod on its IP. */
  readonly host?: string;
  /** 0 picks any free port (tests). */
  readonly port: number;
  readonly metrics: OperatorMetrics;
  /** Ready once the informer caches synced (and, where the caller wants it, while leading). */
  readonly isReady: ReadinessCheck;
  /** Default: always healthy (the process answering is the liveness signal). */
  readonly isHealthy?: HealthCheck;
  /** The FeatureJobs the dashboard shows (GET /, /dashboard, /api/featurejobs); without it, no dashboard. */
  readonly dashboard?: DashboardSource;
  readonly logger?: Logger;
}

export interface HttpServer {
  /** `http://HOST:PORT`, with a loopback host where the server listens on every address. */
  readonly url: string;
  close(): Promise<void>;
}

// Probes, scrapes and the dashboard's polls are tiny requests on a cluster network: anything slower than this is a
// stuck or hostile client, and it must not hold a socket of the operator's only server.
const REQUEST_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
// No endpoint takes a body; fastify refuses a bigger one with 413 before reading it all.
const BODY_LIMIT_BYTES = 1024;

function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function buildApp(options: StartHttpServerOptions): FastifyInstance {
  // pino's Logger is a FastifyBaseLogger; typing it as such keeps one FastifyInstance type.
  const loggerInstance: FastifyBaseLogger | undefined = options.logger?.child({ component: 'http' });
  return fastify({
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    bodyLimit: BODY_LIMIT_BYTES,
    // While close() drains, new requests get 503 rather than hanging on a server going away.
    return503OnClosing: true,
    // Keep-alive connections left idle by Prometheus would otherwise hold close() (and the port).
    forceCloseConnections: 'idle',
    logController: new QuietLogController(),
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
  });
}

/**
 * The operator's HTTP endpoints: /healthz, /readyz, /metrics and, given a source, the read-only
 * dashboard (/, /dashboard, /api/featurejobs); every other path is a JSON 404.
 * Resolves once listening.
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '0.0.0.0';
  const app = buildApp(options);
  registerOperatorRoutes(app, {
    registry: options.metrics.registry,
    isReady: options.isReady,
    ...(options.isHealthy ? { isHealthy: options.isHealthy } : {}),
  });
  if (options.dashboard !== undefined) registerDashboardRoutes(app, options.dashboard);
  await app.listen({ host, port: options.port });
  const { port } = app.server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${connectableHost(host)}:${port}`,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
