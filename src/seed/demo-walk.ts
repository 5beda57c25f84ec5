import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { addDays, today, wallInstant } from '../kernel/time/wall-clock.ts';
import { loadAvailability, typeOfKind } from '../scheduling/availability.ts';
import { insertAppointment, parseLane } from '../scheduling/repository.ts';
import { withBuffers } from '../scheduling/slots.ts';
import { CATEGORIES } from '../clinical/eligibility/budapest.ts';
import { EDITABLE_FACTS, blankInput, evaluateScreening } from '../clinical/eligibility/screening.ts';
import { recordSummary } from '../clinical/eligibility/gather.ts';
import { insertScreening } from '../clinical/eligibility/screening-repository.ts';
import { CONTRAINDICATION_RULES, SCREENING_VALIDITY } from '../clinical/eligibility/screening-kinds.ts';
import { currentDefinition } from '../clinical/definitions/store.ts';
import { CURRENT_VERSIONS, INTAKE_FACTS, intakeAnswersSchema } from '../clinical/intake/answers.ts';
import { INTAKE_FORM_VERSION } from '../clinical/intake/sections.ts';
import { currentDocuments, ensureConsentDefaults, insertSignature } from '../clinical/intake/repository.ts';
import {
  insertAllergy,
  insertDiagnosis,
  insertMedication,
  insertPdmpCheck,
  insertResult,
  insertWeight,
  writeProfile,
} from '../clinical/record/repository.ts';
import { rulesVersion } from './demo-clinical.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The demo patient a newcomer walks from screening to a verified first dose (README, "Walk the clinical core"). */
export const WALK_PATIENT = {
  first_name: 'Clara',
  last_name: 'Whitfield',
  email: 'clara.whitfield@example.com',
  phone: '+13125552950',
  location: 'loc-chicago',
} as const;

/**
 * One Chicago patient part-way through the clinical core: a consultation already held (the latest one the slot
 * engine finds free in the past week), a submitted intake with the consent documents signed at their current
 * versions, a clinical record (a weight measured today by the demo nurse, no ketamine allergy, two medications, a CRPS
 * diagnosis, liver tests, an ECG and a PDMP check) and a screening the demo provider signed eligible at the end of
 * the consultation, evaluated by the rules in force as the screening page would. No plan: that is the newcomer's.
 * Written with the clinical repositories, in one transaction, and only once (the patient's email is the key).
 * Returns false, writing nothing, without a demo provider and nurse or a free consultation time.
 */
export async function seedWalkPatient(database: Database, now: number): Promise<boolean> {
  const db = database.db;
  if (await db.selectFrom('patients').select('id').where('email', '=', WALK_PATIENT.email).executeTakeFirst())
    return false;
  const staff = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', 'in', ['provider@relief.example', 'nurse@relief.example'])
    .execute();
  const provider = staff.find((s) => s.email === 'provider@relief.example')?.id;
  const nurse = staff.find((s) => s.email === 'nurse@relief.example')?.id;
  if (!provider || !nurse) return false;
  const visit = await pastConsultation(database, now);
  if (!visit) return false;

  return database.transact(async (trx) => {
    const patientId = timeOrderedId(visit.start - 3 * DAY);
    await trx
      .insertInto('patients')
      .values({
        id: patientId,
        first_name: WALK_PATIENT.first_name,
        last_name: WALK_PATIENT.last_name,
        email: WALK_PATIENT.email,
        phone: WALK_PATIENT.phone,
        contact_method: 'email',
        location_id: WALK_PATIENT.location,
        created_at: visit.start - 3 * DAY,
        updated_at: visit.start - 3 * DAY,
      })
      .execute();
    const appointmentId = timeOrderedId(visit.start - 3 * DAY);
    await insertAppointment(trx, {
      ...visit.row,
      id: appointmentId,
      patient_id: patientId,
      ...{ attendance: 'arrived' as const },
    });

    const intakeId = await submittedIntake(trx, patientId, appointmentId, visit.start - 2 * DAY);
    await record(trx, patientId, { provider, nurse, visitStart: visit.start, now });

    const zone = visit.zone;
    const rules = await currentDefinition(trx, CONTRAINDICATION_RULES);
    const validity = await currentDefinition(trx, SCREENING_VALIDITY);
    const summary = await recordSummary(trx, patientId, visit.end, zone);
    const intake = await trx
      .selectFrom('intakes')
      .select('answers')
      .where('id', '=', intakeId)
      .executeTakeFirstOrThrow();
    const input = examined(blankInput(intakeAnswersSchema.parse(JSON.parse(intake.answers)), summary));
    const evaluation = evaluateScreening(rules.body, input);
    // The walk needs an eligible patient: rules edited so that these answers no longer pass are a fault to see.
    if (evaluation.outcome !== 'eligible')
      throw new Error(
        `demo walk patient: screening ${evaluation.outcome} (${evaluation.reasons.map((r) => r.code).join(', ')})`,
      );
    const signedAt = visit.end;
    await insertScreening(trx, {
      id: timeOrderedId(signedAt),
      patient_id: patientId,
      location_id: WALK_PATIENT.location,
      intake_id: intakeId,
      facts: JSON.stringify(input.facts),
      fact_sources: JSON.stringify(input.sources),
      budapest: JSON.stringify({ findings: input.budapest, evaluation: evaluation.budapest }),
      css: JSON.stringify({ version: input.css.version, findings: input.css.findings, score: evaluation.css.total }),
      vitals: JSON.stringify(input.vitals),
      overrides: '[]',
      outcome: evaluation.outcome,
      reasons: JSON.stringify(evaluation.reasons),
      created_by: provider,
      now: visit.start + 20 * MINUTE,
      signature: {
        rules_definition_id: rules.id ?? (await rulesVersion(trx, signedAt)),
        signed_by: provider,
        signed_at: signedAt,
        expires_at: DateTime.fromMillis(signedAt, { zone }).plus({ months: validity.body.months }).toMillis(),
      },
    });
    return true;
  });
}

interface PastVisit {
  start: number;
  end: number;
  zone: string;
  row: Omit<Parameters<typeof insertAppointment>[1], 'id' | 'patient_id'>;
}

/** The latest consultation time, over before `now`, that the slot engine finds free at Chicago in the past week. */
async function pastConsultation(database: Database, now: number): Promise<PastVisit | undefined> {
  const db = database.db;
  const type = await typeOfKind(db, 'consultation');
  const location = await db
    .selectFrom('locations')
    .select('time_zone')
    .where('id', '=', WALK_PATIENT.location)
    .executeTakeFirst();
  if (!type || !location) return undefined;
  const zone = location.time_zone;
  for (let back = 0; back <= 7; back++) {
    const date = addDays(today(now, zone), -back);
    const from = wallInstant(zone, date, 0);
    const slots = await loadAvailability(db, {
      locationId: WALK_PATIENT.location,
      zone,
      type: { ...type, min_notice_min: 0 },
      from,
      to: wallInstant(zone, addDays(date, 1), 0),
      // The engine offers nothing in the past: ask it as if it were that morning.
      now: from - MINUTE,
    });
    const end = (start: number) => start + type.duration_min * MINUTE;
    const slot = slots.filter((s) => end(s.start) <= now - HOUR && s.options.length > 0).at(-1);
    if (!slot) continue;
    const option = slot.options[0]!;
    const busy = withBuffers(
      { start: slot.start, end: end(slot.start) },
      type.buffer_before_min,
      type.buffer_after_min,
    );
    const lane = option.nurseId === null ? null : parseLane(option.nurseId);
    return {
      start: slot.start,
      end: end(slot.start),
      zone,
      row: {
        location_id: WALK_PATIENT.location,
        type_id: type.id,
        request_id: null,
        provider_id: option.providerId,
        nurse_id: lane?.nurseId ?? null,
        nurse_lane: lane?.number ?? null,
        room_id: option.roomId,
        starts_at: slot.start,
        ends_at: end(slot.start),
        busy_from: busy.start,
        busy_to: busy.end,
        status: 'booked',
        created_at: slot.start - 3 * DAY,
        updated_at: slot.start,
      },
    };
  }
  return undefined;
}

/** Every intake question answered as the form would save it, PHQ-9 item 9 "not at all", then submitted and signed. */
async function submittedIntake(trx: Kysely<DB>, patientId: string, appointmentId: string, at: number) {
  const zeros = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`q${i + 1}`, 0]));
  const answers = intakeAnswersSchema.parse({
    facts: Object.fromEntries(INTAKE_FACTS.filter((f) => f.type === 'boolean').map((f) => [f.key, false])),
    medications: 'Gabapentin 300 mg three times a day; naproxen 500 mg twice a day',
    allergies: 'Penicillin (rash)',
    symptoms: Object.fromEntries(CATEGORIES.map((c) => [c, true])),
    pain: { now: 7, average: 6, worst: 9 },
    phq9: { ...zeros(9), q1: 1, q3: 2, q4: 1 },
    gad7: { ...zeros(7), q1: 1, q2: 1 },
    versions: CURRENT_VERSIONS,
  });
  const id = timeOrderedId(at);
  await trx
    .insertInto('intakes')
    .values({
      id,
      patient_id: patientId,
      appointment_id: appointmentId,
      questionnaire_version: INTAKE_FORM_VERSION,
      answers: JSON.stringify(answers),
      status: 'submitted',
      version: 6,
      started_at: at - HOUR,
      updated_at: at,
      submitted_at: at,
    })
    .execute();
  await ensureConsentDefaults(trx, at);
  const typedName = `${WALK_PATIENT.first_name} ${WALK_PATIENT.last_name}`;
  for (const document of await currentDocuments(trx))
    await insertSignature(trx, { patientId, document, typedName, ip: '127.0.0.1', now: at });
  return id;
}

/** The record as the nurse and provider left it at the consultation; the weight is today's. */
async function record(
  trx: Kysely<DB>,
  patientId: string,
  by: { provider: string; nurse: string; visitStart: number; now: number },
) {
  const at = by.visitStart + 10 * MINUTE;
  await writeProfile(
    trx,
    patientId,
    0,
    { date_of_birth: '1984-03-12', sex: 'female', pregnancy_possible: 0, height_cm: 168 },
    by.provider,
    at,
  );
  await insertWeight(trx, {
    id: timeOrderedId(by.now),
    patient_id: patientId,
    kg: 68.4,
    entered_value: 68.4,
    entered_unit: 'kg',
    measured_at: by.now - 10 * MINUTE,
    measured_by: by.nurse,
    created_at: by.now - 10 * MINUTE,
  });
  await insertAllergy(trx, {
    id: timeOrderedId(at),
    patient_id: patientId,
    substance: 'Penicillin',
    ketamine: 0,
    reaction: 'Rash',
    recorded_by: by.nurse,
    recorded_at: at,
  });
  for (const [name, dose] of [
    ['Gabapentin', '300 mg three times a day'],
    ['Naproxen', '500 mg twice a day'],
  ] as const)
    await insertMedication(trx, {
      id: timeOrderedId(at),
      patient_id: patientId,
      name,
      dose,
      classes: [],
      recorded_by: by.nurse,
      recorded_at: at,
    });
  await insertDiagnosis(trx, {
    id: timeOrderedId(at),
    patient_id: patientId,
    code: 'G90.512',
    label: 'Complex regional pain syndrome I of left upper limb',
    recorded_by: by.provider,
    recorded_at: at,
  });
  const taken = by.visitStart - 5 * DAY;
  for (const [test, value, uln] of [
    ['alt', 22, 45],
    ['ast', 25, 40],
    ['alp', 80, 120],
  ] as const)
    await insertResult(trx, {
      id: timeOrderedId(at),
      patient_id: patientId,
      test,
      value,
      unit: 'U/L',
      upper_limit: uln,
      finding: null,
      taken_at: taken,
      recorded_by: by.nurse,
      recorded_at: at,
    });
  await insertResult(trx, {
    id: timeOrderedId(at),
    patient_id: patientId,
    test: 'ecg',
    value: null,
    unit: null,
    upper_limit: null,
    finding: 'No significant findings',
    taken_at: taken,
    recorded_by: by.nurse,
    recorded_at: at,
  });
  await insertPdmpCheck(trx, {
    id: timeOrderedId(at),
    patient_id: patientId,
    checked_at: at,
    checked_by: by.provider,
    result: 'no_concerns',
    note: null,
  });
}

/** What the provider found at the examination: the Budapest signs in every category, no stop, normal vitals. */
function examined(input: ReturnType<typeof blankInput>): ReturnType<typeof blankInput> {
  const facts: Record<string, unknown> = { ...input.facts };
  const sources = { ...input.sources };
  for (const f of EDITABLE_FACTS) {
    if (facts[f.key] !== undefined && facts[f.key] !== null) continue;
    if (f.type === 'boolean') facts[f.key] = false;
    else if (f.type === 'choice') facts[f.key] = 'none';
    else continue;
    sources[f.key as keyof typeof sources] = 'provider';
  }
  Object.assign(facts, { systolic_bp: 122, diastolic_bp: 76 });
  Object.assign(sources, { systolic_bp: 'provider', diastolic_bp: 'provider' });
  return {
    ...input,
    facts,
    sources,
    budapest: {
      disproportionatePain: true,
      symptoms: input.budapest.symptoms,
      signs: Object.fromEntries(CATEGORIES.map((c) => [c, true])) as typeof input.budapest.signs,
      betterExplanation: false,
    },
    vitals: { heartRate: 74, spo2: 98 },
  };
}
