/**
 * The appointment a check-in is about, read over scheduling's and set-up's tables (never written here: arrival is
 * marked through scheduling's own writer).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export interface CheckinAppointment {
  id: string;
  patientId: string | null;
  locationId: string;
  locationName: string;
  timeZone: string;
  typeKind: string;
  typeName: string;
  status: 'booked' | 'cancelled';
  startsAt: number;
  endsAt: number;
  chair: string | null;
  nurse: string | null;
}

export async function checkinAppointment(db: Kysely<DB>, id: string): Promise<CheckinAppointment | undefined> {
  const row = await db
    .selectFrom('appointments as a')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .leftJoin('rooms as r', 'r.id', 'a.room_id')
    .leftJoin('clinicians as n', 'n.id', 'a.nurse_id')
    .select([
      'a.id',
      'a.patient_id',
      'a.location_id',
      'l.name as location_name',
      'l.time_zone',
      't.kind as type_kind',
      't.name as type_name',
      'a.status',
      'a.starts_at',
      'a.ends_at',
      'r.name as chair',
      'n.name as nurse',
    ])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    patientId: row.patient_id,
    locationId: row.location_id,
    locationName: row.location_name,
    timeZone: row.time_zone,
    typeKind: row.type_kind,
    typeName: row.type_name,
    status: row.status,
    startsAt: Number(row.starts_at),
    endsAt: Number(row.ends_at),
    chair: row.chair,
    nurse: row.nurse,
  };
}
