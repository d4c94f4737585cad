import type { FastifyInstance, FastifyReply } from 'fastify';
import { answerFeatureJobs, type DashboardSource } from '../dashboard/answer-feature-jobs.js';
import { DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_HTML } from '../dashboard/dashboard-page.js';

/**
 * The read-only dashboard (docs/dashboard.md): GET / and /dashboard serve the page, GET
 * /api/featurejobs the JSON it polls. Only GET (and fastify's HEAD) routes: nothing here
 * changes anything, and nothing is read but the operator's FeatureJob cache.
 */
export function registerDashboardRoutes(app: FastifyInstance, source: DashboardSource): void {
  const page = async (_request: unknown, reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', DASHBOARD_CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(DASHBOARD_HTML);
  app.get('/', page);
  app.get('/dashboard', page);

  app.get('/api/featurejobs', async (request, reply) => {
    const answer = answerFeatureJobs(source, request.query, new Date());
    return reply
      .code(answer.statusCode)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(answer.body);
  });
}
