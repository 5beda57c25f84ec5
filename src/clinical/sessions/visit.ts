/**
 * What a session page says about the visit itself: when, where, which chair, who is the nurse and who supervises.
 * Read-only joins over scheduling's and set-up's tables (never written here).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export interface SessionVisit {
  appointmentId: string;
  startsAt: number;
  endsAt: number;
  typeName: string;
  locationId: string;
  locationName: string;
  timeZone: string;
  chair: string | null;
  nurse: string | null;
  supervisor: string | null;
}

export async function sessionVisit(db: Kysely<DB>, appointmentId: string): Promise<SessionVisit | undefined> {
  const row = await db
    .selectFrom('appointments as a')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .leftJoin('rooms as r', 'r.id', 'a.room_id')
    .leftJoin('clinicians as n', 'n.id', 'a.nurse_id')
    .leftJoin('clinicians as s', 's.id', 'a.supervisor_id')
    .select([
      'a.id',
      'a.starts_at',
      'a.ends_at',
      't.name as type_name',
      'l.id as location_id',
      'l.name as location_name',
      'l.time_zone',
      'r.name as chair',
      'n.name as nurse',
      's.name as supervisor',
    ])
    .where('a.id', '=', appointmentId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    appointmentId: row.id,
    startsAt: Number(row.starts_at),
    endsAt: Number(row.ends_at),
    typeName: row.type_name,
    locationId: row.location_id,
    locationName: row.location_name,
    timeZone: row.time_zone,
    chair: row.chair,
    nurse: row.nurse,
    supervisor: row.supervisor,
  };
}
