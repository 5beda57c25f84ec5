import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

// Static files are few and small: read once, fingerprint, and serve from memory with long caching.
// (@fastify/static's current major needs Node 22; see the README's design notes.)
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const dir = new URL('./assets/', import.meta.url).pathname;
const assets = new Map<string, Asset>();
for (const name of readdirSync(dir)) {
  const type = TYPES[extname(name)];
  if (!type) continue;
  const body = readFileSync(join(dir, name));
  assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
}

/** A cache-busting URL for an asset, e.g. /assets/site.css?v=abc123. */
export function assetUrl(name: string): string {
  const asset = assets.get(name);
  if (!asset) throw new Error(`unknown asset ${name}`);
  return `/assets/${name}?v=${asset.etag.slice(1, 9)}`;
}

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string } }>('/assets/:name', { config: { policy: 'public' } }, async (req, reply) => {
    const asset = assets.get(req.params.name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    reply.header('etag', asset.etag).header('cache-control', 'public, max-age=31536000, immutable').type(asset.type);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  });
  // Browsers ask for /favicon.ico on their own, before reading any page: answer with the icon the pages name.
  app.get('/favicon.ico', { config: { policy: 'public' } }, async (_req, reply) =>
    reply.code(301).header('cache-control', 'public, max-age=86400').redirect(assetUrl('favicon.svg')),
  );
}
