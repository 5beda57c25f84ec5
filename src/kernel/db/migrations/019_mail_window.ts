import { sql, type Kysely } from 'kysely';

/**
 * Mail that cannot be lost silently. Until now a message was given up ('dead') after 8 attempts, about two hours of
 * SMTP outage, and nobody was told. Now a message is retried for a window from when it first fell due
 * (first_due_at), a permanent refusal of its recipient ends it at once, and a failed message stays in view
 * (failure_class, failed_at) until someone retries it or records how they reached the person instead (resolved_*).
 * location_id says whose front desk a patient's undelivered message belongs to. 'dead' stays the stored status of a
 * failed message (rewriting the status check would mean rebuilding the table on SQLite for a word).
 * Numbers 014 to 018 are taken by other work of the same release.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('first_due_at', 'bigint').execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('failure_class', 'text', (c) =>
      c.check(sql`failure_class in ('connection', 'authentication', 'recipient', 'other')`),
    )
    .execute();
  await db.schema.alterTable('outbox').addColumn('failed_at', 'bigint').execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('location_id', 'text', (c) => c.references('locations.id'))
    .execute();
  await db.schema.alterTable('outbox').addColumn('resolved_at', 'bigint').execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('resolved_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('resolution', 'text', (c) => c.check(sql`resolution in ('contacted_by_phone')`))
    .execute();
  // A message already waiting keeps its place in line: its window starts when it fell due.
  await db
    .updateTable('outbox')
    .set({ first_due_at: sql`run_at` })
    .execute();
  await db
    .updateTable('outbox')
    .set({ failed_at: sql`run_at`, failure_class: 'other' })
    .where('status', '=', 'dead')
    .execute();
  await db.schema.createIndex('outbox_failed').on('outbox').columns(['status', 'location_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
