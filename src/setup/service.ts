import type { Kysely } from 'kysely';
import type { AuditDetail } from '../kernel/audit/audit.ts';
import { auditStaff, type Actor } from '../kernel/audit/staff-audit.ts';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { notFound } from '../kernel/refusal.ts';
import { forgetLocationSetup } from '../scheduling/availability.ts';
import { isId } from './forms.ts';
import { findClinician, findLocation, listClinicians, listLocationNames } from './repository.ts';

export type { Actor };

/**
 * One set-up change: the write and its audit event ('setup.<thing>') in one transaction; after the commit the
 * availability cache is dropped so that booking pages show the change at once.
 */
export async function saveSetup<T>(
  database: Database,
  actor: Actor,
  audit: { thing: string; locationId: string | null },
  work: (trx: Kysely<DB>) => Promise<{ result: T; detail: AuditDetail }>,
): Promise<T> {
  const result = await database.transact(async (trx) => {
    const done = await work(trx);
    await auditStaff(
      trx,
      database,
      actor,
      `setup.${audit.thing}`,
      'success',
      { locationId: audit.locationId, patientRef: null },
      done.detail,
    );
    return done.result;
  });
  forgetLocationSetup(database.db);
  return result;
}

export async function locationOr404(db: Kysely<DB>, id: unknown) {
  if (!isId(id)) throw notFound('That location');
  const location = await findLocation(db, id);
  if (!location) throw notFound('That location');
  return location;
}

export async function clinicianOr404(db: Kysely<DB>, id: unknown) {
  if (!isId(id)) throw notFound('That clinician');
  const clinician = await findClinician(db, id);
  if (!clinician) throw notFound('That clinician');
  return clinician;
}

/** What the set-up index lists: every location and every clinician. */
export async function setupOverview(database: Database) {
  const [locations, clinicians] = await Promise.all([listLocationNames(database.db), listClinicians(database.db)]);
  return { locations, clinicians };
}
