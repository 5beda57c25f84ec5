import { randomUUID } from 'node:crypto';
import type { Database } from '../kernel/db/database.ts';
import type { ClinicianKind } from '../kernel/db/schema.ts';
import { bookingConflicts, type ConflictRow, conflictAudit } from './impact.ts';
import { insertClinician, listClinicians, updateClinician } from './repository.ts';
import { clinicianOr404, saveSetup, type Actor } from './service.ts';

export const clinicians = (database: Database) => listClinicians(database.db);

export const clinicianToEdit = (database: Database, id: unknown) => clinicianOr404(database.db, id);

export async function addClinician(
  database: Database,
  actor: Actor,
  c: { name: string; credentials: string; kind: ClinicianKind },
): Promise<void> {
  const id = randomUUID();
  await saveSetup(database, actor, { thing: 'clinician_add', locationId: null }, async (trx) => {
    await insertClinician(trx, { id, ...c });
    return { result: undefined, detail: { clinician: id, kind: c.kind } };
  });
}

/**
 * Name, credentials, whether they are offered for booking, and (nurses only) how many infusions they watch at once.
 * Their bookings stay; an inactive clinician's future ones are returned so the front desk can move them.
 */
export async function editClinician(
  database: Database,
  actor: Actor,
  id: unknown,
  change: {
    name: string;
    credentials: string;
    active: boolean;
    watches_at_once?: number | undefined;
    supervises_at_once?: number | undefined;
  },
): Promise<ConflictRow[]> {
  const clinician = await clinicianOr404(database.db, id);
  const { name, credentials, active } = change;
  // Only nurses watch several infusions; a provider stays at one whatever is posted.
  const watchesAtOnce = clinician.kind === 'nurse' ? (change.watches_at_once ?? clinician.watches_at_once) : 1;
  // Only providers supervise infusions; a nurse keeps the column's default whatever is posted.
  const supervisesAtOnce =
    clinician.kind === 'provider'
      ? (change.supervises_at_once ?? clinician.supervises_at_once)
      : clinician.supervises_at_once;
  return saveSetup(database, actor, { thing: 'clinician_edit', locationId: null }, async (trx) => {
    await updateClinician(trx, clinician.id, {
      name,
      credentials,
      active: active ? 1 : 0,
      watches_at_once: watchesAtOnce,
      supervises_at_once: supervisesAtOnce,
    });
    const found = await bookingConflicts(trx, { clinicianId: clinician.id }, actor.now);
    return {
      result: found,
      detail: { clinician: clinician.id, active, watchesAtOnce, supervisesAtOnce, ...conflictAudit(found) },
    };
  });
}
