import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * What each appointment type needs: a provider, a nurse, a room or an infusion chair, in any mix. Nurses join the
 * clinicians table (which keeps its name `providers`; `kind` tells them apart) and so share its weekly hours and
 * time off. Appointments gain a nurse and may have no provider (an infusion is run by a nurse in a chair).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;

  await db.schema
    .alterTable('providers')
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('provider')
        .check(sql`kind in ('provider', 'nurse')`),
    )
    .execute();

  await db.schema
    .alterTable('appointment_types')
    .addColumn('needs_provider', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('appointment_types')
    .addColumn('needs_nurse', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('appointment_types')
    .addColumn('place', 'text', (c) =>
      c
        .notNull()
        .defaultTo('none')
        .check(sql`place in ('none', 'room', 'chair')`),
    )
    .execute();
  await sql`update appointment_types set place = case when needs_room = 1 then 'room' else 'none' end`.execute(db);
  // Until now infusions could not say what they need and held a provider for hours; a nurse and a chair is what
  // they take (the codes are fixed, see setup/type-routes.tsx). An admin can change this in clinic set-up.
  await sql`update appointment_types set needs_provider = 0, needs_nurse = 1, place = 'chair' where code in ('infusion', 'booster')`.execute(
    db,
  );
  await db.schema.alterTable('appointment_types').dropColumn('needs_room').execute();

  if (sqlite) await rebuildAppointmentsForSqlite(db);
  else {
    await sql`alter table appointments alter column provider_id drop not null`.execute(db);
    await db.schema
      .alterTable('appointments')
      .addColumn('nurse_id', 'text', (c) => c.references('providers.id'))
      .execute();
    await sql`alter table appointments add constraint appointment_has_resource check (${HAS_RESOURCE})`.execute(db);
  }
  await db.schema.createIndex('appointments_by_nurse').on('appointments').columns(['nurse_id', 'busy_to']).execute();
}

/** Every appointment claims at least one resource; otherwise nothing in the database would stop a double booking. */
const HAS_RESOURCE = sql`provider_id is not null or nurse_id is not null or room_id is not null`;

/**
 * SQLite cannot drop NOT NULL from a column, so the table is rebuilt as its documentation prescribes: new table,
 * copy, drop, rename, indexes again. The runner turns foreign-key enforcement off around this migration and checks
 * every key before it commits (resource_claims refer to appointments by name and find the new table).
 */
async function rebuildAppointmentsForSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table appointments_next (
    id text primary key,
    location_id text not null references locations (id),
    type_id text not null references appointment_types (id),
    request_id text references consultation_requests (id),
    provider_id text references providers (id),
    nurse_id text references providers (id),
    room_id text references rooms (id),
    starts_at bigint not null,
    ends_at bigint not null,
    busy_from bigint not null,
    busy_to bigint not null,
    status text not null check (status in ('booked', 'cancelled')),
    created_at bigint not null,
    updated_at bigint not null,
    patient_id text references patients (id),
    attendance text check (attendance in ('arrived', 'no_show')),
    constraint appointment_range check (starts_at < ends_at and busy_from <= starts_at and busy_to >= ends_at and busy_to - busy_from <= 86400000),
    constraint appointment_has_resource check (${HAS_RESOURCE})
  )`.execute(db);
  const columns = sql.raw(
    'id, location_id, type_id, request_id, provider_id, room_id, starts_at, ends_at, busy_from, busy_to, status, created_at, updated_at, patient_id, attendance',
  );
  await sql`insert into appointments_next (${columns}) select ${columns} from appointments`.execute(db);
  await sql`drop table appointments`.execute(db);
  await sql`alter table appointments_next rename to appointments`.execute(db);
  // The indexes of migrations 001 and 003, as they were.
  await db.schema
    .createIndex('appointments_by_provider')
    .on('appointments')
    .columns(['provider_id', 'busy_to'])
    .execute();
  await db.schema.createIndex('appointments_by_room').on('appointments').columns(['room_id', 'busy_to']).execute();
  await db.schema
    .createIndex('appointments_by_location')
    .on('appointments')
    .columns(['location_id', 'starts_at'])
    .execute();
  await db.schema.createIndex('appointments_by_request').on('appointments').column('request_id').execute();
  await db.schema
    .createIndex('one_booking_per_request')
    .on('appointments')
    .column('request_id')
    .unique()
    .where(sql.ref('status'), '=', 'booked')
    .execute();
  await db.schema
    .createIndex('appointments_by_patient')
    .on('appointments')
    .columns(['patient_id', 'starts_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}

/** The runner switches SQLite's foreign-key enforcement off around this migration (see migrate.ts). */
export const rebuildsTables = true;
