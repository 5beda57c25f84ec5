import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../../kernel/db/schema.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { rowsOf, type Values } from './rows.ts';
import { clinicalSetting, clinicalSettings, MAX_ROWS, saveClinicalSetting, type SettingsDetail } from './service.ts';
import { SETTINGS_PATH, SettingsEditPage, SettingsListPage } from './views.tsx';

type Params = { Params: { kind: string }; Querystring: { saved?: string } };
/** Empty rows under a list, to add items without JavaScript. */
const SPARE_ROWS = 3;

function valuesOf(body: unknown): Values {
  const out: Values = {};
  if (body && typeof body === 'object')
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key === '_csrf') continue;
      const first: unknown = Array.isArray(value) ? value[0] : value;
      out[key] = typeof first === 'string' ? first.slice(0, 2000) : '';
    }
  return out;
}

/** Shown again with the rows as the definition in force has them (and spare ones for a list). */
function inForce(detail: SettingsDetail): { values: Values; rowCount: number } {
  const { entry, current } = detail;
  const values = { ...rowsOf(entry, current.body), source: current.version === 0 ? '' : current.source };
  const items = entry.single ? 1 : Array.isArray(current.body) ? current.body.length : 0;
  return { values, rowCount: entry.single ? 1 : Math.min(items + SPARE_ROWS, MAX_ROWS) };
}

/** The clinical definitions an administrator (the medical director's hands) reviews and edits. */
export async function clinicalSettingsRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;
  const config = { policy: { roles: ['admin'] as Role[] } };
  const actorOf = (req: FastifyRequest) => ({ staff: staffOf(req), ip: req.ip, now: app.deps.now() });
  const kindOf = async (raw: string) => {
    const detail = /^[a-z0-9-]{1,60}$/.test(raw) ? await clinicalSetting(database, raw) : undefined;
    if (!detail) throw notFound('That setting');
    return detail;
  };

  app.get(SETTINGS_PATH, { config }, async (req, reply) =>
    html(reply, SettingsListPage({ staff: staffOf(req), settings: await clinicalSettings(database) })),
  );

  app.get<Params>(`${SETTINGS_PATH}/:kind`, { config }, async (req, reply) => {
    const detail = await kindOf(req.params.kind);
    const saved = req.query.saved === '1' ? `Saved as version ${detail.current.version}.` : undefined;
    return html(
      reply,
      SettingsEditPage({ staff: staffOf(req), detail, ...inForce(detail), ...(saved ? { saved } : {}) }),
    );
  });

  app.post<Params>(`${SETTINGS_PATH}/:kind`, { config }, async (req, reply) => {
    const detail = await kindOf(req.params.kind);
    const values = valuesOf(req.body);
    const done = await saveClinicalSetting(database, actorOf(req), detail.entry, values);
    if (done.ok) return reply.code(303).redirect(`${SETTINGS_PATH}/${detail.entry.definition.kind}?saved=1`);
    // A stale form shows the version in force now (what changed), with the message; any other refusal shows the
    // rows as typed, each message by its cell.
    const fresh = done.code === 'conflict' ? await kindOf(req.params.kind) : detail;
    const shown =
      done.code === 'conflict' ? inForce(fresh) : { values, rowCount: Math.min(Number(values.rows) || 1, MAX_ROWS) };
    return html(
      reply,
      SettingsEditPage({ staff: staffOf(req), detail: fresh, ...shown, errors: done.fields ?? {} }),
      done.statusCode,
    );
  });
}
