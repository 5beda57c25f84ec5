import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { ConsultationRequestTable, DB } from '../kernel/db/schema.ts';

export type ConsultationRequest = Selectable<ConsultationRequestTable>;

export async function findRequestByKey(db: Kysely<DB>, key: string) {
  return db
    .selectFrom('consultation_requests')
    .select(['id', 'body_hash', 'location_id'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function findRequest(db: Kysely<DB>, id: string): Promise<ConsultationRequest | undefined> {
  return db.selectFrom('consultation_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The request a "send me a new link" for this address should lead to: the one with a live booking (to manage it),
 * else the newest still open, and only then the newest the clinic closed (whose page says to call).
 */
export async function requestForNewLink(db: Kysely<DB>, email: string): Promise<ConsultationRequest | undefined> {
  return db
    .selectFrom('consultation_requests')
    .selectAll()
    .where('email', '=', email)
    .orderBy(
      sql`case status when 'booked' then 0 when 'new' then 1 when 'contacted' then 1 when 'cancelled' then 1 else 2 end`,
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertRequest(db: Kysely<DB>, row: Insertable<ConsultationRequestTable>): Promise<void> {
  await db.insertInto('consultation_requests').values(row).execute();
}

export async function setRequestStatus(db: Kysely<DB>, id: string, status: string): Promise<void> {
  await db.updateTable('consultation_requests').set({ status }).where('id', '=', id).execute();
}

/** The request has a booked visit now, for this patient (matched or created in the same transaction). */
export async function markBooked(trx: Kysely<DB>, id: string, patientId: string | null): Promise<void> {
  await trx
    .updateTable('consultation_requests')
    .set({ status: 'booked', patient_id: patientId })
    .where('id', '=', id)
    .execute();
}

/**
 * The patient cancelled the booked visit online: the request says so (status 'cancelled') rather than looking new.
 * Only from 'booked', as reopenBooked. Returns whether it changed, i.e. whether anyone should be told.
 */
export async function markCancelledByPatient(trx: Kysely<DB>, id: string): Promise<boolean> {
  const res = await trx
    .updateTable('consultation_requests')
    .set({ status: 'cancelled' })
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Who is told when a patient cancels: the lead's owner while they still work leads at its location, else the
 * location's active front desk.
 */
export async function cancelNoticeRecipients(trx: Kysely<DB>, id: string): Promise<string[]> {
  const request = await trx
    .selectFrom('consultation_requests')
    .select(['owner_id', 'location_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!request) return [];
  const atLocation = (role: 'admin' | 'front_desk' | 'provider') => {
    const q = trx.selectFrom('users as u').select('u.id').where('u.disabled_at', 'is', null).where('u.role', '=', role);
    // Administrators see every location; the others only theirs.
    return role === 'admin'
      ? q
      : q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('user_locations as ul')
              .select('ul.user_id')
              .whereRef('ul.user_id', '=', 'u.id')
              .where('ul.location_id', '=', request.location_id),
          ),
        );
  };
  if (request.owner_id !== null) {
    const owner = await trx.selectFrom('users').select('role').where('id', '=', request.owner_id).executeTakeFirst();
    if (owner && owner.role !== 'nurse') {
      const still = await atLocation(owner.role).where('u.id', '=', request.owner_id).executeTakeFirst();
      if (still) return [still.id];
    }
  }
  return (await atLocation('front_desk').orderBy('u.id').execute()).map((u) => u.id);
}

/** Back to the inbox only from 'booked': a request the clinic closed stays closed. */
export async function reopenBooked(trx: Kysely<DB>, id: string): Promise<void> {
  await trx
    .updateTable('consultation_requests')
    .set({ status: 'new' })
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .execute();
}
