import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { STAFF_ROLES_ALL } from '../../kernel/http/policy.ts';
import { notFound } from '../../kernel/refusal.ts';
import { boardChanges, boardLocation, boardView } from './board.ts';
import { BoardCards, BoardPage } from './board-views.tsx';

const query = z.object({ location: z.string().max(64).optional() });

/** How often an open stream asks the database whether its board changed (a change shows within about this). */
export const BOARD_POLL_MS = 1000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * The nurse board: the page, its cards alone (what the live page fetches), and a server-sent event stream that says
 * "changed" when the location's day changed. Every staff role opens it; what each sees is the board service's rule.
 */
export async function boardRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const anyStaff = { policy: { roles: [...STAFF_ROLES_ALL] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const locationOf = (req: FastifyRequest) => {
    const q = query.safeParse(req.query);
    if (!q.success) throw notFound('That board');
    return q.data.location;
  };
  // Open streams, ended when the server closes (a stream never ends by itself, and would hold the close up).
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get('/staff/board', { config: anyStaff }, async (req, reply) => {
    const view = await boardView(deps.database, actorOf(req), locationOf(req));
    return html(reply, BoardPage({ staff: staffOf(req), view }));
  });

  app.get('/staff/board/cards', { config: anyStaff }, async (req, reply) => {
    const view = await boardView(deps.database, actorOf(req), locationOf(req));
    // Marked, so the page's script replaces its cards only with cards (not, say, a sign-in page after a time-out).
    return reply
      .header('cache-control', 'no-store')
      .header('x-board-cards', '1')
      .type('text/html; charset=utf-8')
      .send(BoardCards({ view }).value);
  });

  app.get('/staff/board/events', { config: anyStaff }, async (req, reply) => {
    const { location } = await boardLocation(deps.database, actorOf(req), locationOf(req));
    const stampAt = boardChanges(deps.database, location);
    let last = await stampAt(deps.now());
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // The browser reconnects by itself after this long when the stream drops (a restart, a network blip).
    res.write('retry: 2000\n\n');
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    let quietSince = Date.now();
    let changes = 0;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      streams.delete(end);
      res.end();
    };
    streams.add(end);
    res.on('close', end);
    const tick = async () => {
      try {
        const stamp = await stampAt(deps.now());
        if (ended) return;
        if (stamp !== last) {
          last = stamp;
          res.write(`event: change\ndata: ${++changes}\n\n`);
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= HEARTBEAT_MS) {
          res.write(': still here\n\n');
          quietSince = Date.now();
        }
      } catch (err) {
        // The database away for a moment: say nothing, try again next tick (the page keeps its cards).
        req.log.warn({ err }, 'board stamp failed');
      }
      if (!ended) timer = setTimeout(() => void tick(), BOARD_POLL_MS);
    };
    timer = setTimeout(() => void tick(), BOARD_POLL_MS);
  });
}
