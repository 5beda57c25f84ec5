import type { FastifyInstance, FastifyRequest } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import type { Kysely } from 'kysely';
import { appendAudit, type AuditDetail } from '../kernel/audit/audit.ts';
import { forgetLocationSetup } from '../scheduling/availability.ts';
import type { DB, Role } from '../kernel/db/schema.ts';
import { notFound } from '../kernel/refusal.ts';
import { isId } from './forms.ts';

/** Clinic set-up is for administrators only. */
export const ADMIN_ONLY = { policy: { roles: ['admin'] as readonly Role[] } };

/**
 * One set-up change: the write and its audit event ('setup.<thing>') in one transaction; after the commit the
 * availability cache is dropped so that booking pages show the change at once.
 */
export async function saveSetup<T>(
  app: FastifyInstance,
  req: FastifyRequest,
  audit: { thing: string; locationId: string | null },
  work: (trx: Kysely<DB>) => Promise<{ result: T; detail: AuditDetail }>,
): Promise<T> {
  const { database, now } = app.deps;
  const staff = staffOf(req);
  const result = await database.transact(async (trx) => {
    const done = await work(trx);
    await appendAudit(
      trx,
      database.engine,
      {
        actorId: staff.userId,
        actorRole: staff.role,
        locationId: audit.locationId,
        patientRef: null,
        action: `setup.${audit.thing}`,
        outcome: 'success',
        ip: req.ip,
        detail: done.detail,
      },
      now(),
    );
    return done.result;
  });
  forgetLocationSetup(database.db);
  return result;
}

export async function locationOr404(db: Kysely<DB>, id: unknown) {
  if (!isId(id)) throw notFound('That location');
  const location = await db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!location) throw notFound('That location');
  return location;
}

export async function providerOr404(db: Kysely<DB>, id: unknown) {
  if (!isId(id)) throw notFound('That clinician');
  const provider = await db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!provider) throw notFound('That clinician');
  return provider;
}

export const listLocationNames = (db: Kysely<DB>) =>
  db
    .selectFrom('locations')
    .select(['id', 'name', 'slug', 'city', 'time_zone'])
    .orderBy('sort_order')
    .orderBy('name')
    .execute();

export const listProviders = (db: Kysely<DB>) =>
  db
    .selectFrom('providers')
    .select(['id', 'name', 'credentials', 'active', 'kind', 'max_patients'])
    .orderBy('kind')
    .orderBy('name')
    .execute();
