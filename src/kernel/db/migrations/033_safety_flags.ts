import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Safety flags (issue 13 §3) on the one worklist of migration 023: a flag is a clinical_alerts row of its own kind,
 * raised by a rule, so the intake's and check-in's alerts and the new flags are one list with one way to close.
 *
 * - `owner_id`/`owned_at`: the provider who took it (the worklist's "in review"); `action`: what was done, recorded
 *   with the assessment when it closes; `detail`: the rule's codes and figures (fixed once written).
 * - `holds`: an open flag that holds further infusions (the liver rule). While one is open the infusion gate of
 *   migration 024 refuses every booked infusion or booster written for the patient, and the database refuses to
 *   start an infusion; only a provider may close it, and only with an action. A flag's hold never changes once raised.
 * The gate's message still starts "infusion_gate:", so every booking path answers as it does for the gate.
 */
export const HOLD_MESSAGE = 'infusion_gate: on hold: an open safety flag holds infusions for this patient';
const START_MESSAGE = 'session_hold: an open safety flag holds infusions for this patient';
const CLEAR_MESSAGE = 'safety_hold: a hold is cleared by a provider, with an action';
// Migration 024's message and condition, unchanged, so its refusal still reads as before.
const GATE_MESSAGE = 'infusion_gate: no signed eligible screening and active treatment plan for this patient';

const GATED = `new.status = 'booked'
  and exists (select 1 from appointment_types t where t.id = new.type_id and t.kind in ('infusion', 'booster'))`;
const NOT_READY = `${GATED}
  and not (new.patient_id is not null
    and exists (select 1 from screenings s where s.patient_id = new.patient_id and s.status = 'signed'
      and s.outcome = 'eligible' and s.expires_at > new.starts_at)
    and exists (select 1 from treatment_plans p where p.patient_id = new.patient_id and p.status = 'active'))`;
const openHold = (patient: string) =>
  `exists (select 1 from clinical_alerts a where a.patient_id = ${patient} and a.holds = 1 and a.resolved_at is null)`;
const HELD = `${GATED} and ${openHold('new.patient_id')}`;
const BECOMES = `(new.type_id <> old.type_id or new.patient_id is distinct from old.patient_id
  or new.starts_at <> old.starts_at or old.status <> 'booked')`;
const STARTS = `new.started_at is not null and old.started_at is null and ${openHold('new.patient_id')}`;
const BAD_CLEAR = `old.holds = 1 and old.resolved_at is null and new.resolved_at is not null and (new.action is null
  or not exists (select 1 from users u where u.id = new.resolved_by and u.role = 'provider'))`;

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  await db.schema
    .alterTable('clinical_alerts')
    .addColumn('owner_id', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.alterTable('clinical_alerts').addColumn('owned_at', 'bigint').execute();
  await db.schema.alterTable('clinical_alerts').addColumn('action', 'text').execute();
  await db.schema.alterTable('clinical_alerts').addColumn('detail', 'text').execute();
  await db.schema
    .alterTable('clinical_alerts')
    .addColumn('holds', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('clinical_alerts_source').on('clinical_alerts').columns(['kind', 'source_id']).execute();

  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    const becomes = BECOMES.replace('is distinct from', 'is not');
    await run(`create trigger clinical_alerts_flag_fixed before update of holds, detail on clinical_alerts
      when new.holds is not old.holds or new.detail is not old.detail ${refuse('a flag keeps what raised it')}`);
    await run(`create trigger clinical_alerts_hold_clear before update of resolved_at on clinical_alerts
      when ${BAD_CLEAR} ${refuse(CLEAR_MESSAGE)}`);
    await run(`create trigger appointments_infusion_hold_insert before insert on appointments when ${HELD}
      ${refuse(HOLD_MESSAGE)}`);
    await run(`create trigger appointments_infusion_hold_update before update of type_id, patient_id, starts_at, status
      on appointments when ${becomes} and ${HELD} ${refuse(HOLD_MESSAGE)}`);
    await run(`create trigger infusion_sessions_hold before update of started_at on infusion_sessions
      when ${STARTS} ${refuse(START_MESSAGE)}`);
    return;
  }
  await run(`create or replace function clinical_alerts_guard() returns trigger language plpgsql as $$ begin
    if tg_op = 'DELETE' then raise exception 'alerts are kept'; end if;
    if old.resolved_at is not null then raise exception 'a resolved alert is kept as resolved'; end if;
    if (new.id, new.patient_id, new.location_id, new.kind, new.source, new.source_id, new.raised_at)
      is distinct from (old.id, old.patient_id, old.location_id, old.kind, old.source, old.source_id, old.raised_at)
      then raise exception 'an alert keeps what raised it'; end if;
    if (new.holds, new.detail) is distinct from (old.holds, old.detail)
      then raise exception 'a flag keeps what raised it'; end if;
    if new.level is distinct from old.level and not (old.level = 'alert' and new.level = 'urgent')
      then raise exception 'an alert is only ever raised to urgent'; end if;
    if ${BAD_CLEAR} then raise exception '${CLEAR_MESSAGE}'; end if;
    return new; end $$`);
  // Migration 024's gate with the hold beside it: one function, so the order of triggers never matters.
  await run(`create or replace function appointments_infusion_gate() returns trigger language plpgsql as $$
    begin
      if (tg_op = 'INSERT' or ${BECOMES}) and ${NOT_READY} then
        raise exception '${GATE_MESSAGE}';
      end if;
      if (tg_op = 'INSERT' or ${BECOMES}) and ${HELD} then
        raise exception '${HOLD_MESSAGE}';
      end if;
      return new;
    end $$`);
  // PostgreSQL allows no subquery in a trigger's WHEN: the condition is the function's.
  await run(`create function infusion_sessions_hold() returns trigger language plpgsql as $$
    begin if ${STARTS} then raise exception '${START_MESSAGE}'; end if; return new; end $$`);
  await run(`create trigger infusion_sessions_hold before update of started_at on infusion_sessions
    for each row execute function infusion_sessions_hold()`);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
