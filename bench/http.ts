/** Public pages vs a static string of the same size, served by the real app on 127.0.0.1, loaded from a child process. */
import type { FastifyInstance } from 'fastify';
import { runChild } from './child.ts';

const PAGES = { home: '/', crps: '/crps' } as const;
type Page = keyof typeof PAGES;

interface Target {
  name: string;
  path: string;
  bytes: number;
}

export interface PageRate {
  page: string;
  bytes: number;
  perSec: number;
  staticPerSec: number;
  errors: number;
}

/** Adds the static twin routes; must run before the app is ready. Bodies are filled in after listen. */
export function addStaticRoutes(app: FastifyInstance): (page: Page, body: string) => void {
  const bodies = new Map<Page, string>();
  for (const page of Object.keys(PAGES) as Page[]) {
    app.get(`/__bench_static/${page}`, { config: { policy: 'public' } }, (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(bodies.get(page) ?? ''),
    );
  }
  return (page, body) => bodies.set(page, body);
}

/** Starts the real server on a free port of 127.0.0.1; returns its base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not bind a TCP port');
  return `http://127.0.0.1:${address.port}`;
}

export async function measurePages(
  base: string,
  setStatic: (page: Page, body: string) => void,
  seconds: number,
  concurrency: number,
  warmupMs = 1000,
  rounds = 5,
): Promise<PageRate[]> {
  const pairs: Array<[Target, Target]> = [];
  for (const [page, path] of Object.entries(PAGES) as Array<[Page, string]>) {
    const res = await fetch(base + path);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    setStatic(page, body);
    const bytes = Buffer.byteLength(body);
    pairs.push([
      { name: page, path, bytes },
      { name: `${page}:static`, path: `/__bench_static/${page}`, bytes },
    ]);
  }
  const results = await runChild<Record<string, { ok: number; bad: number; perSec: number }>>('./http-load.ts', {
    base,
    concurrency,
    warmupMs,
    durationMs: seconds * 1000,
    rounds,
    pairs,
  });
  return (Object.keys(PAGES) as Page[]).map((page) => {
    const live = results[page]!,
      stat = results[`${page}:static`]!;
    return {
      page: `GET ${PAGES[page]}`,
      bytes: pairs.find(([p]) => p.name === page)![0].bytes,
      perSec: live.perSec,
      staticPerSec: stat.perSec,
      errors: live.bad + stat.bad,
    };
  });
}
