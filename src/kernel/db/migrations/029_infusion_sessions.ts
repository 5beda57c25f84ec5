import { SqliteAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * The infusion day (issue 12): one session per booked infusion, from check-in to discharge, and everything recorded
 * during it. The session row is the only mutable one; every entry (check-in answers, vitals, timeline events, bags,
 * side effects, medications, overrides) is append-only, so a nurse's entry once acknowledged is never changed or lost:
 * a mistake is corrected by a later entry. The database itself keeps the rules that matter:
 * - a session moves only along the state machine's edges (src/clinical/sessions/state.ts lists the same edges), each
 *   move carries version + 1 (two nurses cannot both move it from the same version), and a discharged or not-given
 *   session is final;
 * - an infusion starts only with a VERIFIED dose order of this very appointment and a bag whose draw a second person
 *   witnessed;
 * - a bag's witness and an entry's author are two people; impossible vitals are refused.
 * Session tables are PHI: nothing is ever deleted (TRUNCATE refused on PostgreSQL).
 */
export const SESSION_STATES = [
  'checked_in',
  'ready',
  'infusing',
  'paused',
  'recovering',
  'ready_for_discharge',
  'discharged',
  'not_given',
] as const;

/** The allowed moves (from, to); the first move (insert) is always into checked_in. */
export const SESSION_EDGES: ReadonlyArray<readonly [string, string]> = [
  ['checked_in', 'ready'],
  ['ready', 'checked_in'],
  ['ready', 'infusing'],
  ['infusing', 'paused'],
  ['paused', 'infusing'],
  ['infusing', 'recovering'],
  ['paused', 'recovering'],
  ['recovering', 'ready_for_discharge'],
  ['ready_for_discharge', 'recovering'],
  ['ready_for_discharge', 'discharged'],
  ['checked_in', 'not_given'],
  ['ready', 'not_given'],
];

const APPEND_ONLY = [
  'session_checkins',
  'session_vitals',
  'session_events',
  'session_bags',
  'session_side_effects',
  'session_medications',
  'session_overrides',
];

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  const by = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id');
  const session = (c: ColumnDefinitionBuilder) => c.notNull().references('infusion_sessions.id');

  await db.schema
    .createTable('infusion_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('appointment_id', 'text', (c) => c.notNull().unique().references('appointments.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql.raw(`state in ('${SESSION_STATES.join("', '")}')`)))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    // Set at the start: the verified order the bag and the pump follow.
    .addColumn('dose_order_id', 'text', (c) => c.references('dose_orders.id'))
    .addColumn('checked_in_at', 'bigint', (c) => c.notNull())
    .addColumn('checked_in_by', 'text', by)
    .addColumn('started_at', 'bigint')
    .addColumn('stopped_at', 'bigint')
    .addColumn('stop_reason', 'text')
    .addColumn('stopped_early', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`stopped_early in (0, 1)`),
    )
    .addColumn('discharged_at', 'bigint')
    .addColumn('discharged_by', 'text', (c) => c.references('users.id'))
    .addColumn('not_given_reason', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', by)
    .addCheckConstraint(
      'infusion_sessions_started_whole',
      sql`(state in ('checked_in', 'ready', 'not_given')) = (started_at is null)
        and (started_at is null or dose_order_id is not null)`,
    )
    .addCheckConstraint(
      'infusion_sessions_stopped_whole',
      sql`(state in ('recovering', 'ready_for_discharge', 'discharged')) = (stopped_at is not null)
        and (stopped_at is null or (stop_reason is not null and length(trim(stop_reason)) > 0))`,
    )
    .addCheckConstraint(
      'infusion_sessions_discharged_whole',
      sql`(state = 'discharged') = (discharged_at is not null) and (discharged_at is null) = (discharged_by is null)`,
    )
    .addCheckConstraint(
      'infusion_sessions_not_given_whole',
      sql`(state = 'not_given') = (not_given_reason is not null and length(trim(not_given_reason)) > 0)`,
    )
    .execute();
  await db.schema
    .createIndex('infusion_sessions_by_location')
    .on('infusion_sessions')
    .columns(['location_id', 'checked_in_at'])
    .execute();
  await db.schema.createIndex('infusion_sessions_by_patient').on('infusion_sessions').column('patient_id').execute();

  // Check-in answers as the nurse saved them (the checklist is data per protocol, so its answers are JSON).
  await db.schema
    .createTable('session_checkins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('checklist_version', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_checkins_by_session').on('session_checkins').column('session_id').execute();

  await db.schema
    .createTable('session_vitals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('phase', 'text', (c) => c.notNull().check(sql`phase in ('pre', 'infusion', 'recovery')`))
    // When the reading was taken; recorded_at is when the server got it (a late entry names its reason).
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_by', 'text', by)
    .addColumn('late_reason', 'text')
    // The form's own key, so an entry resent after a lost answer is stored once.
    .addColumn('entry_key', 'text', (c) => c.notNull())
    .addColumn('systolic', 'integer', (c) => c.notNull().check(sql`systolic between 40 and 300`))
    .addColumn('diastolic', 'integer', (c) => c.notNull().check(sql`diastolic between 20 and 200`))
    .addColumn('heart_rate', 'integer', (c) => c.notNull().check(sql`heart_rate between 1 and 300`))
    .addColumn('spo2', 'integer', (c) => c.notNull().check(sql`spo2 between 50 and 100`))
    .addColumn('respiratory_rate', 'integer', (c) => c.notNull().check(sql`respiratory_rate between 1 and 80`))
    .addColumn('temperature_c', 'double precision', (c) => c.check(sql`temperature_c between 30 and 45`))
    .addColumn('sedation', 'integer', (c) => c.check(sql`sedation between -5 and 4`))
    .addColumn('dissociation', 'integer', (c) => c.check(sql`dissociation between 0 and 3`))
    .addCheckConstraint('session_vitals_pressure', sql`systolic > diastolic`)
    .addCheckConstraint('session_vitals_taken_before', sql`taken_at <= recorded_at`)
    .addUniqueConstraint('session_vitals_entry_once', ['session_id', 'entry_key'])
    .execute();
  await db.schema
    .createIndex('session_vitals_by_session')
    .on('session_vitals')
    .columns(['session_id', 'taken_at'])
    .execute();

  // The infusion's timeline: start, rate changes, pause, resume, stop (total.ts computes the mg from it).
  await db.schema
    .createTable('session_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('start', 'rate', 'pause', 'resume', 'stop')`))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('mg_per_hour', 'double precision', (c) => c.check(sql`mg_per_hour > 0`))
    .addColumn('ml_per_hour', 'double precision', (c) => c.check(sql`ml_per_hour > 0`))
    .addColumn('reason', 'text')
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint(
      'session_events_rate_whole',
      sql`(kind in ('start', 'rate')) = (mg_per_hour is not null and ml_per_hour is not null)`,
    )
    .addCheckConstraint(
      'session_events_reason',
      sql`kind = 'start' or (reason is not null and length(trim(reason)) > 0)`,
    )
    .execute();
  await db.schema.createIndex('session_events_by_session').on('session_events').columns(['session_id', 'at']).execute();

  // The bag hung for the session; its draw is a controlled-substance movement a second person witnesses.
  await db.schema
    .createTable('session_bags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('drug', 'text', (c) => c.notNull())
    .addColumn('lot', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text', (c) => c.notNull())
    .addColumn('drug_mg', 'double precision', (c) => c.notNull().check(sql`drug_mg > 0`))
    .addColumn('volume_ml', 'double precision', (c) => c.notNull().check(sql`volume_ml > 0`))
    .addColumn('drawn_by', 'text', by)
    .addColumn('witnessed_by', 'text', by)
    .addColumn('drawn_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('session_bags_two_people', sql`drawn_by <> witnessed_by`)
    .execute();
  await db.schema.createIndex('session_bags_by_session').on('session_bags').column('session_id').execute();
  await db.schema.createIndex('session_bags_by_lot').on('session_bags').columns(['location_id', 'lot']).execute();

  await db.schema
    .createTable('session_side_effects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('effect', 'text', (c) => c.notNull())
    .addColumn('grade', 'integer', (c) => c.notNull().check(sql`grade between 1 and 4`))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('session_side_effects_by_session')
    .on('session_side_effects')
    .column('session_id')
    .execute();

  // As-needed medications given, only from the protocol's orders (the service checks the drug and its limits).
  await db.schema
    .createTable('session_medications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('drug', 'text', (c) => c.notNull())
    .addColumn('dose_mg', 'double precision', (c) => c.notNull().check(sql`dose_mg > 0`))
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('session_medications_by_session')
    .on('session_medications')
    .column('session_id')
    .execute();

  // A provider's decision to go past a rule (a start threshold, a discharge condition), with the reason.
  await db.schema
    .createTable('session_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`length(trim(reason)) > 0`))
    .addColumn('provider_id', 'text', by)
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_overrides_by_session').on('session_overrides').column('session_id').execute();

  // Alerts raised during a session (alerts.ts keys them, so each is raised once); acknowledged once, escalated once.
  await db.schema
    .createTable('session_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', session)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text', (c) => c.references('users.id'))
    .addColumn('action', 'text')
    .addColumn('escalated_at', 'bigint')
    .addColumn('escalated_to', 'text', (c) => c.references('users.id'))
    .addUniqueConstraint('session_alerts_once', ['session_id', 'key'])
    .addCheckConstraint(
      'session_alerts_acknowledged_whole',
      sql`(acknowledged_at is null and acknowledged_by is null and action is null)
        or (acknowledged_at is not null and acknowledged_by is not null and action is not null
          and length(trim(action)) > 0)`,
    )
    .execute();
  await db.schema.createIndex('session_alerts_by_session').on('session_alerts').column('session_id').execute();

  await guards(db, sqlite, run);
}

async function guards(db: Kysely<any>, sqlite: boolean, run: (text: string) => Promise<unknown>): Promise<void> {
  const edges = SESSION_EDGES.map(([a, b]) => `(old.state = '${a}' and new.state = '${b}')`).join(' or ');
  // A start needs this appointment's verified order and a witnessed bag (the bag row is written first).
  const unsafeStart = `new.state = 'infusing' and old.state = 'ready' and not (
      exists (select 1 from dose_orders o where o.id = new.dose_order_id and o.appointment_id = new.appointment_id
        and o.status = 'verified')
      and exists (select 1 from session_bags b where b.session_id = new.id))`;
  const fixedColumns = 'id, appointment_id, patient_id, location_id, checked_in_at, checked_in_by';
  const alertFixed = 'id, session_id, key, code, kind, detail, raised_at';
  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    await run(`create trigger infusion_sessions_first_state before insert on infusion_sessions
      when new.state <> 'checked_in' or new.version <> 1 ${refuse('a session begins checked in, at version 1')}`);
    await run(`create trigger infusion_sessions_version before update on infusion_sessions
      when new.version <> old.version + 1 ${refuse('session_version: each change moves the version on by one')}`);
    await run(`create trigger infusion_sessions_edges before update of state on infusion_sessions
      when new.state <> old.state and not (${edges}) ${refuse('session_state: not a move the session can make now')}`);
    await run(`create trigger infusion_sessions_start before update of state on infusion_sessions
      when ${unsafeStart} ${refuse('session_start: an infusion starts only from a verified order and a witnessed bag')}`);
    const changed = fixedColumns
      .split(', ')
      .map((c) => `new.${c} is not old.${c}`)
      .join(' or ');
    await run(`create trigger infusion_sessions_fixed before update of ${fixedColumns} on infusion_sessions
      when ${changed} ${refuse('a session keeps its appointment and check-in')}`);
    // SQLite fires the newest trigger first: this one, so a closed session is refused as closed.
    await run(`create trigger infusion_sessions_final before update on infusion_sessions
      when old.state in ('discharged', 'not_given') ${refuse('session_final: a closed session is never changed')}`);
    await run(
      `create trigger infusion_sessions_kept before delete on infusion_sessions ${refuse('sessions are kept')}`,
    );
    for (const table of APPEND_ONLY) {
      await run(`create trigger ${table}_kept_update before update on ${table} ${refuse(`${table} are append-only`)}`);
      await run(`create trigger ${table}_kept_delete before delete on ${table} ${refuse(`${table} are append-only`)}`);
    }
    await run(`create trigger session_alerts_fixed before update of ${alertFixed} on session_alerts
      ${refuse('an alert keeps what raised it')}`);
    await run(`create trigger session_alerts_once before update on session_alerts
      when (old.acknowledged_at is not null and (new.acknowledged_at is not old.acknowledged_at
          or new.acknowledged_by is not old.acknowledged_by or new.action is not old.action))
        or (old.escalated_at is not null and (new.escalated_at is not old.escalated_at
          or new.escalated_to is not old.escalated_to))
      ${refuse('an acknowledgement or escalation is kept as written')}`);
    await run(`create trigger session_alerts_kept before delete on session_alerts ${refuse('alerts are kept')}`);
    return;
  }
  const fn = async (name: string, body: string) => {
    await run(`create function ${name}() returns trigger language plpgsql as $$ begin ${body} end $$`);
  };
  await fn(
    'infusion_sessions_guard',
    `
    if tg_op = 'DELETE' then raise exception 'sessions are kept'; end if;
    if tg_op = 'INSERT' then
      if new.state <> 'checked_in' or new.version <> 1 then
        raise exception 'a session begins checked in, at version 1'; end if;
      return new;
    end if;
    if old.state in ('discharged', 'not_given') then
      raise exception 'session_final: a closed session is never changed'; end if;
    if new.version <> old.version + 1 then
      raise exception 'session_version: each change moves the version on by one'; end if;
    if new.state <> old.state and not (${edges}) then
      raise exception 'session_state: not a move the session can make now'; end if;
    if ${unsafeStart} then
      raise exception 'session_start: an infusion starts only from a verified order and a witnessed bag'; end if;
    if (${fixedColumns.replace(/(\w+)/g, 'new.$1')}) is distinct from (${fixedColumns.replace(/(\w+)/g, 'old.$1')}) then
      raise exception 'a session keeps its appointment and check-in'; end if;
    return new;`,
  );
  await run(`create trigger infusion_sessions_guard before insert or update or delete on infusion_sessions
    for each row execute function infusion_sessions_guard()`);
  for (const table of APPEND_ONLY) {
    await fn(`${table}_kept`, `raise exception '${table} are append-only';`);
    await run(`create trigger ${table}_kept before update or delete on ${table}
      for each row execute function ${table}_kept()`);
  }
  await fn(
    'session_alerts_guard',
    `
    if tg_op = 'DELETE' then raise exception 'alerts are kept'; end if;
    if (${alertFixed.replace(/(\w+)/g, 'new.$1')}) is distinct from (${alertFixed.replace(/(\w+)/g, 'old.$1')}) then
      raise exception 'an alert keeps what raised it'; end if;
    if (old.acknowledged_at is not null and (new.acknowledged_at, new.acknowledged_by, new.action)
          is distinct from (old.acknowledged_at, old.acknowledged_by, old.action))
        or (old.escalated_at is not null and (new.escalated_at, new.escalated_to)
          is distinct from (old.escalated_at, old.escalated_to)) then
      raise exception 'an acknowledgement or escalation is kept as written'; end if;
    return new;`,
  );
  await run(`create trigger session_alerts_guard before update or delete on session_alerts
    for each row execute function session_alerts_guard()`);
  // clinical_no_truncate() is migration 022's.
  for (const table of ['infusion_sessions', 'session_alerts', ...APPEND_ONLY]) {
    await run(`create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function clinical_no_truncate()`);
  }
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
