import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/database.ts';
import type { DB, Role } from '../kernel/db/schema.ts';
import { Refusal } from '../kernel/refusal.ts';
import { auditStaff, type Actor } from '../kernel/audit/staff-audit.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { z } from 'zod';
import { findPatient, patientLocationIds, type LocationScope } from './repository.ts';

export type { Actor };

/** Everyone who works with patients: the front desk, nurses, providers and administrators. */
export const PATIENT_ROLES: readonly Role[] = ['admin', 'front_desk', 'nurse', 'provider'];

/** Exactly the answer an unknown address gets, so a record elsewhere cannot be told apart from none at all. */
export const notFound = () => new Refusal('not_found', 'We could not find that page.');

export interface StaffLocation {
  id: string;
  slug: string;
  name: string;
  time_zone: string;
}

/** The locations this person may see, in display order. */
export async function visibleLocations(db: Kysely<DB>, actor: Actor): Promise<StaffLocation[]> {
  const all = await db
    .selectFrom('locations')
    .select(['id', 'slug', 'name', 'time_zone'])
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
  return all.filter((l) => canSeeLocation(actor.staff, l.id, actor.now));
}

/** 'all' when every location is visible (admins, emergency access), else the visible ids. */
export async function locationScope(db: Kysely<DB>, actor: Actor): Promise<LocationScope> {
  const all = await db.selectFrom('locations').select('id').execute();
  const ids = all.map((l) => l.id).filter((id) => canSeeLocation(actor.staff, id, actor.now));
  return ids.length === all.length ? 'all' : ids;
}

export { auditStaff };

/** An audit event in a transaction of its own (views, denials, refusals). */
export function auditAlone(
  database: Database,
  ...args: Parameters<typeof auditStaff> extends [unknown, unknown, ...infer R] ? R : never
): Promise<void> {
  return database.transact((trx) => auditStaff(trx, database, ...args));
}

/**
 * The patient behind `rawId` if this person may see them (linked to one of their locations), with where the access
 * is recorded: a location of the person's own where there is one, so that only real emergency access is flagged.
 * Anything else is the plain 404; a patient elsewhere also writes a 'denied' event for `action`.
 */
export async function patientFor(database: Database, actor: Actor, rawId: unknown, action: string) {
  const id = z.uuid().safeParse(rawId);
  if (!id.success) throw notFound();
  const patient = await findPatient(database.db, id.data);
  if (!patient) throw notFound();
  const linked = await patientLocationIds(database.db, patient);
  if (!linked.some((l) => canSeeLocation(actor.staff, l, actor.now))) {
    await auditAlone(database, actor, action, 'denied', { locationId: patient.location_id, patientRef: patient.id });
    throw notFound();
  }
  const locationId =
    [patient.location_id, ...linked].find((l) => actor.staff.locationIds.includes(l)) ?? patient.location_id;
  return { patient, linked, where: { locationId, patientRef: patient.id } };
}
