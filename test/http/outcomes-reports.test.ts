import { describe, expect, it } from 'vitest';
import { clinicalPatientFixture, userId } from '../helpers/clinical-orders.ts';
import { eventsAfter, lastSeq, MARKED } from '../helpers/audit.ts';
import { DAY, insertQuestionnaires, planAt, submittedIntake } from '../helpers/outcomes.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { infusingSession, orderedVisit } from '../helpers/sessions.ts';
import { signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** A Chicago patient with an intake baseline of 8 and four follow-ups: 40 %, 60 % relief, then back to 25 %. */
async function patientWithOutcomes() {
  const now = rt().clock.now();
  const providerId = await userId(rt(), PROVIDER);
  const patientId = await clinicalPatientFixture(rt(), { first_name: MARKED.first_name, last_name: MARKED.last_name });
  const { planId, protocolId } = await planAt(rt(), patientId, providerId);
  await submittedIntake(rt(), patientId, now - 60 * DAY, { painAverage: 8, phq9Item: 2, gad7Item: 2 });
  const base = { patientId, planId, protocolId };
  await insertQuestionnaires(rt(), [
    { ...base, timepoint: 'pre_session', opensAt: now - 50 * DAY, painNow: 7, painAverage: 7 },
    { ...base, timepoint: 'end_of_induction', opensAt: now - 40 * DAY, painNow: 5, painAverage: 5, phq9: 12, gad7: 9 },
    {
      ...base,
      timepoint: 'week_1',
      opensAt: now - 33 * DAY,
      painNow: 3,
      painAverage: 3,
      phq9: 8,
      gad7: 7,
      pgic: 2,
      pgicLabel: 'Much improved',
      interference: 3.7,
    },
    { ...base, timepoint: 'week_4', opensAt: now - 12 * DAY, painNow: 6, painAverage: 6, phq9: 9, gad7: 8 },
    { ...base, timepoint: 'week_12', opensAt: now - 2 * DAY, status: 'sent' },
  ]);
  return { patientId, planId, protocolId };
}

describe(`a patient's outcomes (${engine})`, () => {
  it('shows providers and nurses the response in words, the chart with the sessions marked, and the table; audited', async () => {
    const visit = await orderedVisit(rt(), 'Ines');
    await infusingSession(rt(), visit, rt().clock.now() - 45 * DAY);
    const now = rt().clock.now();
    await submittedIntake(rt(), visit.patientId, now - 60 * DAY, { painAverage: 8, phq9Item: 2, gad7Item: 2 });
    await insertQuestionnaires(rt(), [
      {
        patientId: visit.patientId,
        timepoint: 'end_of_induction',
        opensAt: now - 40 * DAY,
        painNow: 5,
        painAverage: 4,
        phq9: 12,
        gad7: 9,
      },
      {
        patientId: visit.patientId,
        timepoint: 'week_4',
        opensAt: now - 12 * DAY,
        painNow: 6,
        painAverage: 6,
        phq9: 4,
        gad7: 8,
        pgic: 3,
        pgicLabel: 'Minimally improved',
      },
    ]);
    for (const email of [PROVIDER, NURSE]) {
      const seq = await lastSeq(rt());
      const page = await (await signIn(rt(), email)).get(`/staff/patients/${visit.patientId}/outcomes`);
      expect(page.statusCode, email).toBe(200);
      const words = text(page.body);
      expect(words).toContain('Baseline pain (average, 0–10) 8, at intake');
      // 4 is 50 % relief (substantial) and starts the response; 6 is 25 %: the response ended after 28 days.
      expect(words).toContain('6 (Week 4');
      expect(words).toContain('2 lower than baseline, 25 %. Minimal.');
      expect(words).toContain('until');
      expect(words).toContain('28 days');
      expect(words).toContain('18 (moderately severe) → 4 (minimal): 3 bands milder.');
      expect(words).toContain('3 of 7: Minimally improved');
      expect(words).toContain('UNVERIFIED defaults');
      expect(page.body).toContain('<svg');
      expect(page.body).toContain('class="chart-session"');
      expect(page.body.match(/<line [^>]*class="chart-session"/g)).toHaveLength(2); // the legend's and the session's
      expect(words).toContain('50 % · substantial');
      expect(page.body).toContain('aria-current="page">Outcomes</a>');
      const events = await eventsAfter(rt(), seq);
      expect(events.filter((e) => e.action === 'outcomes.patient.view')).toEqual([
        expect.objectContaining({
          outcome: 'success',
          patient_ref: visit.patientId,
          location_id: 'loc-chicago',
          detail: { questionnaires: 2 },
        }),
      ]);
    }
  });

  it('says so when there is nothing to chart yet, and a baseline of 0 has no percent change', async () => {
    const providerId = await userId(rt(), PROVIDER);
    const empty = await clinicalPatientFixture(rt());
    const provider = await signIn(rt(), PROVIDER);
    expect(text((await provider.get(`/staff/patients/${empty}/outcomes`)).body)).toContain(
      'No questionnaires have been completed yet',
    );
    const zero = await clinicalPatientFixture(rt());
    await planAt(rt(), zero, providerId);
    await submittedIntake(rt(), zero, rt().clock.now() - 20 * DAY, { painAverage: 0 });
    await insertQuestionnaires(rt(), [
      { patientId: zero, timepoint: 'week_1', opensAt: rt().clock.now() - 5 * DAY, painAverage: 2 },
    ]);
    const words = text((await provider.get(`/staff/patients/${zero}/outcomes`)).body);
    expect(words).toContain('2 higher than baseline, not applicable. Not applicable (baseline 0).');
    expect(words).toContain('Not applicable: the baseline pain is 0.');
    expect(words).not.toContain('NaN');
  });

  it('is not for the front desk or administrators, nor for a patient of another location (denied, audited)', async () => {
    const { patientId } = await patientWithOutcomes();
    for (const email of [DESK, ADMIN]) {
      const res = await (await signIn(rt(), email)).get(`/staff/patients/${patientId}/outcomes`);
      expect(res.statusCode, email).toBe(403);
      expect(res.body).not.toContain(MARKED.last_name);
    }
    const denver = await clinicalPatientFixture(rt(), { location_id: 'loc-denver' });
    const seq = await lastSeq(rt());
    const res = await (await signIn(rt(), NURSE)).get(`/staff/patients/${denver}/outcomes`);
    expect(res.statusCode).toBe(404);
    expect((await eventsAfter(rt(), seq)).map((e) => `${e.action}:${e.outcome}`)).toContain(
      'outcomes.patient.view:denied',
    );
    expect((await (await signIn(rt(), PROVIDER)).get('/staff/patients/not-a-patient/outcomes')).statusCode).toBe(404);
  });
});
