import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { computeProbeResult, type HealthCheck, type ReadinessCheck } from './probe-result.js';

export interface OperatorRoutesOptions {
  readonly registry: Registry;
  readonly isReady: ReadinessCheck;
  readonly isHealthy?: HealthCheck;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * GET /healthz (liveness), /readyz (readiness) and /metrics. Probes answer plain text, as the
 * Kubernetes components' own endpoints do: `ok`, or the reason with a 503.
 */
export function registerOperatorRoutes(app: FastifyInstance, options: OperatorRoutesOptions): void {
  const isHealthy: HealthCheck = options.isHealthy ?? (() => true);

  app.get('/healthz', async (_request, reply) => {
    const result = computeProbeResult(isHealthy);
    return reply
      .code(result.ok ? 200 : 503)
      .type(TEXT)
      .send(result.ok ? 'ok' : (result.reason ?? 'not healthy'));
  });

  app.get('/readyz', async (_request, reply) => {
    const result = computeProbeResult(options.isReady);
    return reply
      .code(result.ok ? 200 : 503)
      .type(TEXT)
      .send(result.ok ? 'ok' : (result.reason ?? 'not ready'));
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(text);
  });
}
