import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's internal log lines, errors only: probes hit /healthz and /readyz every few seconds
 * and Prometheus scrapes /metrics, so per-request and 4xx lines would be noise. 5xx answers and
 * failed responses are still logged (the `disableRequestLogging` flag would hide those too).
 */
export class QuietLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, _request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ err: error, statusCode: reply.statusCode }, 'request errored');
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) {
      reply.log.error(
        { err: error, method: request.method, url: request.url, statusCode: reply.statusCode },
        'request failed',
      );
    }
  }

  override routeNotFound(): void {}

  override serviceUnavailable(): void {}
}
