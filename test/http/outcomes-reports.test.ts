import { describe, expect, it } from 'vitest';
import { clinicalPatientFixture, userId } from '../helpers/clinical-orders.ts';
import { eventsAfter, lastSeq, MARKED } from '../helpers/audit.ts';
import { DAY, insertQuestionnaires, planAt, submittedIntake, treatedPatient } from '../helpers/outcomes.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { infusingSession, orderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

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

  it('lists every response episode with its length and the infusion before it; a PHQ-9 first given after treatment is no baseline', async () => {
    const now = rt().clock.now();
    const ago = (days: number) => now - days * DAY;
    const p = await treatedPatient(rt(), 'Nell', ago(60));
    await submittedIntake(rt(), p.id, ago(70), { painAverage: 10 });
    const base = { patientId: p.id, planId: p.planId, protocolId: p.protocolId };
    await insertQuestionnaires(rt(), [
      { ...base, timepoint: 'end_of_induction', opensAt: ago(50), painAverage: 5, phq9: 15 }, // 50 %: starts
      { ...base, timepoint: 'week_1', opensAt: ago(43), painAverage: 8, phq9: 12 }, // 20 %: ends, 7 days
      { ...base, timepoint: 'week_4', opensAt: ago(22), painAverage: 7 }, // exactly 30 %: a second episode
      { ...base, timepoint: 'week_12', opensAt: ago(8), painAverage: 6 }, // still open: at least 14 days
    ]);
    const page = await (await signIn(rt(), PROVIDER)).get(`/staff/patients/${p.id}/outcomes`);
    expect(page.statusCode).toBe(200);
    const words = text(page.body);
    const episodes = [...page.body.matchAll(/<li>(.*?)<\/li>/g)]
      .map((m) => text(m[1]!).trim())
      .filter((l) => l.startsWith('From '));
    expect(episodes).toHaveLength(2);
    expect(episodes[0]).toMatch(/^From .+ until .+, when relief fell under 30 %: 7 days\. After session 1 on .+\.$/);
    expect(episodes[1]).toMatch(
      /^From .+, still responding at the last questionnaire \(.+\): at least 14 days\. After session 1 on .+\.$/,
    );
    expect(words).toContain('each ends at the first later questionnaire under 30 %');
    expect(words).toContain(
      "No baseline: not scored at intake nor before the first infusion, so no change is measured (missing from the clinic's improvement share). Latest 12 (moderate)",
    );
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

/**
 * Chicago, CRPS 10-day, each of A–D with an infusion started 69 days ago: A (intake 8) 50 % at week 1, 25 % at week
 * 4; B (intake 10, no PHQ-9 before treatment) 30 % at week 1, week 4 missed; C (intake 0) not applicable; D (no
 * intake: the before-session 6 completed before the infusion is the baseline) 17 % at week 1, week 4 still open (not
 * owed yet). G (intake 8) had only a booster in the period, and 37.5 % before it. Denver has E, another location; F
 * answered two years ago, outside the default period.
 */
async function clinicReport() {
  const now = rt().clock.now();
  const providerId = await userId(rt(), PROVIDER);
  const ago = (days: number) => now - days * DAY;
  const patient = async (name: string, location = 'loc-chicago') => {
    const id = await clinicalPatientFixture(rt(), {
      first_name: MARKED.first_name,
      last_name: `${name}-${MARKED.last_name}`,
      location_id: location,
    });
    return { id, ...(await planAt(rt(), id, providerId, location)) };
  };
  const treated = () => treatedPatient(rt(), MARKED.first_name, ago(69));
  const [a, b, c, d, e, f, g] = [
    await treated(),
    await treated(),
    await treated(),
    await treated(),
    await patient('E', 'loc-denver'),
    await patient('F'),
    await treatedPatient(rt(), MARKED.first_name, ago(30), 'booster'),
  ];
  await submittedIntake(rt(), a.id, ago(90), { painAverage: 8, phq9Item: 2 });
  await submittedIntake(rt(), b.id, ago(90), { painAverage: 10 });
  await submittedIntake(rt(), c.id, ago(90), { painAverage: 0 });
  await submittedIntake(rt(), g.id, ago(400), { painAverage: 8 });
  const q = (p: typeof a, timepoint: string, opensDaysAgo: number, over: Record<string, unknown> = {}) => ({
    patientId: p.id,
    planId: p.planId,
    protocolId: p.protocolId,
    locationId: p.id === e.id ? 'loc-denver' : 'loc-chicago',
    timepoint,
    opensAt: ago(opensDaysAgo),
    ...over,
  });
  await insertQuestionnaires(rt(), [
    q(a, 'pre_session', 70, { painAverage: 8 }),
    q(b, 'pre_session', 70, { painAverage: 9 }),
    q(c, 'pre_session', 70, { painAverage: 1 }),
    q(d, 'pre_session', 70, { painAverage: 6 }),
    q(a, 'week_1', 40, { painAverage: 4, phq9: 10 }),
    q(b, 'week_1', 40, { painAverage: 7, phq9: 12, pgic: 3, pgicLabel: 'Minimally improved' }),
    q(c, 'week_1', 40, { painAverage: 2 }),
    q(d, 'week_1', 40, { painAverage: 5 }),
    q(a, 'week_4', 20, { painAverage: 6 }),
    q(b, 'week_4', 20, { status: 'missed' }),
    q(d, 'week_4', 1, { status: 'sent' }),
    q(e, 'week_1', 40, { painAverage: 1 }),
    q(f, 'week_1', 800, { painAverage: 1 }),
    q(a, 'visit', 10, { painAverage: 0 }),
    q(g, 'pre_booster', 31, { painAverage: 5 }),
  ] as Parameters<typeof insertQuestionnaires>[1]);
  return { a, b, c, d, e, f, g };
}

/** RFC 4180 lines to cells (quoted cells may hold commas; this export has no line breaks inside cells). */
const csvRows = (body: string) =>
  body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .map((l) =>
      [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
        .slice(0, -1)
        .map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')),
    );

/** The export button as a browser uses it: a POST of the filters, then the redirect it answers (a small export's file). */
async function exportAs(b: Browser, query = '') {
  const page = await b.get('/staff/patients');
  const fields = Object.fromEntries(new URLSearchParams(query));
  const started = await b.post('/staff/outcomes/exports', { _csrf: csrfFrom(page.body), ...fields });
  if (started.statusCode !== 303) return started;
  return b.get(String(started.headers.location));
}

const rowOf = (html: string, label: string) => {
  const m = new RegExp(`<tr><th scope="row">${label}</th>(.*?)</tr>`).exec(html);
  return m ? text(m[1]!).trim() : null;
};

describe(`the outcomes report (${engine})`, () => {
  it('shows providers each time point: owed, answered, missing, responder shares with Wilson intervals, median pain, PHQ-9; audited with counts', async () => {
    await clinicReport();
    const provider = await signIn(rt(), PROVIDER);
    const seq = await lastSeq(rt());
    const page = await provider.get('/staff/outcomes');
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(text(body)).toContain('CRPS outpatient series, 4 h × 10 days (Schwartzman) · Chicago');
    expect(text(body)).not.toContain('Denver');
    // A–D had an induction infusion in the period, G only a booster: five treated.
    expect(text(body)).toContain('5 patients treated in the period (an infusion started here, induction or booster).');
    // Week 1: 4 owed and answered; ≥30 %: A and B of A, B, D (C's baseline is 0) = 2 of 3, Wilson 21–94 %. PHQ-9: A
    // improved (18 → 10); B's first PHQ-9 came after treatment began: no baseline, missing from the share.
    expect(rowOf(body, 'Week 1')).toBe(
      '4 4 0 (0 %) 2 of 3 · 67 % (21–94 %) 1 of 3 · 33 % (6–79 %) 1 4.5 1 of 1 · 100 % (21–100 %) · 1 without a baseline (missing)',
    );
    // Week 4: A answered, B missed; D's window is still open, so not owed.
    expect(rowOf(body, 'Week 4')).toBe('2 1 1 (50 %) 0 of 1 · 0 % (0–79 %) 0 of 1 · 0 % (0–79 %) 0 6 —');
    // Before the session: D's answer is D's baseline, not a 0 % non-responder: 0 of A, B; C (baseline 0) and D not
    // applicable, D's as the baseline itself.
    expect(rowOf(body, 'Before session')).toBe(
      '4 4 0 (0 %) 0 of 2 · 0 % (0–66 %) 0 of 2 · 0 % (0–66 %) 2 (1 baseline) 7 —',
    );
    expect(rowOf(body, 'Before booster')).toBe('1 1 0 (0 %) 1 of 1 · 100 % (21–100 %) 0 of 1 · 0 % (0–79 %) 0 5 —');
    // First episodes: A 20 days (week 1 to week 4), B and G open at their only answer (0 days so far); D never.
    expect(text(body)).toContain(
      'First response (30 % relief or more): 3 of 4 patients followed up; median duration 0 days (2 still responding at their last questionnaire, counted at their length so far: a lower bound).',
    );
    expect(body).not.toContain('At a visit');
    expect(text(body)).toContain('Missing answers are never filled in');
    expect(body).toContain('<svg');
    expect(body).toContain('Responder shares over time: CRPS outpatient series');
    expect(body).toContain('href="/staff/outcomes" aria-current="page"');
    const events = await eventsAfter(rt(), seq);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'outcomes.report.view',
        outcome: 'success',
        patient_ref: null,
        location_id: null,
        detail: { protocol: 'all', location: 'all', from: '2025-03-02', to: '2026-03-02', groups: 1, patients: 5 },
      }),
    ]);
  });

  it('filters by protocol, location and period', async () => {
    await clinicReport();
    const provider = await signIn(rt(), PROVIDER);
    const other = await provider.get('/staff/outcomes?protocol=short-series');
    expect(other.statusCode).toBe(200);
    expect(text(other.body)).toContain('No questionnaires were scheduled and no infusions started in this period');
    const chicago = await provider.get(
      '/staff/outcomes?protocol=crps-10-day&location=loc-chicago&from=2026-01-01&to=2026-03-02',
    );
    expect(rowOf(chicago.body, 'Week 1')).toMatch(/^4 4 0/);
    expect(rowOf(chicago.body, 'Before session')).toBeNull(); // opened 70 days ago: before January 1st
    expect(chicago.body).toContain('<option value="loc-chicago" selected');
    const older = await provider.get('/staff/outcomes?from=2023-06-01&to=2026-03-02');
    expect(rowOf(older.body, 'Week 1')).toMatch(/^5 5 0/); // F's, two years ago, too
  });

  it('refuses a period ending before it starts, longer than 5 years, or not a date, and a location elsewhere, naming the field (400)', async () => {
    const provider = await signIn(rt(), PROVIDER);
    const cases: Array<[string, string, string]> = [
      ['from=2026-02-01&to=2026-01-01', 'to', 'The end is before the start'],
      ['from=2020-01-01&to=2025-01-02', 'to', 'longer than 5 years'],
      ['from=2026-02-30', 'from', 'Give the start as a date'],
      ['to=soon', 'to', 'Give the end as a date'],
      ['protocol=nope', 'protocol', 'Choose a protocol'],
    ];
    for (const [query, field, message] of cases) {
      const res = await provider.get(`/staff/outcomes?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.body, query).toContain(`id="${field}-error"`);
      expect(text(res.body), query).toContain(message);
      expect(res.body).not.toContain('<svg');
      const exported = await exportAs(provider, query);
      expect(exported.statusCode, query).toBe(400);
      expect(exported.body, query).toContain(`id="${field}-error"`);
    }
    expect((await provider.get('/staff/outcomes?from=2021-03-02&to=2026-03-02')).statusCode).toBe(200);
    const seq = await lastSeq(rt());
    const denver = await provider.get('/staff/outcomes?location=loc-denver');
    expect(denver.statusCode).toBe(400);
    expect(text(denver.body)).toContain('Choose one of your locations');
    expect((await eventsAfter(rt(), seq)).map((e) => `${e.action}:${e.outcome}:${e.location_id}`)).toEqual([
      'outcomes.report.view:denied:loc-denver',
    ]);
  });

  it('is for providers only: nurses, the front desk and administrators get 403 and no link', async () => {
    for (const email of [NURSE, DESK, ADMIN]) {
      const b = await signIn(rt(), email);
      expect((await b.get('/staff/outcomes')).statusCode, email).toBe(403);
      expect((await exportAs(b)).statusCode, email).toBe(403);
      expect((await b.get('/staff/patients')).body, email).not.toContain('href="/staff/outcomes"');
    }
    expect((await (await signIn(rt(), PROVIDER)).get('/staff/patients')).body).toContain('href="/staff/outcomes"');
  });

  it('exports the owed questionnaires de-identified: a per-export key, no names, ids or dates; audited', async () => {
    const { a, b } = await clinicReport();
    const provider = await signIn(rt(), PROVIDER);
    const seq = await lastSeq(rt());
    const res = await exportAs(provider);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="relief-outcomes-2026-03-02\.csv"$/);
    const lines = csvRows(res.body);
    expect(lines[0]!.join(',')).toBe(
      'patient_key,protocol,location,timepoint,session_number,day_since_first_session,status,pain_now,pain_average,pain_worst,baseline_pain,relief_pct,immpact_class,phq9,baseline_phq9,gad7,peg,pgic,pgic_label,staff_entered',
    );
    // 4 before-session + 4 week-1 + A's week 4 + B's missed week 4 + G's before-booster (D's open one is not owed; E
    // elsewhere; F too old).
    expect(lines).toHaveLength(12);
    for (const secret of [a.id, b.id, a.planId, MARKED.first_name, MARKED.last_name, 'example.com', '2026', '2025'])
      expect(res.body).not.toContain(secret);
    const rows = lines.slice(1);
    const keys = new Set(rows.map((r) => r[0]));
    expect(keys.size).toBe(5);
    expect([...keys].every((k) => /^P[0-9a-f]{12}$/.test(k!))).toBe(true);
    expect(rows.filter((r) => r[6] === 'missing')).toHaveLength(1);
    expect(rows).toContainEqual(
      expect.arrayContaining(['week_1', 'complete', '4', '8', '50', 'substantial', '10', '18']),
    );
    // D's before-session answer is D's baseline: no relief of its own, classed "baseline" (not a 0 % "none").
    expect(rows.filter((r) => r[3] === 'pre_session' && r[8] === '6').map((r) => [r[10], r[11], r[12]])).toEqual([
      ['6', '', 'baseline'],
    ]);
    const again = await exportAs(provider);
    const keysAgain = new Set(
      csvRows(again.body)
        .slice(1)
        .map((r) => r[0]),
    );
    expect([...keysAgain].some((k) => keys.has(k))).toBe(false);
    const events = (await eventsAfter(rt(), seq)).filter((e) => e.action.startsWith('outcomes.export'));
    expect(events[0]).toMatchObject({
      action: 'outcomes.export',
      outcome: 'success',
      patient_ref: null,
      detail: { protocol: 'all', location: 'all', rows: 11, patients: 5 },
    });
    expect(events[1]).toMatchObject({
      action: 'outcomes.export.download',
      outcome: 'success',
      patient_ref: null,
      detail: { export: events[0]!.detail.export, rows: 11, patients: 5 },
    });
  });

  it('counts days from the plan’s first booked session, in the location’s days', async () => {
    const { activePlanFixture } = await import('../helpers/clinical-orders.ts');
    const providerId = await userId(rt(), PROVIDER);
    const patientId = await clinicalPatientFixture(rt());
    const { plan, appointments, protocolId } = await activePlanFixture(rt(), patientId, providerId, 'crps-10-day', 2);
    const first = await rt()
      .database.db.selectFrom('appointments')
      .select('starts_at')
      .where('id', '=', appointments[0]!)
      .executeTakeFirstOrThrow();
    const start = Number(first.starts_at);
    await insertQuestionnaires(rt(), [
      {
        patientId,
        planId: plan,
        protocolId,
        appointmentId: appointments[1],
        timepoint: 'pre_session',
        opensAt: start + DAY - 3 * 3_600_000,
        painAverage: 6,
      },
      { patientId, planId: plan, protocolId, timepoint: 'week_1', opensAt: start + 9 * DAY, painAverage: 3 },
    ]);
    const provider = await signIn(rt(), PROVIDER);
    const res = await exportAs(provider, 'from=2026-03-01&to=2026-06-01');
    const rows = csvRows(res.body).slice(1);
    expect(rows.map((r) => [r[3], r[4], r[5], r[11], r[12]])).toEqual(
      expect.arrayContaining([
        ['pre_session', '2', '1', '', 'baseline'], // no intake: this rating is the baseline, no relief of its own
        ['week_1', '', '9', '50', 'substantial'],
      ]),
    );
  });
});
