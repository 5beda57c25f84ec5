import { SqliteAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * Recovery, discharge and the signed session record (issue 12 §4 and §6).
 * - session_assessments: each discharge assessment as taken (the Modified Aldrete answers and total, the escort at
 *   the door, and whether every condition held at that moment), append-only.
 * - The discharge gate's backstop: a session reaches 'discharged' only when its newest assessment passed, or a
 *   provider recorded a discharge override on it. The service checks every condition; this trigger holds when a
 *   path forgets to (a script, a future feature, a direct write).
 * - session_records: the summary written at discharge, co-signed once by a provider; after signing nothing in it
 *   changes. session_record_addenda: corrections, each signed by its author, append-only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  const by = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id');

  await db.schema
    .createTable('session_assessments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('infusion_sessions.id'))
    // JSON: the five Aldrete answers by item key.
    .addColumn('aldrete_items', 'text', (c) => c.notNull())
    .addColumn('aldrete_score', 'integer', (c) => c.notNull().check(sql`aldrete_score between 0 and 10`))
    .addColumn('aldrete_at_least', 'integer', (c) => c.notNull().check(sql`aldrete_at_least between 0 and 10`))
    .addColumn('aldrete_version', 'text', (c) => c.notNull())
    .addColumn('escort_name', 'text')
    .addColumn('escort_confirmed', 'integer', (c) => c.notNull().check(sql`escort_confirmed in (0, 1)`))
    // Every discharge condition held when it was taken; missing lists the codes that did not (JSON array).
    .addColumn('passed', 'integer', (c) => c.notNull().check(sql`passed in (0, 1)`))
    .addColumn('missing', 'text', (c) => c.notNull())
    .addColumn('assessed_by', 'text', by)
    .addColumn('assessed_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint(
      'session_assessments_escort_named',
      sql`escort_confirmed = 0 or (escort_name is not null and length(trim(escort_name)) > 0)`,
    )
    .addCheckConstraint('session_assessments_passed_empty', sql`passed = 0 or missing = '[]'`)
    .execute();
  await db.schema
    .createIndex('session_assessments_by_session')
    .on('session_assessments')
    .columns(['session_id', 'assessed_at'])
    .execute();

  await db.schema
    .createTable('session_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().unique().references('infusion_sessions.id'))
    // JSON: the summary as written at discharge (src/clinical/sessions/record-summary.ts).
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('written_at', 'bigint', (c) => c.notNull())
    .addColumn('written_by', 'text', by)
    .addColumn('cosigned_by', 'text', (c) => c.references('users.id'))
    .addColumn('cosigned_at', 'bigint')
    .addCheckConstraint('session_records_cosigned_whole', sql`(cosigned_by is null) = (cosigned_at is null)`)
    .execute();

  await db.schema
    .createTable('session_record_addenda')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('record_id', 'text', (c) => c.notNull().references('session_records.id'))
    .addColumn('text', 'text', (c) => c.notNull().check(sql`length(trim(text)) > 0`))
    .addColumn('author_id', 'text', by)
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('session_record_addenda_by_record')
    .on('session_record_addenda')
    .column('record_id')
    .execute();

  // The newest assessment passed (ties: the later id, ids are time-ordered), or a provider overrode the gate.
  const gateHolds = `(
      exists (select 1 from session_assessments a where a.session_id = new.id and a.passed = 1
        and not exists (select 1 from session_assessments b where b.session_id = new.id
          and (b.assessed_at > a.assessed_at or (b.assessed_at = a.assessed_at and b.id > a.id))))
      or exists (select 1 from session_overrides o join users u on u.id = o.provider_id
        where o.session_id = new.id and o.rule = 'discharge' and u.role = 'provider'))`;
  // Only the one edge into 'discharged' is checked here; any other move there is refused by 029's edge rule.
  const unsafeDischarge = `new.state = 'discharged' and old.state = 'ready_for_discharge' and not ${gateHolds}`;
  const gateMessage = 'session_discharge: discharge needs a passing assessment or a provider override';
  const recordChange = `old.cosigned_at is not null
      or new.id <> old.id or new.session_id <> old.session_id or new.summary <> old.summary
      or new.written_at <> old.written_at or new.written_by <> old.written_by`;
  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    await run(`create trigger infusion_sessions_discharge_gate before update of state on infusion_sessions
      when ${unsafeDischarge} ${refuse(gateMessage)}`);
    for (const table of ['session_assessments', 'session_record_addenda']) {
      await run(`create trigger ${table}_kept_update before update on ${table} ${refuse(`${table} are append-only`)}`);
      await run(`create trigger ${table}_kept_delete before delete on ${table} ${refuse(`${table} are append-only`)}`);
    }
    await run(`create trigger session_records_signed before update on session_records
      when ${recordChange} ${refuse('session_record_signed: a signed record is never changed; add an addendum')}`);
    await run(`create trigger session_records_kept before delete on session_records ${refuse('records are kept')}`);
    return;
  }
  const fn = async (name: string, body: string) => {
    await run(`create function ${name}() returns trigger language plpgsql as $$ begin ${body} end $$`);
  };
  await fn(
    'infusion_sessions_discharge_gate',
    `if ${unsafeDischarge} then raise exception '${gateMessage}'; end if; return new;`,
  );
  await run(`create trigger infusion_sessions_discharge_gate before update on infusion_sessions
    for each row execute function infusion_sessions_discharge_gate()`);
  for (const table of ['session_assessments', 'session_record_addenda']) {
    await fn(`${table}_kept`, `raise exception '${table} are append-only';`);
    await run(`create trigger ${table}_kept before update or delete on ${table}
      for each row execute function ${table}_kept()`);
  }
  await fn(
    'session_records_signed',
    `if tg_op = 'DELETE' then raise exception 'records are kept'; end if;
    if ${recordChange} then
      raise exception 'session_record_signed: a signed record is never changed; add an addendum'; end if;
    return new;`,
  );
  await run(`create trigger session_records_signed before update or delete on session_records
    for each row execute function session_records_signed()`);
  // clinical_no_truncate() is migration 022's.
  for (const table of ['session_assessments', 'session_records', 'session_record_addenda']) {
    await run(`create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function clinical_no_truncate()`);
  }
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
