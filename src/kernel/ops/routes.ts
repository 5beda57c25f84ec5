/**
 * What a clinic's monitoring reads: /healthz (the process answers), /readyz (it can serve: database and schema),
 * /metrics (Prometheus text). None of them carries a name, an address, an id or a token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromThisComputer } from '../http/loopback.ts';
import { countRequest, startProcessMetrics } from './counters.ts';
import { metricsText } from './metrics.ts';
import { readiness } from './readiness.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests, so neither the token's length nor its first wrong character shows in the time taken. */
function bearerMatches(req: FastifyRequest, token: string | undefined): boolean {
  const header = req.headers.authorization;
  if (!token || typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

export function installOperations(app: FastifyInstance): void {
  startProcessMetrics();
  // Counted by route pattern ("/book/:token"), never by URL: a URL can carry a booking token.
  app.addHook('onResponse', async (req, reply) => {
    countRequest(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/healthz', { config: { policy: 'public' } }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { ok: true };
  });

  app.get('/readyz', { config: { policy: 'public' } }, async (_req, reply) => {
    const report = await readiness(app.deps.database, app.deps.now());
    return reply
      .code(report.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });

  app.get('/metrics', { config: { policy: 'public' } }, async (req, reply) => {
    if (!fromThisComputer(req) && !bearerMatches(req, app.deps.config.metricsToken)) {
      // Plain text for a scraper, not the site's error page.
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('text/plain; charset=utf-8')
        .send('Metrics are served to this machine, or with the METRICS_TOKEN bearer token.\n');
    }
    const { body, contentType } = await metricsText(app.deps.database, app.deps.now());
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
