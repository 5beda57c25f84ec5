import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getClinic, listLocations, type Clinic, type LocationWithHours } from '../kernel/clinic.ts';
import { renderDocument, type Html } from '../kernel/ui/jsx.ts';
import { HomePage } from './pages/home.tsx';
import { CrpsPage } from './pages/crps.tsx';
import { KetaminePage } from './pages/ketamine.tsx';
import { LocationsPage } from './pages/locations.tsx';

interface SiteData {
  clinic: Clinic;
  locations: LocationWithHours[];
  now: number;
}

const PAGES: Record<string, (d: SiteData) => Html> = {
  '/': (d) => HomePage(d),
  '/crps': (d) => CrpsPage(d),
  '/ketamine-infusion-therapy': (d) => KetaminePage(d),
  '/locations': (d) => LocationsPage(d),
};

/** Public pages change only when the clinic edits its details; render them once and serve from memory briefly. */
const CACHE_MS = 5_000;

export async function siteRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, { body: Buffer; etag: string; until: number }>();

  async function serve(path: string, req: FastifyRequest, reply: FastifyReply) {
    const now = app.deps.now();
    let entry = cache.get(path);
    if (!entry || entry.until <= now) {
      const [clinic, locations] = await Promise.all([
        getClinic(app.deps.database.db),
        listLocations(app.deps.database.db),
      ]);
      if (!clinic) throw new Error('the clinic has not been set up: run `relief seed --demo` or `relief start`');
      const html = renderDocument(PAGES[path]!({ clinic, locations, now }));
      // Kept as bytes so each response is a plain write, with no re-encoding.
      entry = {
        body: Buffer.from(html),
        etag: `"${createHash('sha1').update(html).digest('base64url')}"`,
        until: now + CACHE_MS,
      };
      cache.set(path, entry);
    }
    reply.header('etag', entry.etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === entry.etag) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(entry.body);
  }

  for (const path of Object.keys(PAGES)) {
    app.get(path, { config: { policy: 'public' } }, (req, reply) => serve(path, req, reply));
  }
}
