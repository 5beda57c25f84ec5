import { appendAudit } from './kernel/audit/audit.ts';
import { lockWriters, type Database } from './kernel/db/database.ts';
import { clinicExists } from './setup/repository.ts';
import { createClinic, type FirstStart } from './setup/first-start.ts';
import { createAuthLink, insertUser } from './staff/users.ts';

export type FirstStartResult =
  { ok: true; enrolToken: string; locationId: string; types: string[] } | { ok: false; reason: 'clinic_exists' };

/**
 * `relief init`, composed: the clinic, its first location, the default types if accepted, the first administrator
 * and a one-time enrolment link, and the audit event, in one transaction, so that a failure leaves nothing behind.
 * It runs only on a database without a clinic; the check is made under the seed's writer lock, so two at once (or
 * init racing a demo seed) cannot both create one.
 */
export async function firstStart(
  database: Database,
  secret: string,
  input: FirstStart,
  withDefaultTypes: boolean,
  now: number,
): Promise<FirstStartResult> {
  return database.transact(async (trx) => {
    await lockWriters(trx, database.engine, 'seed');
    if (await clinicExists(trx)) return { ok: false, reason: 'clinic_exists' } as const;
    const { locationId, types } = await createClinic(trx, database.engine, input, withDefaultTypes);
    // An administrator sees every location; the first one is the only one yet.
    const adminId = await insertUser(trx, { ...input.admin, role: 'admin', locationIds: [locationId] }, now);
    const link = await createAuthLink(trx, secret, adminId, 'enrol', now);
    await appendAudit(
      trx,
      database,
      {
        actorId: 'init',
        actorRole: 'system',
        locationId,
        patientRef: null,
        action: 'setup.init',
        outcome: 'success',
        ip: null,
        detail: {
          location: locationId,
          admin: adminId,
          types: types.join(',') || 'none',
          zone: input.location.time_zone,
        },
      },
      now,
    );
    return { ok: true, enrolToken: link.token, locationId, types } as const;
  });
}
