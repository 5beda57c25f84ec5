import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../kernel/db/database.ts';
import type { DB, QuestionnaireStatus } from '../kernel/db/schema.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { addDays, today, wallInstant } from '../kernel/time/wall-clock.ts';
import { calculateDose } from '../clinical/dosing/dose.ts';
import { GAD7 } from '../clinical/instruments/gad7.ts';
import { PAIN_NRS } from '../clinical/instruments/pain.ts';
import { PEG } from '../clinical/instruments/peg.ts';
import { PGIC } from '../clinical/instruments/pgic.ts';
import { PHQ9 } from '../clinical/instruments/phq9.ts';
import { DEFAULT_DOSING_SETTINGS, protocolSchema, type ProtocolDefinition } from '../clinical/protocols/protocol.ts';
import { ALDRETE_VERSION } from '../clinical/instruments/aldrete.ts';
import { writeSuggestedProtocols } from '../clinical/service.ts';
import { evaluateFlags } from '../clinical/safety/flags.ts';
import { patientFacts } from '../clinical/safety/flags-repository.ts';
import { flagRules, type FlagKind } from '../clinical/safety/flags-settings.ts';
import { PGIC_KEY } from '../clinical/outcomes/questionnaire-answers.ts';
import { rulesVersion } from './demo-clinical.ts';
import {
  FOLLOW_UPS,
  planDemoOutcomes,
  type DemoLocation,
  type PlannedPatient,
  type PlannedQuestionnaire,
  type ProtocolShape,
  type Scores,
} from './demo-outcomes-plan.ts';

/** The flags the seed raises from its records (item 9's alerts come with their questionnaires). */
const SEEDED_FLAGS: readonly FlagKind[] = ['liver', 'urinary', 'dose_escalation', 'substance_use'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The demo's treated patients are known by their email addresses' ending. */
export const OUTCOMES_EMAIL = '.outcomes@example.com';

/** Each location's day columns: one chair, nurse lane and supervision lane each, and the local start of the day's infusions. */
const COLUMNS: Record<
  string,
  {
    start: number;
    protocols: string[];
    slots: Array<{ chair: string; nurse: string; lane: number }>;
    supervisor: string;
  }
> = {
  'loc-chicago': {
    start: 10 * 60,
    protocols: ['crps-10-day', 'crps-10-day', 'short-series'],
    supervisor: 'prov-okafor',
    slots: [
      { chair: 'chair-chi-1', nurse: 'nurse-nia', lane: 1 },
      { chair: 'chair-chi-2', nurse: 'nurse-nia', lane: 2 },
      { chair: 'chair-chi-3', nurse: 'nurse-marcus', lane: 1 },
      { chair: 'chair-chi-4', nurse: 'nurse-marcus', lane: 2 },
    ],
  },
  'loc-denver': {
    start: 12 * 60,
    protocols: ['short-series', 'short-series', 'crps-10-day'],
    supervisor: 'prov-reyes',
    slots: [
      { chair: 'chair-den-1', nurse: 'nurse-priya', lane: 1 },
      { chair: 'chair-den-2', nurse: 'nurse-priya', lane: 2 },
      { chair: 'chair-den-3', nurse: 'nurse-priya', lane: 3 },
    ],
  },
};

/** The instruments each kind of questionnaire asks (ids shared by issue 13's parts), with their versions. */
const PRE_SESSION = [{ id: 'pain_nrs', version: PAIN_NRS.version, measures: ['now', 'average'] }];
const FOLLOW_UP = [
  { id: 'pain_nrs', version: PAIN_NRS.version, measures: ['now', 'average', 'worst'] },
  { id: 'peg', version: PEG.version },
  { id: 'phq9', version: PHQ9.version },
  { id: 'gad7', version: GAD7.version },
  { id: 'pgic', version: PGIC.version },
];

/**
 * Six months of a clinic at work, so the outcome reports, charts and the safety worklist show something real on a
 * fresh `npm start` (issue 13's acceptance): 40 patients at the demo locations, each screened eligible and planned by
 * the demo provider, their past infusions given and discharged (a weight, a dose order written by the provider and
 * verified by the nurse, a witnessed bag, the pump's start and stop, the waste, a passing discharge assessment),
 * boosters for responders (some booked ahead), questionnaires at every time point with varied courses, a few missed,
 * a few PHQ-9 item-9 answers with their open alerts, one liver result at 3 × the upper limit, and pain diaries.
 *
 * One transaction of multi-row writes (each session's moves are one statement per step for all sessions, so the
 * database's own rules check every row), planned by the pure demo-outcomes-plan.ts. Run before the calendar's seed
 * (which then places its visits around these), never on today (the board's). Returns the number of patients
 * written: 0 when they exist already, or without the demo provider and nurse accounts or the default types.
 */
export async function seedDemoOutcomes(database: Database, now: number): Promise<number> {
  return database.transact(async (trx) => {
    const existing = await trx
      .selectFrom('patients')
      .select('id')
      .where('email', 'like', `%${OUTCOMES_EMAIL}`)
      .executeTakeFirst();
    if (existing) return 0;
    const context = await contextOf(trx, now);
    if (!context) return 0;
    const plan = planDemoOutcomes({
      today: today(now, context.zones.get('loc-chicago') ?? 'UTC'),
      locations: context.locations,
      protocols: context.shapes,
    });
    await write(trx, context, plan, now);
    // The safety rules in force read what was written: the liver result's holding flag (and any other rule the
    // courses meet) is on the worklist from the start. Written as the seed writes item 9's alerts, without the
    // providers' emails or audit events a live save would add (missed follow-ups are the running server's sweep).
    const treated = await trx
      .selectFrom('treatment_plans as t')
      .innerJoin('patients as p', 'p.id', 't.patient_id')
      .select(['t.patient_id', 't.location_id'])
      .distinct()
      .where('p.email', 'like', `%${OUTCOMES_EMAIL}`)
      .execute();
    const rules = (await flagRules(trx)).body;
    for (const t of treated)
      for (const flag of evaluateFlags(rules, await patientFacts(trx, t.patient_id)))
        if (SEEDED_FLAGS.includes(flag.kind))
          await trx
            .insertInto('clinical_alerts')
            .values({
              id: timeOrderedId(now),
              patient_id: t.patient_id,
              location_id: t.location_id,
              kind: flag.kind,
              source: flag.source,
              source_id: flag.sourceId,
              level: flag.level,
              raised_at: now,
              holds: flag.holds ? 1 : 0,
              detail: JSON.stringify(flag.detail),
            })
            .execute();
    return plan.length;
  });
}

interface Context {
  provider: string;
  nurse: string;
  zones: Map<string, string>;
  locations: DemoLocation[];
  protocols: Map<string, { id: string; definition: string; parsed: ProtocolDefinition }>;
  shapes: Map<string, ProtocolShape>;
  types: {
    infusion: { id: string; minutes: number; before: number; after: number };
    booster: { id: string; minutes: number; before: number; after: number };
  };
  rules: string;
}

async function contextOf(trx: Kysely<DB>, now: number): Promise<Context | undefined> {
  const users = await trx
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', 'in', ['provider@relief.example', 'nurse@relief.example'])
    .execute();
  const provider = users.find((u) => u.email === 'provider@relief.example')?.id;
  const nurse = users.find((u) => u.email === 'nurse@relief.example')?.id;
  const types = await trx
    .selectFrom('appointment_types')
    .select(['id', 'kind', 'duration_min', 'buffer_before_min', 'buffer_after_min'])
    .where('id', 'in', ['type-infusion', 'type-booster'])
    .execute();
  const type = (id: string) => {
    const t = types.find((x) => x.id === id);
    return t && { id: t.id, minutes: t.duration_min, before: t.buffer_before_min, after: t.buffer_after_min };
  };
  const infusion = type('type-infusion');
  const booster = type('type-booster');
  const locationRows = await trx.selectFrom('locations').select(['id', 'time_zone']).execute();
  const zones = new Map(locationRows.map((l) => [l.id, l.time_zone]));
  if (!provider || !nurse || !infusion || !booster || !zones.has('loc-chicago') || !zones.has('loc-denver'))
    return undefined;
  if (!(await trx.selectFrom('protocols').select('id').executeTakeFirst()))
    await writeSuggestedProtocols(trx, now, null);
  const rows = await trx
    .selectFrom('protocols')
    .select(['id', 'code', 'definition'])
    .where('retired_at', 'is', null)
    .orderBy('version', 'desc')
    .execute();
  const protocols = new Map<string, { id: string; definition: string; parsed: ProtocolDefinition }>();
  for (const r of rows)
    if (!protocols.has(r.code))
      protocols.set(r.code, {
        id: r.id,
        definition: r.definition,
        parsed: protocolSchema.parse(JSON.parse(r.definition)),
      });
  const shapes = new Map<string, ProtocolShape>();
  for (const [code, p] of protocols) {
    const d = p.parsed;
    shapes.set(code, {
      code,
      sessions: d.induction.sessions,
      everyWeekdays: d.induction.minDaysBetween,
      boosterDays: d.maintenance.kind === 'intervals' ? d.maintenance.intervalsDays : [],
      onResponseDays: d.maintenance.kind === 'on_response' ? d.maintenance.minDaysBetween * 2 : null,
      startMgPerKgH: d.dosing.startMgPerKgPerHour,
      stepMgPerKgH: d.dosing.titrationStepMgPerKgPerHour ?? 0,
      maxMgPerKgH: d.dosing.maxMgPerKgPerHour,
    });
  }
  const locations = Object.entries(COLUMNS).map(([id, c]) => ({
    id,
    columns: c.slots.length,
    protocols: c.protocols.filter((code) => shapes.has(code)),
  }));
  return {
    provider,
    nurse,
    zones,
    locations,
    protocols,
    shapes,
    types: { infusion, booster },
    rules: await rulesVersion(trx, now),
  };
}

/** Inserts rows a few hundred at a time (both engines cap a statement's parameters). */
async function insertAll<T extends keyof DB>(trx: Kysely<DB>, table: T, rows: readonly object[]) {
  for (let i = 0; i < rows.length; i += 300)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + 300) as never)
      .execute();
}

/** Runs `update` for the ids a few hundred at a time. */
async function forIds(ids: readonly string[], update: (chunk: string[]) => Promise<unknown>) {
  for (let i = 0; i < ids.length; i += 300) await update(ids.slice(i, i + 300));
}

async function write(trx: Kysely<DB>, c: Context, patients: PlannedPatient[], now: number) {
  const rows = {
    patients: [] as object[],
    screenings: [] as object[],
    plans: [] as object[],
    weights: [] as object[],
    diagnoses: [] as object[],
    labs: [] as object[],
    appointments: [] as object[],
    planSessions: [] as object[],
    orders: [] as object[],
    checks: [] as object[],
    sessions: [] as object[],
    bags: [] as object[],
    events: [] as object[],
    waste: [] as object[],
    assessments: [] as object[],
    questionnaires: [] as object[],
    alerts: [] as object[],
    diary: [] as object[],
    sideEffects: [] as object[],
  };
  const given: string[] = [];
  const completedPlans: Array<{ id: string; at: number }> = [];
  const { provider, nurse } = c;
  for (const p of patients) {
    const zone = c.zones.get(p.locationId)!;
    const columns = COLUMNS[p.locationId]!;
    const protocol = c.protocols.get(p.protocol)!;
    const def = protocol.parsed;
    const at = (day: string, minute: number) => wallInstant(zone, day, minute);
    const firstDay = p.sessions[0]!.day;
    const patientId = timeOrderedId(at(p.screenedDay, 8 * 60) - 14 * DAY);
    const created = at(p.screenedDay, 9 * 60) - 14 * DAY;
    rows.patients.push({
      id: patientId,
      first_name: p.first,
      last_name: p.last,
      email: `${p.first.toLowerCase()}.${p.last.toLowerCase()}${OUTCOMES_EMAIL}`,
      phone: `+1${p.locationId === 'loc-denver' ? '720' : '312'}555${String(3000 + p.index)}`,
      contact_method: 'email',
      location_id: p.locationId,
      created_at: created,
      updated_at: created,
    });
    const screenedAt = at(p.screenedDay, 15 * 60);
    const screeningId = timeOrderedId(screenedAt);
    rows.screenings.push({
      id: screeningId,
      patient_id: patientId,
      location_id: p.locationId,
      intake_id: null,
      rules_definition_id: c.rules,
      outcome: 'eligible',
      status: 'signed',
      created_by: provider,
      created_at: screenedAt,
      updated_at: screenedAt,
      signed_by: provider,
      signed_at: screenedAt,
      expires_at: DateTime.fromMillis(screenedAt, { zone }).plus({ months: 12 }).toMillis(),
    });
    const plannedAt = screenedAt + DAY;
    const planId = timeOrderedId(plannedAt);
    rows.plans.push({
      id: planId,
      patient_id: patientId,
      location_id: p.locationId,
      protocol_id: protocol.id,
      screening_id: screeningId,
      definition: protocol.definition,
      status: 'active',
      status_reason: null,
      created_by: provider,
      created_at: plannedAt,
      updated_at: plannedAt,
      signed_by: provider,
      signed_at: plannedAt,
    });
    if (p.completedDay !== null && p.completedDay < today(now, zone))
      completedPlans.push({ id: planId, at: at(p.completedDay, 16 * 60) });
    rows.diagnoses.push({
      id: timeOrderedId(screenedAt),
      patient_id: patientId,
      code: p.diagnosis.code,
      label: p.diagnosis.label,
      recorded_by: provider,
      recorded_at: screenedAt - HOUR,
    });
    const weighedAt = at(addDays(firstDay, -3), 11 * 60);
    const weightId = timeOrderedId(weighedAt);
    rows.weights.push({
      id: weightId,
      patient_id: patientId,
      kg: p.kg,
      entered_value: p.kg,
      entered_unit: 'kg',
      measured_at: weighedAt,
      measured_by: nurse,
      created_at: weighedAt,
    });
    if (p.liverFlag) {
      // Drawn before the latest infusion: ALT above 3 × the upper limit (Noppers 2011), AST raised less.
      const taken = now - 9 * DAY;
      for (const [test, value, uln] of [
        ['alt', 162, 45],
        ['ast', 88, 40],
        ['alp', 131, 120],
      ] as const)
        rows.labs.push({
          id: timeOrderedId(taken),
          patient_id: patientId,
          test,
          value,
          unit: 'U/L',
          upper_limit: uln,
          finding: null,
          taken_at: taken,
          recorded_by: nurse,
          recorded_at: taken + 2 * DAY,
        });
    }

    const appointmentOf = new Map<string, { id: string; startsAt: number }>();
    for (const s of p.sessions) {
      const type = s.kind === 'induction' ? c.types.infusion : c.types.booster;
      const hours = s.kind === 'induction' ? def.induction.hoursPerSession : def.maintenance.hoursPerSession;
      // A booster visit lasts as long as the protocol's booster, whatever the type's default length.
      const minutes = Math.max(type.minutes, hours * 60);
      const startsAt = at(s.day, columns.start);
      const endsAt = startsAt + minutes * MINUTE;
      const slot = columns.slots[s.column]!;
      const bookedAt = s.kind === 'induction' ? plannedAt + HOUR : Math.min(startsAt - 14 * DAY, now - DAY);
      const appointmentId = timeOrderedId(bookedAt);
      const past = startsAt < now;
      appointmentOf.set(`${s.kind}:${s.number}`, { id: appointmentId, startsAt });
      rows.appointments.push({
        id: appointmentId,
        location_id: p.locationId,
        type_id: type.id,
        request_id: null,
        provider_id: null,
        nurse_id: slot.nurse,
        nurse_lane: slot.lane,
        room_id: slot.chair,
        supervisor_id: columns.supervisor,
        supervisor_lane: s.column + 1,
        starts_at: startsAt,
        ends_at: endsAt,
        busy_from: startsAt - type.before * MINUTE,
        busy_to: endsAt + type.after * MINUTE,
        status: 'booked',
        created_at: bookedAt,
        updated_at: past ? endsAt : bookedAt,
        patient_id: patientId,
        attendance: past ? 'arrived' : null,
      });
      rows.planSessions.push({ appointment_id: appointmentId, plan_id: planId, kind: s.kind, number: s.number });
      if (!past) continue;

      // Weighed again before each booster: an order holds only for a recent weight.
      let sessionWeight = { id: weightId, at: weighedAt };
      if (s.kind === 'booster') {
        sessionWeight = { id: timeOrderedId(startsAt - DAY - HOUR), at: startsAt - DAY - HOUR };
        rows.weights.push({
          id: sessionWeight.id,
          patient_id: patientId,
          kg: p.kg,
          entered_value: p.kg,
          entered_unit: 'kg',
          measured_at: sessionWeight.at,
          measured_by: nurse,
          created_at: sessionWeight.at,
        });
      }
      const weighed = { value: p.kg, unit: 'kg' as const, measuredAt: sessionWeight.at };
      const { sources: _sources, ...settings } = DEFAULT_DOSING_SETTINGS;
      const bag = { drugMg: def.bag.drugMg, volumeMl: def.bag.volumeMl };
      const worked = calculateDose({
        rule: def.dosing,
        settings,
        weight: weighed,
        bag,
        sessionHours: hours,
        mgPerKgPerHour: s.mgPerKgH,
        now: startsAt - DAY,
      });
      if (!worked.ok) throw new Error(`demo outcomes: the calculator refused ${p.kg} kg at ${s.mgPerKgH} mg/kg/h`);
      const dose = worked.dose;
      const orderedAt = startsAt - DAY;
      const orderId = timeOrderedId(orderedAt);
      rows.orders.push({
        id: orderId,
        plan_id: planId,
        plan_version: 1,
        appointment_id: appointmentId,
        patient_id: patientId,
        weight_id: sessionWeight.id,
        weight_kg: dose.weightKg,
        bag_mg: bag.drugMg,
        bag_ml: bag.volumeMl,
        session_hours: hours,
        mg_per_kg_h: dose.ordered.mgPerKgPerHour,
        bolus_mg_per_kg: 0,
        pump_rate_ml_h: dose.ordered.pumpRateMlPerHour,
        mg_per_hour: dose.ordered.mgPerHour,
        session_total_mg: dose.sessionTotalMg,
        calculation: JSON.stringify({ rule: def.dosing, weight: { value: p.kg, unit: 'kg' }, dose }),
        ordered_by: provider,
        ordered_at: orderedAt,
        status: 'ordered',
        verified_by: null,
        verified_at: null,
        voided_at: null,
        void_reason: null,
      });
      rows.checks.push({
        id: timeOrderedId(orderedAt + HOUR),
        order_id: orderId,
        ordered_by: provider,
        nurse_id: nurse,
        entered: JSON.stringify({ weightKg: p.kg, bagMg: bag.drugMg, bagMl: bag.volumeMl }),
        match: 1,
        checked_at: orderedAt + HOUR,
      });
      const sessionId = timeOrderedId(startsAt - 15 * MINUTE);
      given.push(sessionId);
      rows.sessions.push({
        id: sessionId,
        appointment_id: appointmentId,
        patient_id: patientId,
        location_id: p.locationId,
        state: 'checked_in',
        version: 1,
        dose_order_id: null,
        checked_in_at: startsAt - 15 * MINUTE,
        checked_in_by: nurse,
        started_at: null,
        stopped_at: null,
        stop_reason: null,
        discharged_at: null,
        discharged_by: null,
        not_given_reason: null,
        updated_at: startsAt - 15 * MINUTE,
        updated_by: nurse,
      });
      const startedAt = startsAt + 5 * MINUTE;
      const stoppedAt = startedAt + hours * HOUR;
      // As many bags as the session needs; what is left in the last one is wasted before a witness.
      const givenMg = dose.sessionTotalMg;
      const bags = Math.max(1, Math.ceil(givenMg / bag.drugMg - 1e-9));
      let lastBag = '';
      for (let b = 0; b < bags; b++) {
        lastBag = timeOrderedId(startedAt - 3 * MINUTE);
        rows.bags.push({
          id: lastBag,
          session_id: sessionId,
          location_id: p.locationId,
          drug: 'ketamine',
          lot: 'DEMO-KET-2606',
          expires_on: '2027-11-30',
          drug_mg: bag.drugMg,
          volume_ml: bag.volumeMl,
          drawn_by: nurse,
          witnessed_by: provider,
          drawn_at: startedAt - 3 * MINUTE + b * HOUR,
        });
      }
      const left = Math.round((bags * bag.drugMg - givenMg) * 100) / 100;
      if (left > 0)
        rows.waste.push({
          id: timeOrderedId(stoppedAt + 5 * MINUTE),
          session_id: sessionId,
          bag_id: lastBag,
          mg: left,
          wasted_by: nurse,
          witnessed_by: provider,
          at: stoppedAt + 5 * MINUTE,
        });
      rows.events.push(
        {
          id: timeOrderedId(startedAt),
          session_id: sessionId,
          kind: 'start',
          at: startedAt,
          mg_per_hour: dose.ordered.mgPerHour,
          ml_per_hour: dose.ordered.pumpRateMlPerHour,
          reason: null,
          recorded_by: nurse,
          recorded_at: startedAt,
        },
        {
          id: timeOrderedId(stoppedAt),
          session_id: sessionId,
          kind: 'stop',
          at: stoppedAt,
          mg_per_hour: null,
          ml_per_hour: null,
          reason: 'Infusion complete',
          recorded_by: nurse,
          recorded_at: stoppedAt,
        },
      );
      const effect = sideEffectOf(given.length);
      if (effect) {
        const effectAt = startedAt + 40 * MINUTE;
        rows.sideEffects.push({
          id: timeOrderedId(effectAt),
          session_id: sessionId,
          ...effect,
          at: effectAt,
          recorded_by: nurse,
          recorded_at: effectAt + 2 * MINUTE,
        });
      }
      const fitAt = stoppedAt + def.discharge.minObservationMinutes * MINUTE;
      rows.assessments.push({
        id: timeOrderedId(fitAt),
        session_id: sessionId,
        aldrete_items: JSON.stringify({
          activity: 2,
          respiration: 2,
          circulation: 2,
          consciousness: 2,
          oxygenSaturation: 2,
        }),
        aldrete_score: 10,
        aldrete_at_least: def.discharge.aldreteAtLeast,
        aldrete_version: ALDRETE_VERSION,
        escort_name: 'A family member',
        escort_confirmed: 1,
        passed: 1,
        missing: '[]',
        assessed_by: nurse,
        assessed_at: fitAt,
      });
    }

    for (const q of p.questionnaires) {
      const row = questionnaireRow(q, { patientId, planId, protocolId: protocol.id, p, zone, now, nurse });
      const appointment = q.session ? appointmentOf.get(`${q.session.kind}:${q.session.number}`) : undefined;
      rows.questionnaires.push({
        ...row,
        appointment_id: appointment?.id ?? null,
        schedule_key: appointment ? `appointment:${appointment.id}:${q.timepoint}` : `plan:${planId}:${q.timepoint}`,
      });
      const item9 = q.scores?.phq9?.[8] ?? 0;
      if (item9 >= 1)
        rows.alerts.push({
          id: timeOrderedId(row.completed_at!),
          patient_id: patientId,
          location_id: p.locationId,
          kind: 'phq9_item9',
          source: 'questionnaire',
          source_id: row.id,
          level: item9 >= 2 ? 'urgent' : 'alert',
          raised_at: row.completed_at!,
          resolved_by: null,
          resolved_at: null,
          assessment: null,
        });
    }
    for (const d of p.diary)
      rows.diary.push({
        id: timeOrderedId(at(d.day, 20 * 60)),
        patient_id: patientId,
        location_id: p.locationId,
        day: d.day,
        pain: d.pain,
        recorded_at: at(d.day, 20 * 60),
      });
  }

  await insertAll(trx, 'patients', rows.patients);
  await insertAll(trx, 'screenings', rows.screenings);
  await insertAll(trx, 'treatment_plans', rows.plans);
  await insertAll(trx, 'diagnoses', rows.diagnoses);
  await insertAll(trx, 'weights', rows.weights);
  await insertAll(trx, 'lab_results', rows.labs);
  await insertAll(trx, 'appointments', rows.appointments);
  await insertAll(trx, 'plan_sessions', rows.planSessions);
  await insertAll(trx, 'dose_orders', rows.orders);
  await insertAll(trx, 'dose_checks', rows.checks);
  await forIds(
    rows.orders.map((o) => (o as { id: string }).id),
    (ids) =>
      trx
        .updateTable('dose_orders')
        .set({ status: 'verified', verified_by: nurse, verified_at: sql<number>`ordered_at + ${HOUR}` })
        .where('id', 'in', ids)
        .execute(),
  );
  // Each session moves along the state machine's edges, one version at a time, as the day's commands move it.
  await insertAll(trx, 'infusion_sessions', rows.sessions);
  const move = (set: Record<string, unknown>) =>
    forIds(given, (ids) =>
      trx
        .updateTable('infusion_sessions')
        .set({ ...set, version: sql<number>`version + 1`, updated_by: nurse } as never)
        .where('id', 'in', ids)
        .execute(),
    );
  await move({ state: 'ready', updated_at: sql`checked_in_at + ${10 * MINUTE}` });
  await insertAll(trx, 'session_bags', rows.bags);
  await move({
    state: 'infusing',
    dose_order_id: sql`(select o.id from dose_orders o where o.appointment_id = infusion_sessions.appointment_id)`,
    started_at: sql`checked_in_at + ${20 * MINUTE}`,
    updated_at: sql`checked_in_at + ${20 * MINUTE}`,
  });
  await insertAll(trx, 'session_events', rows.events);
  await move({
    state: 'recovering',
    stopped_at: sql`(select e.at from session_events e where e.session_id = infusion_sessions.id and e.kind = 'stop')`,
    stop_reason: 'Infusion complete',
    updated_at: sql`(select e.at from session_events e where e.session_id = infusion_sessions.id and e.kind = 'stop')`,
  });
  await insertAll(trx, 'session_waste', rows.waste);
  await insertAll(trx, 'session_side_effects', rows.sideEffects);
  await insertAll(trx, 'session_assessments', rows.assessments);
  const assessed = sql`(select a.assessed_at from session_assessments a where a.session_id = infusion_sessions.id)`;
  await move({ state: 'ready_for_discharge', updated_at: assessed });
  await move({
    state: 'discharged',
    discharged_at: sql`${assessed} + ${10 * MINUTE}`,
    discharged_by: nurse,
    updated_at: sql`${assessed} + ${10 * MINUTE}`,
  });
  await insertAll(trx, 'questionnaires', rows.questionnaires);
  await insertAll(trx, 'clinical_alerts', rows.alerts);
  await insertAll(trx, 'pain_diary', rows.diary);
  // Plans that ended without a response worth boosters, after the 4-week follow-up (written after their visits:
  // the infusion gate books only for an active plan).
  for (const plan of completedPlans)
    await trx
      .updateTable('treatment_plans')
      .set({
        status: 'completed',
        status_reason: 'Series complete; no response worth boosters at 4 weeks',
        version: 2,
        updated_at: plan.at,
      })
      .where('id', '=', plan.id)
      .execute();
}

/**
 * The side effect the nurse recorded in the `n`th given session, if any: about one session in five has a mild one
 * (as the trials report dissociation and nausea), fewer a moderate one, and one in about sixty a pause, so the
 * clinic's adverse-event rates show something real on a fresh start.
 */
function sideEffectOf(n: number): { effect: string; grade: number; action: string } | undefined {
  if (n % 61 === 30)
    return {
      effect: 'anxiety_dissociation',
      grade: 3,
      action: 'Infusion paused for 15 minutes; lights dimmed, reassured; resumed at a lower rate.',
    };
  if (n % 29 === 8)
    return { effect: 'hypertension', grade: 2, action: 'Rate lowered one step; blood pressure settled in 20 minutes.' };
  if (n % 23 === 5)
    return { effect: 'nausea_vomiting', grade: 2, action: 'Rate lowered one step; settled within 30 minutes.' };
  if (n % 5 === 2) return { effect: 'anxiety_dissociation', grade: 1, action: 'Reassured; no change to the rate.' };
  if (n % 7 === 3) return { effect: 'dizziness', grade: 1, action: 'Observed; settled without treatment.' };
  return undefined;
}

/** A questionnaire as the schedule, the patient (or a nurse at check-in) and the missed-run left it. */
function questionnaireRow(
  q: PlannedQuestionnaire,
  c: {
    patientId: string;
    planId: string;
    protocolId: string;
    p: PlannedPatient;
    zone: string;
    now: number;
    nurse: string;
  },
) {
  const start = COLUMNS[c.p.locationId]!.start;
  const before = q.timepoint === 'pre_session' || q.timepoint === 'pre_booster';
  const openDays = FOLLOW_UPS.find((f) => f.timepoint === q.timepoint)?.openDays ?? 0;
  const opensAt = before ? wallInstant(c.zone, addDays(q.day, -2), 9 * 60) : wallInstant(c.zone, q.day, 9 * 60);
  const closesAt = before ? wallInstant(c.zone, q.day, start) : wallInstant(c.zone, addDays(q.day, openDays), 9 * 60);
  const s = q.scores;
  // Answered before the session (at check-in when a nurse entered it), or a day or two into a follow-up's window.
  const completedAt = s
    ? before
      ? closesAt - (q.enteredByStaff ? 20 * MINUTE : 3 * HOUR)
      : opensAt + 30 * HOUR
    : null;
  const status: QuestionnaireStatus = s
    ? 'complete'
    : closesAt <= c.now
      ? 'missed'
      : opensAt <= c.now
        ? 'sent'
        : 'scheduled';
  const sentAt = opensAt <= c.now ? opensAt : null;
  // Scheduled with the plan, a week or more before it opens.
  const created = Math.min(opensAt - 7 * DAY, c.now);
  return {
    id: timeOrderedId(opensAt),
    patient_id: c.patientId,
    location_id: c.p.locationId,
    plan_id: c.planId,
    protocol_id: c.protocolId,
    timepoint: q.timepoint,
    instruments: JSON.stringify(q.timepoint === 'pre_session' ? PRE_SESSION : FOLLOW_UP),
    opens_at: opensAt,
    closes_at: closesAt,
    status,
    sent_at: sentAt,
    reminded_at:
      sentAt !== null && !before && (status === 'missed' || (completedAt ?? 0) > opensAt + 2 * DAY)
        ? opensAt + 2 * DAY
        : null,
    completed_at: completedAt,
    entered_by: s && q.enteredByStaff ? c.nurse : null,
    answers: s ? JSON.stringify(answersOf(s)) : '{}',
    pain_now: s?.painNow ?? null,
    pain_average: s?.painAverage ?? null,
    pain_worst: s?.painWorst ?? null,
    phq9_total: s?.phq9 ? sum(s.phq9) : null,
    phq9_item9: s?.phq9 ? s.phq9[8]! : null,
    gad7_total: s?.gad7 ? sum(s.gad7) : null,
    interference: s?.peg ? Math.round((sum(s.peg) / 3) * 100) / 100 : null,
    pgic: s?.pgic ?? null,
    pgic_label: s?.pgic ? (PGIC.options.find((o) => o.value === s.pgic)?.label ?? null) : null,
    created_at: created,
    updated_at: completedAt ?? (status === 'missed' ? closesAt : (sentAt ?? created)),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);
const keyed = (xs: readonly number[]) => Object.fromEntries(xs.map((v, i) => [`q${i + 1}`, v]));

/** The answers as typed, by instrument id and item key. */
function answersOf(s: Scores) {
  return {
    pain_nrs: { now: s.painNow, average: s.painAverage, ...(s.painWorst === null ? {} : { worst: s.painWorst }) },
    ...(s.peg ? { peg: Object.fromEntries(PEG.items.map((item, i) => [item.key, s.peg![i]!])) } : {}),
    ...(s.phq9 ? { phq9: keyed(s.phq9) } : {}),
    ...(s.gad7 ? { gad7: keyed(s.gad7) } : {}),
    ...(s.pgic ? { pgic: { [PGIC_KEY]: s.pgic } } : {}),
  };
}
