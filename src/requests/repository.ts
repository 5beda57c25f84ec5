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
    .orderBy(sql`case status when 'booked' then 0 when 'new' then 1 when 'contacted' then 1 else 2 end`)
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

/** Back to the inbox only from 'booked': a request the clinic closed stays closed. */
export async function reopenBooked(trx: Kysely<DB>, id: string): Promise<void> {
  await trx
    .updateTable('consultation_requests')
    .set({ status: 'new' })
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .execute();
}
