import { SqliteAdapter, sql, type Kysely } from 'kysely';

// One schema for SQLite and PostgreSQL: text ids, bigint epoch-ms instants, integer flags.
// Double booking is made impossible by resource_claims: one row per resource per 5-minute unit,
// and its primary key is the guarantee on both engines.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('clinic')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tagline', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('reminder_offsets_min', 'text', (c) => c.notNull())
    .addColumn('cancel_cutoff_min', 'integer', (c) => c.notNull())
    .addColumn('booking_horizon_days', 'integer', (c) => c.notNull())
    .addColumn('booking_link_days', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address_line', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('directions_url', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('opening_hours')
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    .addColumn('opens_min', 'integer', (c) => c.notNull())
    .addColumn('closes_min', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('opening_hours_pk', ['location_id', 'weekday', 'opens_min'])
    .addCheckConstraint('opening_hours_range', sql`opens_min >= 0 and closes_min <= 1440 and opens_min < closes_min`)
    .execute();

  await db.schema
    .createTable('closures')
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('closures_pk', ['location_id', 'date'])
    .execute();

  await db.schema
    .createTable('providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('provider_hours')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    .addColumn('from_min', 'integer', (c) => c.notNull())
    .addColumn('to_min', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_hours_pk', ['provider_id', 'location_id', 'weekday', 'from_min'])
    .addCheckConstraint('provider_hours_range', sql`from_min >= 0 and to_min <= 1440 and from_min < to_min`)
    .execute();

  await db.schema
    .createTable('provider_time_off')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addCheckConstraint('time_off_range', sql`starts_at < ends_at`)
    .execute();
  await db.schema
    .createIndex('provider_time_off_by_provider')
    .on('provider_time_off')
    .columns(['provider_id', 'ends_at'])
    .execute();

  await db.schema
    .createTable('rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('room', 'chair')`))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('appointment_types')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('duration_min', 'integer', (c) => c.notNull().check(sql`duration_min > 0 and duration_min % 5 = 0`))
    .addColumn('buffer_before_min', 'integer', (c) =>
      c.notNull().check(sql`buffer_before_min >= 0 and buffer_before_min % 5 = 0`),
    )
    .addColumn('buffer_after_min', 'integer', (c) =>
      c.notNull().check(sql`buffer_after_min >= 0 and buffer_after_min % 5 = 0`),
    )
    .addColumn('min_notice_min', 'integer', (c) => c.notNull())
    .addColumn('step_min', 'integer', (c) => c.notNull().check(sql`step_min > 0 and step_min % 5 = 0`))
    .addColumn('needs_room', 'integer', (c) => c.notNull())
    .addColumn('online_bookable', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consultation_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('contact_method', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('heard_from', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('consent_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('requests_by_email')
    .on('consultation_requests')
    .columns(['email', 'created_at'])
    .execute();

  await db.schema
    .createTable('appointments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('type_id', 'text', (c) => c.notNull().references('appointment_types.id'))
    .addColumn('request_id', 'text', (c) => c.references('consultation_requests.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id'))
    .addColumn('room_id', 'text', (c) => c.references('rooms.id'))
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('busy_from', 'bigint', (c) => c.notNull())
    .addColumn('busy_to', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'cancelled')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // Busy time is at most a day, which lets availability bound its index range on both ends.
    .addCheckConstraint(
      'appointment_range',
      sql`starts_at < ends_at and busy_from <= starts_at and busy_to >= ends_at and busy_to - busy_from <= 86400000`,
    )
    .execute();
  // Availability reads busy time per resource for a window: index on the resource and the interval end.
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
  // One live booking per consultation request, even under concurrent clicks.
  await db.schema
    .createIndex('one_booking_per_request')
    .on('appointments')
    .column('request_id')
    .unique()
    .where(sql.ref('status'), '=', 'booked')
    .execute();

  await db.schema
    .createTable('resource_claims')
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('unit_start', 'bigint', (c) => c.notNull())
    .addColumn('appointment_id', 'text', (c) => c.notNull().references('appointments.id'))
    .addPrimaryKeyConstraint('resource_claims_pk', ['resource_id', 'unit_start'])
    // On SQLite the claims live in their primary-key B-tree alone: one tree to write per claim instead of two.
    // Claims are released by resource and time range (the key), so no index on appointment_id is needed.
    .$call((b) => (db.getExecutor().adapter instanceof SqliteAdapter ? b.modifyEnd(sql`without rowid`) : b))
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'dead', 'cancelled')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'run_at']).execute();
  await db.schema.createIndex('outbox_by_ref').on('outbox').columns(['ref_id', 'status']).execute();

  await db.schema
    .createTable('dev_mailbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('ics', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
