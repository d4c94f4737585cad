import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import type { DashboardSource, FeatureJobCache } from '../../../operator/dashboard/answer-feature-jobs.js';
import { DASHBOARD_SCRIPT } from '../../../operator/dashboard/dashboard-script.js';
import { ThroughputHistory } from '../../../operator/dashboard/throughput-history.js';
import { startHttpServer, type HttpServer } from '../../../operator/http/start-http-server.js';
import { createOperatorMetrics } from '../../../operator/metrics/operator-metrics.js';
import { featureJob, RUNNING_STATUS } from '../dashboard/fixtures.js';

describe('the dashboard routes of the operator HTTP server', () => {
  const servers: HttpServer[] = [];
  const start = async (cache: FeatureJobCache, watchedNamespace?: string): Promise<HttpServer> => {
    const history = new ThroughputHistory();
    const source: DashboardSource = { watchedNamespace, read: () => cache, samples: (job) => history.samples(job) };
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createOperatorMetrics(),
      isReady: () => true,
      dashboard: source,
    });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  const jobs = [
    featureJob('team-b', 'zeta', RUNNING_STATUS),
    featureJob('team-a', 'fruits', RUNNING_STATUS),
    featureJob('team-a', 'apples'),
  ];

  it('serves one self-contained page at / and /dashboard, whose CSP allows exactly its inline script', async () => {
    const server = await start({ available: true, jobs });
    for (const path of ['/', '/dashboard']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      assert.match(html, /<title>featurejob dashboard<\/title>/);
      // Nothing from elsewhere: no external script, stylesheet or absolute URL.
      assert.doesNotMatch(html, /<script[^>]+src=|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      const csp = response.headers.get('content-security-policy') ?? '';
      const hash = createHash('sha256').update(DASHBOARD_SCRIPT).digest('base64');
      assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
      assert.ok(html.includes(`<script>${DASHBOARD_SCRIPT}</script>`));
      assert.match(csp, /default-src 'none'/);
    }
  });

  it('answers /api/featurejobs with every cached job summarised, sorted by namespace and name', async () => {
    const server = await start({ available: true, jobs });
    const response = await fetch(`${server.url}/api/featurejobs`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      watching: string;
      jobs: Array<{ namespace: string; name: string; phase: string; progress?: { text: string } }>;
    };
    assert.equal(body.watching, 'all namespaces');
    assert.deepEqual(
      body.jobs.map((j) => `${j.namespace}/${j.name} ${j.phase}`),
      ['team-a/apples Pending', 'team-a/fruits Running', 'team-b/zeta Running'],
    );
    assert.equal(body.jobs[1]!.progress?.text, '192/512 images (37%), 2 failed');
    // Summaries only: nothing of the spec (bucket names, endpoints, any credentials reference).
    assert.equal('spec' in body.jobs[1]!, false);
  });

  it('filters by ?namespace=, and a namespace with no jobs is an empty list', async () => {
    const server = await start({ available: true, jobs });
    const body = (await (await fetch(`${server.url}/api/featurejobs?namespace=team-b`)).json()) as {
      namespace: string;
      jobs: Array<{ name: string }>;
    };
    assert.equal(body.namespace, 'team-b');
    assert.deepEqual(
      body.jobs.map((j) => j.name),
      ['zeta'],
    );
    const empty = await fetch(`${server.url}/api/featurejobs?namespace=nobody`);
    assert.equal(empty.status, 200);
    assert.deepEqual(((await empty.json()) as { jobs: unknown[] }).jobs, []);
  });

  it('a namespace the operator does not watch is a 404 that says which one it watches', async () => {
    const server = await start({ available: true, jobs: [jobs[0]!] }, 'team-b');
    const response = await fetch(`${server.url}/api/featurejobs?namespace=team-a`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      error: 'NamespaceNotWatched',
      message: 'this operator watches namespace "team-b" only, not "team-a": it knows no FeatureJobs there',
      watching: 'team-b',
    });
    assert.equal((await fetch(`${server.url}/api/featurejobs?namespace=team-b`)).status, 200);
  });

  it('a malformed namespace is a 400 BadNamespace; no cache (a standby replica) a 503 with the reason', async () => {
    const server = await start({ available: true, jobs });
    const bad = await fetch(`${server.url}/api/featurejobs?namespace=${encodeURIComponent('Team A/..')}`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'BadNamespace');
    const standby = await start({ available: false, reason: 'standing by for the leader Lease' });
    const unavailable = await fetch(`${standby.url}/api/featurejobs`);
    assert.equal(unavailable.status, 503);
    assert.deepEqual(await unavailable.json(), {
      error: 'CacheUnavailable',
      message: 'standing by for the leader Lease',
      watching: 'all namespaces',
    });
  });

  it('is read-only: writing to any of its paths is refused', async () => {
    const server = await start({ available: true, jobs });
    for (const path of ['/', '/dashboard', '/api/featurejobs']) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const response = await fetch(`${server.url}${path}`, { method });
        assert.equal(response.status, 404, `${method} ${path}`);
      }
    }
  });

  it('without a dashboard source the server has no dashboard', async () => {
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createOperatorMetrics(),
      isReady: () => true,
    });
    servers.push(server);
    assert.equal((await fetch(`${server.url}/`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/featurejobs`)).status, 404);
  });
});
