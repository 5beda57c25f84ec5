import { describe, expect, it } from 'vitest';
import { seedDemoBoard } from '../../src/seed/demo-board.ts';
import { OUTCOMES_EMAIL, seedDemoOutcomes } from '../../src/seed/demo-outcomes.ts';
import { planDemoOutcomes } from '../../src/seed/demo-outcomes-plan.ts';
import { scoreAnswers, type Answers } from '../../src/clinical/outcomes/questionnaire-answers.ts';
import {
  QUESTIONNAIRE_INSTRUMENTS,
  type AskedInstrument,
} from '../../src/clinical/outcomes/questionnaire-instruments.ts';
import { seedDemoProtocols } from '../../src/seed/demo-protocols.ts';
import { seedDemoVisits } from '../../src/seed/demo-visits.ts';
import { seedWalkPatient } from '../../src/seed/demo-walk.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * The demo's six months of outcomes (issue 13's acceptance): about 40 treated patients with questionnaires at every
 * time point, written in one transaction under every rule of the database, deterministic, and left alone by the
 * calendar's and the walk's seeds that run after it.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const DAY = 86_400_000;

async function seedAsStart(): Promise<{ ms: number }> {
  // Wednesday 2 December 2026, 14:00 in Chicago.
  rt().clock.set('2026-12-02T20:00:00.000Z');
  const now = rt().clock.now();
  await seedDemoProtocols(rt().database, now);
  expect(await seedDemoBoard(rt().database, now)).toBe(5);
  const started = performance.now();
  expect(await seedDemoOutcomes(rt().database, now)).toBe(40);
  const ms = performance.now() - started;
  expect(await seedDemoVisits(rt().database, now)).toBeGreaterThan(40);
  expect(await seedWalkPatient(rt().database, now)).toBe(true);
  return { ms };
}

const count = async (table: 'questionnaires' | 'pain_diary' | 'infusion_sessions', where?: [string, string]) => {
  let q = db()
    .selectFrom(table)
    .innerJoin('patients as p', 'p.id', `${table}.patient_id`)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('p.email', 'like', `%${OUTCOMES_EMAIL}`);
  if (where) q = q.where(where[0] as never, '=', where[1] as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe(`the demo seed's outcomes (${engine})`, () => {
  it('writes 40 treated patients over six months, once, quickly, beside the board, the calendar and the walk', async () => {
    const { ms } = await seedAsStart();
    const now = rt().clock.now();
    expect(await seedDemoOutcomes(rt().database, now)).toBe(0);
    // Measured here for the report; a generous bound so two busy cores do not fail it.
    console.info(`demo outcomes seed (${engine}): ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(15_000);

    const patients = await db()
      .selectFrom('patients')
      .select(['id', 'location_id', 'created_at'])
      .where('email', 'like', `%${OUTCOMES_EMAIL}`)
      .execute();
    expect(patients).toHaveLength(40);
    const at = (l: string) => patients.filter((p) => p.location_id === l).length;
    expect(at('loc-chicago')).toBeGreaterThan(20);
    expect(at('loc-denver')).toBeGreaterThan(10);
    expect(Math.min(...patients.map((p) => Number(p.created_at)))).toBeGreaterThan(now - 220 * DAY);

    const plans = await db()
      .selectFrom('treatment_plans as tp')
      .innerJoin('patients as p', 'p.id', 'tp.patient_id')
      .innerJoin('screenings as s', 's.id', 'tp.screening_id')
      .select(['tp.status', 's.status as screening', 's.outcome'])
      .where('p.email', 'like', `%${OUTCOMES_EMAIL}`)
      .execute();
    expect(plans).toHaveLength(40);
    expect(plans.every((p) => p.screening === 'signed' && p.outcome === 'eligible')).toBe(true);
    expect(plans.filter((p) => p.status === 'completed').length).toBeGreaterThan(3);
    expect(plans.filter((p) => p.status === 'active').length).toBeGreaterThan(25);

    // Every past visit given and discharged from a verified order; some visits still ahead.
    expect(await count('infusion_sessions')).toBeGreaterThan(250);
    expect(await count('infusion_sessions', ['state', 'discharged'])).toBe(await count('infusion_sessions'));
    // Side effects as the trials report them: mostly mild, some moderate, a rare pause; so the rates show something.
    const effects = await db()
      .selectFrom('session_side_effects')
      .select(['grade', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('grade')
      .execute();
    const graded = (g: number) => Number(effects.find((e) => Number(e.grade) === g)?.n ?? 0);
    expect(graded(1)).toBeGreaterThan(graded(2));
    expect(graded(2)).toBeGreaterThan(graded(3));
    expect(graded(3)).toBeGreaterThan(0);
    const unverified = await db()
      .selectFrom('infusion_sessions as s')
      .innerJoin('dose_orders as o', 'o.id', 's.dose_order_id')
      .select('o.status')
      .where('o.status', '<>', 'verified')
      .execute();
    expect(unverified).toEqual([]);
    const ahead = await db()
      .selectFrom('appointments as a')
      .innerJoin('patients as p', 'p.id', 'a.patient_id')
      .select('a.id')
      .where('p.email', 'like', `%${OUTCOMES_EMAIL}`)
      .where('a.starts_at', '>', now)
      .execute();
    expect(ahead.length).toBeGreaterThan(0);

    // Questionnaires at every time point, mostly complete, a few missed, some still open.
    const byTimepoint = await db()
      .selectFrom('questionnaires')
      .select(['timepoint', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['timepoint', 'status'])
      .execute();
    const n = (timepoint: string, status: string) =>
      Number(byTimepoint.find((r) => r.timepoint === timepoint && r.status === status)?.n ?? 0);
    for (const t of ['pre_session', 'end_of_induction', 'week_1', 'week_4', 'week_12', 'pre_booster'])
      expect(n(t, 'complete'), t).toBeGreaterThan(0);
    const all = (status: string) => byTimepoint.filter((r) => r.status === status).reduce((s, r) => s + Number(r.n), 0);
    expect(all('complete')).toBeGreaterThan(400);
    expect(all('missed')).toBeGreaterThan(5);
    expect(all('missed')).toBeLessThan(all('complete') / 5);
    expect(all('scheduled') + all('sent')).toBeGreaterThan(0);

    // Varied courses: at 4 weeks, some patients halved their first pre-session pain, and some did not move.
    const pain = await db()
      .selectFrom('questionnaires')
      .select(['patient_id', 'timepoint', 'pain_now', 'completed_at'])
      .where('status', '=', 'complete')
      .where('timepoint', 'in', ['pre_session', 'week_4'])
      .orderBy('completed_at')
      .execute();
    const change = patients.flatMap((p) => {
      const base = pain.find((r) => r.patient_id === p.id && r.timepoint === 'pre_session')?.pain_now;
      const week4 = pain.find((r) => r.patient_id === p.id && r.timepoint === 'week_4')?.pain_now;
      return base && week4 !== undefined && week4 !== null ? [(base - week4) / base] : [];
    });
    expect(change.filter((c) => c >= 0.5).length).toBeGreaterThan(3);
    expect(change.filter((c) => c >= 0.3 && c < 0.5).length).toBeGreaterThan(1);
    expect(change.filter((c) => c < 0.1).length).toBeGreaterThan(3);

    // Item 9 answers raise open alerts, one of them urgent; one liver result at 3 × the upper limit or more.
    const alerts = await db()
      .selectFrom('clinical_alerts')
      .select(['level', 'source', 'resolved_at'])
      .where('kind', '=', 'phq9_item9')
      .execute();
    expect(alerts.length).toBe(3);
    expect(alerts.every((a) => a.source === 'questionnaire' && a.resolved_at === null)).toBe(true);
    expect(alerts.filter((a) => a.level === 'urgent')).toHaveLength(1);
    const liver = await db()
      .selectFrom('lab_results')
      .select(['test', 'value', 'upper_limit'])
      .where('test', 'in', ['alt', 'ast', 'alp'])
      .execute();
    expect(liver.filter((r) => Number(r.value) >= 3 * Number(r.upper_limit))).toHaveLength(1);
    expect(await count('pain_diary')).toBeGreaterThan(200);
  });

  it('stores answers the questionnaire scorer reads back to the same report columns, with the instruments’ versions', async () => {
    await seedAsStart();
    const rows = await db()
      .selectFrom('questionnaires as q')
      .innerJoin('patients as p', 'p.id', 'q.patient_id')
      .selectAll('q')
      .where('p.email', 'like', `%${OUTCOMES_EMAIL}`)
      .where('q.status', '=', 'complete')
      .execute();
    expect(rows.length).toBeGreaterThan(100);
    const timepoints = new Set<string>();
    for (const row of rows) {
      const asked = JSON.parse(row.instruments) as AskedInstrument[];
      for (const a of asked) expect(a.version, a.id).toBe(QUESTIONNAIRE_INSTRUMENTS[a.id].version);
      const scored = scoreAnswers(asked, JSON.parse(row.answers) as Answers);
      expect(scored.complete, row.id).toBe(true);
      const stored = Object.fromEntries(Object.keys(scored.report!).map((k) => [k, row[k as keyof typeof row]]));
      expect(stored, `${row.timepoint} ${row.id}`).toEqual({
        ...scored.report,
        interference: scored.report!.interference === null ? null : expect.closeTo(scored.report!.interference, 2),
      });
      timepoints.add(row.timepoint);
    }
    expect([...timepoints].sort()).toEqual(expect.arrayContaining(['end_of_induction', 'pre_session', 'week_4']));
  });

  it('raises the safety rules on what it wrote: one liver flag holding infusions, open on the providers’ worklist', async () => {
    await seedAsStart();
    const flags = await db()
      .selectFrom('clinical_alerts as a')
      .innerJoin('patients as p', 'p.id', 'a.patient_id')
      .select(['a.kind', 'a.holds', 'a.resolved_at'])
      .where('p.email', 'like', `%${OUTCOMES_EMAIL}`)
      .execute();
    const liver = flags.filter((f) => f.kind === 'liver');
    expect(liver).toHaveLength(1);
    expect(liver[0]).toMatchObject({ holds: 1, resolved_at: null });
    expect(flags.filter((f) => f.kind === 'phq9_item9')).toHaveLength(3);
    const provider = await signIn(rt(), 'provider@relief.example');
    const list = await provider.get('/staff/safety');
    expect(list.statusCode).toBe(200);
    expect(list.body).toMatch(/[Ll]iver/);
  });

  it('plans the same patients, days and answers for the same day (a seeded generator)', () => {
    const input = {
      today: '2026-12-02',
      locations: [
        { id: 'loc-chicago', columns: 4, protocols: ['crps-10-day', 'short-series'] },
        { id: 'loc-denver', columns: 3, protocols: ['short-series'] },
      ],
      protocols: new Map([
        [
          'crps-10-day',
          {
            code: 'crps-10-day',
            sessions: 10,
            everyWeekdays: 1,
            boosterDays: [30, 90, 180],
            onResponseDays: null,
            startMgPerKgH: 0.35,
            stepMgPerKgH: 0,
            maxMgPerKgH: 0.35,
          },
        ],
        [
          'short-series',
          {
            code: 'short-series',
            sessions: 6,
            everyWeekdays: 2,
            boosterDays: [],
            onResponseDays: 56,
            startMgPerKgH: 0.5,
            stepMgPerKgH: 0.1,
            maxMgPerKgH: 1,
          },
        ],
      ]),
    };
    const a = planDemoOutcomes(input);
    expect(planDemoOutcomes(input)).toEqual(a);
    expect(a).toHaveLength(40);
    // No day's columns are over-filled and no session falls on today (the board's) or a weekend.
    const perDay = new Map<string, number>();
    for (const p of a)
      for (const s of p.sessions) {
        const key = `${p.locationId}|${s.day}|${s.column}`;
        perDay.set(key, (perDay.get(key) ?? 0) + 1);
        expect(s.day).not.toBe(input.today);
        expect(new Date(`${s.day}T12:00:00Z`).getUTCDay() % 6).not.toBe(0);
      }
    expect(Math.max(...perDay.values())).toBe(1);
  });

  it('gives the demo provider patients whose summary shows a pain trend', async () => {
    await seedAsStart();
    const b = await signIn(rt(), 'provider@relief.example');
    const list = (await b.get('/staff/patients')).body;
    const first = /href="(\/staff\/patients\/[^"]+\/summary)"/.exec(list)?.[1];
    expect(first).toBeDefined();
    const page = await b.get(first!);
    expect(page.statusCode).toBe(200);
    expect((page.body.match(/<circle [^>]*class="chart-pain-now"/g) ?? []).length).toBeGreaterThan(5);
    // Every clinical page of a seeded patient reads what the seed wrote, a given session's page included.
    const tabs = [...page.body.matchAll(/<nav class="clinical-tabs"[\s\S]*?<\/nav>/g)][0]![0];
    for (const [, href] of tabs.matchAll(/href="([^"]+)"/g)) {
      const res = await b.get(href!);
      expect(res.statusCode, href).toBe(200);
      if (href!.endsWith('/sessions')) {
        const session = /href="(\/staff\/patients\/[^"]+\/sessions\/[^"]+)"/.exec(res.body)?.[1];
        expect(session, 'a given session').toBeDefined();
        expect((await b.get(session!)).statusCode, session).toBe(200);
      }
    }
  });
});
