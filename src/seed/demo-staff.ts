import { lockWriters, type Database } from '../kernel/db/database.ts';
import type { Role } from '../kernel/db/schema.ts';
import { hashPassword } from '../staff/passwords.ts';
import { sealSecret } from '../staff/secrets.ts';
import { insertUser } from '../staff/users.ts';

/** Shared password of every demo account (local use only; documented in the README). */
export const DEMO_PASSWORD = 'relief demo 2026';

/** Demo accounts, one per role, with fixed authenticator secrets so a newcomer can add them to an app. */
export const DEMO_STAFF: Array<{
  email: string;
  name: string;
  role: Role;
  locations: string[];
  clinicianId?: string;
  totp: string;
}> = [
  {
    email: 'admin@relief.example',
    name: 'Alex Admin',
    role: 'admin',
    locations: ['loc-chicago', 'loc-denver'],
    totp: 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BA',
  },
  {
    email: 'frontdesk@relief.example',
    name: 'Fran Desk',
    role: 'front_desk',
    locations: ['loc-chicago'],
    totp: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  },
  {
    email: 'denver.desk@relief.example',
    name: 'Dana Desk',
    role: 'front_desk',
    locations: ['loc-denver'],
    totp: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U',
  },
  {
    email: 'nurse@relief.example',
    name: 'Nia Brooks',
    role: 'nurse',
    locations: ['loc-chicago'],
    clinicianId: 'nurse-nia',
    totp: 'ON2HE2LOM4QGC3TEEBWW64TFEBZXI4TJ',
  },
  {
    email: 'provider@relief.example',
    name: 'Amara Okafor',
    role: 'provider',
    locations: ['loc-chicago'],
    clinicianId: 'prov-okafor',
    totp: 'OBZG65TJMRSXEIDLMV4SA33GEBZGK3DJ',
  },
];

/** Creates the demo staff when there are no users yet; refuses in production. Returns whether it created them. */
export async function seedDemoStaff(database: Database, secret: string, now: number): Promise<boolean> {
  if (await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst()) return false;
  const hash = await hashPassword(DEMO_PASSWORD);
  // Checked again inside the write: another process starting at the same moment may have seeded meanwhile.
  return database.transact(async (trx) => {
    await lockWriters(trx, database.engine, 'seed');
    if (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) return false;
    for (const s of DEMO_STAFF) {
      const id = await insertUser(
        trx,
        { email: s.email, name: s.name, role: s.role, locationIds: s.locations, clinicianId: s.clinicianId ?? null },
        now,
        hash,
      );
      await trx
        .updateTable('users')
        .set({ totp_secret: sealSecret(s.totp, secret), totp_enabled_at: now })
        .where('id', '=', id)
        .execute();
    }
    return true;
  });
}
