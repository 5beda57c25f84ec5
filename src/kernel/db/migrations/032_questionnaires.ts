import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Outcomes (issue 13): the questionnaires a treatment plan schedules, and the patient's optional daily pain diary.
 *
 * One row per questionnaire owed: scheduled from the plan (before a session, at the end of the induction series, at
 * 1, 4 and 12 weeks, before a booster), sent by a signed link, reminded, then complete, missed after its window, or
 * cancelled when the plan no longer needs it. `schedule_key` names what scheduled it (for example
 * `plan:<id>:week_4` or `appointment:<id>:pre_session`), so scheduling the same plan twice owes nothing twice.
 *
 * The answers are kept as typed, with each instrument's version; once complete, the scores a report needs are written
 * into columns beside them in the same statement, so a clinic-wide responder report reads one table and no JSON. The
 * database keeps a completed questionnaire as it is (a correction is a new questionnaire entered by staff), keeps
 * every score within its instrument's range, and never deletes a row: outcomes are part of the clinical record.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  const between = (column: string, low: number, high: number) =>
    sql.raw(`${column} is null or ${column} between ${low} and ${high}`);

  await db.schema
    .createTable('questionnaires')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    // Null for one a clinician enters outside any plan (for example at a consultation).
    .addColumn('plan_id', 'text', (c) => c.references('treatment_plans.id'))
    // The protocol of the plan, kept here so a per-protocol report needs no join.
    .addColumn('protocol_id', 'text', (c) => c.references('protocols.id'))
    // The session it comes before (pre-session and pre-booster questionnaires).
    .addColumn('appointment_id', 'text', (c) => c.references('appointments.id'))
    .addColumn('schedule_key', 'text', (c) => c.notNull().unique())
    // Named by the schedule's data: 'pre_session', 'end_of_induction', 'week_1', 'week_4', 'week_12', 'pre_booster'…
    .addColumn('timepoint', 'text', (c) => c.notNull().check(sql`length(timepoint) between 1 and 40`))
    // JSON: [{ id, version }] of the instruments asked, in the order asked.
    .addColumn('instruments', 'text', (c) => c.notNull())
    .addColumn('opens_at', 'bigint', (c) => c.notNull())
    .addColumn('closes_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('scheduled', 'sent', 'partial', 'complete', 'missed', 'cancelled')`),
    )
    .addColumn('sent_at', 'bigint')
    .addColumn('reminded_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    // Set when a member of staff entered the answers for the patient (at a visit); null when the patient did.
    .addColumn('entered_by', 'text', (c) => c.references('users.id'))
    // JSON: { instrumentId: { itemKey: value } }, partial answers included.
    .addColumn('answers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('pain_now', 'integer', (c) => c.check(between('pain_now', 0, 10)))
    .addColumn('pain_average', 'integer', (c) => c.check(between('pain_average', 0, 10)))
    .addColumn('pain_worst', 'integer', (c) => c.check(between('pain_worst', 0, 10)))
    .addColumn('phq9_total', 'integer', (c) => c.check(between('phq9_total', 0, 27)))
    .addColumn('phq9_item9', 'integer', (c) => c.check(between('phq9_item9', 0, 3)))
    .addColumn('gad7_total', 'integer', (c) => c.check(between('gad7_total', 0, 21)))
    // The pain-interference instrument's score, on its own scale (named by its id in `instruments`).
    .addColumn('interference', 'double precision')
    .addColumn('pgic', 'integer', (c) => c.check(between('pgic', 1, 7)))
    // The label the patient chose, as worded in the version asked (some versions number the scale the other way).
    .addColumn('pgic_label', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('questionnaires_window', sql`closes_at > opens_at`)
    .addCheckConstraint('questionnaires_complete_whole', sql`(status = 'complete') = (completed_at is not null)`)
    .execute();
  // The delivery run: what is due to send, remind or mark missed.
  await db.schema.createIndex('questionnaires_due').on('questionnaires').columns(['status', 'opens_at']).execute();
  await db.schema
    .createIndex('questionnaires_by_patient')
    .on('questionnaires')
    .columns(['patient_id', 'opens_at'])
    .execute();
  // The responder report: one protocol (or all) at one location (or all), over a period.
  await db.schema
    .createIndex('questionnaires_for_reports')
    .on('questionnaires')
    .columns(['protocol_id', 'location_id', 'opens_at'])
    .execute();

  await db.schema
    .createTable('pain_diary')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    // The calendar day in the location's zone (YYYY-MM-DD); a later entry for the same day is the one that counts.
    .addColumn('day', 'text', (c) => c.notNull().check(sql`length(day) = 10`))
    .addColumn('pain', 'integer', (c) => c.notNull().check(sql`pain between 0 and 10`))
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pain_diary_by_patient').on('pain_diary').columns(['patient_id', 'day']).execute();

  const scores =
    'answers, pain_now, pain_average, pain_worst, phq9_total, phq9_item9, gad7_total, interference, pgic, pgic_label';
  const fixed =
    'id, patient_id, location_id, plan_id, protocol_id, appointment_id, schedule_key, timepoint, instruments';
  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    await run(`create trigger questionnaires_fixed before update of ${fixed} on questionnaires
      ${refuse('a questionnaire keeps what it asks and of whom')}`);
    await run(`create trigger questionnaires_complete_kept before update of ${scores}, status, completed_at, entered_by
      on questionnaires when old.status = 'complete' ${refuse('a completed questionnaire is kept as answered')}`);
    await run(`create trigger questionnaires_kept before delete on questionnaires
      ${refuse('questionnaires are kept')}`);
    await run(
      `create trigger pain_diary_kept_update before update on pain_diary ${refuse('pain_diary is append-only')}`,
    );
    await run(
      `create trigger pain_diary_kept_delete before delete on pain_diary ${refuse('pain_diary is append-only')}`,
    );
    return;
  }
  await run(`create function questionnaires_guard() returns trigger language plpgsql as $$ begin
    if tg_op = 'DELETE' then raise exception 'questionnaires are kept'; end if;
    if (new.id, new.patient_id, new.location_id, new.plan_id, new.protocol_id, new.appointment_id, new.schedule_key,
        new.timepoint, new.instruments)
      is distinct from (old.id, old.patient_id, old.location_id, old.plan_id, old.protocol_id, old.appointment_id,
        old.schedule_key, old.timepoint, old.instruments)
      then raise exception 'a questionnaire keeps what it asks and of whom'; end if;
    if old.status = 'complete' and (new.${scores.split(', ').join(', new.')}, new.status, new.completed_at,
        new.entered_by)
      is distinct from (old.${scores.split(', ').join(', old.')}, old.status, old.completed_at, old.entered_by)
      then raise exception 'a completed questionnaire is kept as answered'; end if;
    return new; end $$`);
  await run(`create trigger questionnaires_guard before update or delete on questionnaires
    for each row execute function questionnaires_guard()`);
  await run(`create function pain_diary_guard() returns trigger language plpgsql as $$ begin
    raise exception 'pain_diary is append-only'; end $$`);
  await run(`create trigger pain_diary_guard before update or delete on pain_diary
    for each row execute function pain_diary_guard()`);
  // clinical_no_truncate() is migration 022's.
  for (const table of ['questionnaires', 'pain_diary']) {
    await run(`create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function clinical_no_truncate()`);
  }
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
