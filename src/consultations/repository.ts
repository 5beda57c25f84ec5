import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ConsultationRequestTable, DB } from '../db/schema.ts';

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

export async function latestRequestByEmail(db: Kysely<DB>, email: string): Promise<ConsultationRequest | undefined> {
  return db
    .selectFrom('consultation_requests')
    .selectAll()
    .where('email', '=', email)
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
