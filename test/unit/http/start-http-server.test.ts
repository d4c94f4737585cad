import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { Gauge } from 'prom-client';
import { startHttpServer, type HttpServer } from '../../../operator/http/start-http-server.js';
import { createOperatorMetrics } from '../../../operator/metrics/operator-metrics.js';

/** A pino logger whose lines land in an array, to see what the server logs. */
function memoryLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function listenOn(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

describe('startHttpServer', () => {
  const servers: HttpServer[] = [];
  const start = async (options: Partial<Parameters<typeof startHttpServer>[0]> = {}): Promise<HttpServer> => {
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createOperatorMetrics(),
      isReady: () => true,
      ...options,
    });
    servers.push(server);
    return server;
  };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('answers /healthz with ok by default, and with 503 and the reason once unhealthy', async () => {
    let healthy: boolean | { healthy: boolean; reason?: string } = true;
    const server = await start({ isHealthy: () => healthy });
    let response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');

    healthy = { healthy: false, reason: 'watch of featurejobs failed 5 times' };
    response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 503);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await response.text(), 'watch of featurejobs failed 5 times');

    healthy = false;
    response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'not healthy');
  });

  it('answers /readyz with 503 and the reason until the caller reports ready, then 200', async () => {
    let state: { ready: boolean; reason?: string } = { ready: false, reason: 'informer caches not synced' };
    const server = await start({ isReady: () => state });
    let response = await fetch(`${server.url}/readyz`);
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'informer caches not synced');

    state = { ready: true };
    response = await fetch(`${server.url}/readyz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');

    state = { ready: false, reason: 'not the leader' };
    response = await fetch(`${server.url}/readyz`);
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'not the leader');
  });

  it('reports not ready, with the error, when the readiness check throws', async () => {
    const server = await start({
      isReady: () => {
        throw new Error('cache gone');
      },
    });
    const response = await fetch(`${server.url}/readyz`);
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'check failed: cache gone');
  });

  it('serves the Prometheus text format with the operator metrics after updates', async () => {
    const metrics = createOperatorMetrics();
    const server = await start({ metrics });
    metrics.setJobsByPhase({ Running: 2 });
    metrics.setPartitions('team-a', 'cats', { pending: 3, active: 1, succeeded: 4, failed: 0 });
    metrics.countRetries('OOMKilled');
    metrics.addImagesProcessed('team-a', 'cats', { succeeded: 1200, failed: 3 });
    metrics.observeReconcile(0.04, 'ok');

    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), metrics.registry.contentType);
    const text = await response.text();
    assert.match(text, /^featurejob_jobs\{phase="Running"\} 2$/m);
    assert.match(text, /^featurejob_partitions\{namespace="team-a",featurejob="cats",state="pending"\} 3$/m);
    assert.match(text, /^featurejob_partition_retries_total\{cause="OOMKilled"\} 1$/m);
    assert.match(text, /^featurejob_images_processed_total\{outcome="succeeded"\} 1200$/m);
    assert.match(text, /^featurejob_reconcile_duration_seconds_count\{result="ok"\} 1$/m);
    assert.match(text, /^featurejob_operator_process_resident_memory_bytes \d+/m);
  });

  it('refuses a POST with a large body with 413', async () => {
    const server = await start();
    for (const path of ['/metrics', '/healthz', '/no-such-path']) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'x'.repeat(4096) }),
      });
      assert.equal(response.status, 413, path);
      await response.body?.cancel();
    }
  });

  it('answers an unknown path or method with a JSON 404', async () => {
    const server = await start();
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/metrics/extra'],
      ['DELETE', '/healthz'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as { statusCode: number; error: string };
      assert.equal(body.statusCode, 404);
      assert.equal(body.error, 'Not Found');
    }
  });

  it('logs a failing /metrics collection as an error, and nothing for probes, scrapes or 404s', async () => {
    const { logger, lines } = memoryLogger();
    const metrics = createOperatorMetrics();
    const server = await start({ metrics, logger });
    // One line at startup says where it listens; requests add none.
    assert.match(String(lines()[0]?.msg), /^Server listening at http:\/\/127\.0\.0\.1:\d+$/);
    const startup = lines().length;
    await (await fetch(`${server.url}/healthz`)).text();
    await (await fetch(`${server.url}/readyz`)).text();
    await (await fetch(`${server.url}/metrics`)).text();
    await (await fetch(`${server.url}/nothing-here`)).text();
    assert.deepEqual(lines().slice(startup), []);

    new Gauge({
      name: 'broken_collector',
      help: 'a collect function that throws',
      registers: [metrics.registry],
      collect() {
        throw new Error('collector broke');
      },
    });
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 500);
    await response.text();
    const logged = lines().slice(startup);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.level, 50);
    assert.equal(logged[0]?.component, 'http');
    assert.match(JSON.stringify(logged[0]?.err), /collector broke/);
  });

  it('reports a connectable URL when it listens on every address', async () => {
    const server = await start({ host: '0.0.0.0' });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  it('frees its port on close, even with a keep-alive connection open', async () => {
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createOperatorMetrics(),
      isReady: () => true,
    });
    const port = Number(new URL(server.url).port);
    // fetch keeps the connection alive for reuse.
    await (await fetch(`${server.url}/healthz`)).text();
    await server.close();
    await server.close();
    await assert.rejects(fetch(`${server.url}/healthz`));
    // Another server can bind the same port at once.
    await listenOn(port);
  });
});
