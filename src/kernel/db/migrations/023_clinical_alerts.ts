import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Safety alerts that wait on a clinician's worklist (first: PHQ-9 item 9 answered above "not at all" at intake; later
 * check-in and outcomes raise their own kinds). An alert is resolved only with an assessment, by a known person, at a
 * known time, all at once (a CHECK); while open its level may only rise (alert → urgent); once resolved it never
 * changes, and no alert is ever deleted (triggers on both engines, TRUNCATE refused on PostgreSQL): the worklist is
 * part of the clinical record.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  await db.schema
    .createTable('clinical_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    // The record that raised it (an intake's id), so one answer raises one alert however often it is saved.
    .addColumn('source_id', 'text')
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('alert', 'urgent')`))
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_by', 'text', (c) => c.references('users.id'))
    .addColumn('resolved_at', 'bigint')
    .addColumn('assessment', 'text')
    .addCheckConstraint(
      'clinical_alerts_resolved_whole',
      sql`(resolved_by is null and resolved_at is null and assessment is null)
        or (resolved_by is not null and resolved_at is not null and assessment is not null and length(trim(assessment)) > 0)`,
    )
    .execute();
  await db.schema
    .createIndex('clinical_alerts_open')
    .on('clinical_alerts')
    .columns(['location_id', 'resolved_at'])
    .execute();
  await db.schema.createIndex('clinical_alerts_by_patient').on('clinical_alerts').column('patient_id').execute();

  const fixed = 'id, patient_id, location_id, kind, source, source_id, raised_at';
  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    await run(`create trigger clinical_alerts_raised_fixed before update of ${fixed} on clinical_alerts
      ${refuse('an alert keeps what raised it')}`);
    await run(`create trigger clinical_alerts_level_rises before update of level on clinical_alerts
      when new.level is not old.level and not (old.level = 'alert' and new.level = 'urgent')
      ${refuse('an alert is only ever raised to urgent')}`);
    await run(`create trigger clinical_alerts_resolved_fixed before update on clinical_alerts
      when old.resolved_at is not null ${refuse('a resolved alert is kept as resolved')}`);
    await run(`create trigger clinical_alerts_kept before delete on clinical_alerts ${refuse('alerts are kept')}`);
    return;
  }
  await run(`create function clinical_alerts_guard() returns trigger language plpgsql as $$ begin
    if tg_op = 'DELETE' then raise exception 'alerts are kept'; end if;
    if old.resolved_at is not null then raise exception 'a resolved alert is kept as resolved'; end if;
    if (new.id, new.patient_id, new.location_id, new.kind, new.source, new.source_id, new.raised_at)
      is distinct from (old.id, old.patient_id, old.location_id, old.kind, old.source, old.source_id, old.raised_at)
      then raise exception 'an alert keeps what raised it'; end if;
    if new.level is distinct from old.level and not (old.level = 'alert' and new.level = 'urgent')
      then raise exception 'an alert is only ever raised to urgent'; end if;
    return new; end $$`);
  await run(`create trigger clinical_alerts_guard before update or delete on clinical_alerts
    for each row execute function clinical_alerts_guard()`);
  // clinical_no_truncate() is migration 022's.
  await run(`create trigger clinical_alerts_no_truncate before truncate on clinical_alerts
    for each statement execute function clinical_no_truncate()`);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
