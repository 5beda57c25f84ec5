import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { planForAppointment } from '../../src/clinical/service.ts';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';
import { activePlanFor, clinicPatient, suggestedProtocols, userId } from '../helpers/clinical-plans.ts';

/**
 * Booking a plan's series. The test clock starts on Monday 2 March 2026, 09:00 in Chicago. The Schwartzman-style
 * protocol has 10 sessions, 1 to 3 days apart within 14 days; Chicago opens 08:00–18:00 on weekdays, and at 10:00
 * four nurse lanes (two nurses, two each) can take an infusion.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PROVIDER = 'provider@relief.example';
const DESK = 'frontdesk@relief.example';
const NURSE = 'nurse@relief.example';
const ZONE = 'America/Chicago';
/** The series from Tuesday 3 March at 10:00: each next day with a free start, Saturday's only start at 09:00. */
const SERIES = [
  '2026-03-03 10:00',
  '2026-03-04 10:00',
  '2026-03-05 10:00',
  '2026-03-06 10:00',
  '2026-03-07 09:00',
  '2026-03-09 10:00',
  '2026-03-10 10:00',
  '2026-03-11 10:00',
  '2026-03-12 10:00',
  '2026-03-13 10:00',
];

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
const local = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');

/**
 * A patient with a signed eligible screening and an active plan (so the infusion gate lets them through), its
 * sessions of `hours` when given (the provider's change to the protocol's hours per session).
 */
async function planned(first = 'Robin', hours?: number) {
  const patientId = await clinicPatient(rt(), first);
  const planId = await activePlanFor(rt(), patientId, await userId(rt(), PROVIDER), 'crps-10-day', (d) =>
    hours === undefined ? d : { ...d, induction: { ...d.induction, hoursPerSession: hours } },
  );
  return { patientId, planId };
}

/** The radios of a series page: session → [value, checked]. */
function choices(html: string): Map<number, Array<{ value: string; checked: boolean }>> {
  const out = new Map<number, Array<{ value: string; checked: boolean }>>();
  for (const m of html.matchAll(/<input type="radio" name="s(\d+)" value="(\d+)"( checked)?/g)) {
    const list = out.get(Number(m[1])) ?? [];
    list.push({ value: m[2]!, checked: m[3] !== undefined });
    out.set(Number(m[1]), list);
  }
  return out;
}

/** The form a series page posts, with the checked radio of each session. */
function picked(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  for (const [n, list] of choices(html)) {
    const on = list.find((c) => c.checked);
    if (on) fields[`s${n}`] = on.value;
  }
  return fields;
}

async function propose(b: Browser, patientId: string, query = 'location=chicago&date=2026-03-03&time=10:00') {
  return b.get(`/staff/patients/${patientId}/plan/series?${query}`);
}

const booked = (patientId: string) =>
  db()
    .selectFrom('appointments')
    .selectAll()
    .where('patient_id', '=', patientId)
    .where('status', '=', 'booked')
    .orderBy('starts_at')
    .execute();
const sessionsOf = (planId: string) =>
  db()
    .selectFrom('plan_sessions')
    .selectAll()
    .where('plan_id', '=', planId)
    .orderBy('kind')
    .orderBy('number')
    .execute();

async function bookSeriesAs(b: Browser, patientId: string) {
  const page = await propose(b, patientId);
  expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
  return b.post(`/staff/patients/${patientId}/plan/series`, picked(page.body));
}

describe(`booking a plan's series (${engine})`, () => {
  it('proposes every session within the spacing rules and opening hours, each with a nurse and a chair; the desk books all in one go', async () => {
    await suggestedProtocols(rt());
    const { patientId, planId } = await planned();
    const desk = await signIn(rt(), DESK);
    const page = await propose(desk, patientId);
    expect(page.statusCode).toBe(200);
    const radios = choices(page.body);
    expect([...radios.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const starts = [...radios.values()].map((l) => Number(l.find((c) => c.checked)!.value));
    // The earliest day each time (Saturday's 09:00–13:00 holds one four-hour session), as near 10:00 as it allows.
    expect(starts.map(local)).toEqual(SERIES);
    expect(text(page.body)).toContain('Nia Brooks');
    expect(text(page.body)).toMatch(/Chair/);

    const res = await desk.post(`/staff/patients/${patientId}/plan/series`, picked(page.body));
    expect(res.statusCode, text(res.body).slice(0, 600)).toBe(303);
    const appts = await booked(patientId);
    expect(appts.map((a) => local(a.starts_at))).toEqual(SERIES);
    for (const a of appts) expect(a.nurse_id && a.room_id).toBeTruthy();
    // Each session has a provider on site for all of it: Dr. Okafor (09:00–16:00, first by name), who supervises four.
    expect(appts.map((a) => [a.supervisor_id, a.supervisor_lane])).toEqual(appts.map(() => ['prov-okafor', 1]));
    const sessions = await sessionsOf(planId);
    expect(sessions.map((s) => [s.kind, s.number])).toEqual(Array.from({ length: 10 }, (_, i) => ['induction', i + 1]));
    expect((await planForAppointment(db(), appts[0]!.id))?.session).toEqual({ kind: 'induction', number: 1 });
    const audit = await db()
      .selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', 'in', ['series.propose', 'series.book'])
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['series.propose', 'series.book']);
    expect(JSON.parse(audit[1]!.detail)).toMatchObject({ planId, count: 10 });
    // Booked once: a second booking of the same series is refused.
    expect((await bookSeriesAs(desk, patientId)).statusCode).toBe(409);
    // Nurses read the sessions but do not schedule.
    const nurse = await signIn(rt(), NURSE);
    expect((await nurse.get(`/staff/patients/${patientId}/plan`)).body).toContain('Session 10');
    expect((await propose(nurse, patientId)).statusCode).toBe(403);
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it("books each session for the plan's hours per session, and offers only the times that hold them", async () => {
    await suggestedProtocols(rt());
    const two = await planned('Robin', 2);
    const four = await planned('Sasha', 4);
    const desk = await signIn(rt(), DESK);
    // Saturday opens 09:00-13:00: 11:00 holds two hours of infusion but not four.
    const saturday = 'location=chicago&date=2026-03-07&time=11:00';
    const short = await propose(desk, two.patientId, saturday);
    const long = await propose(desk, four.patientId, saturday);
    expect(short.statusCode).toBe(200);
    expect(long.statusCode).toBe(200);
    expect(text(short.body)).toContain(
      'Each session is 2 h of infusion, as the plan gives, and holds its nurse and chair 15 min before and 30 min after.',
    );
    expect(text(long.body)).toContain('Each session is 4 h of infusion');
    expect(text(short.body)).toContain('until 1:00 PM');
    const first = (html: string) =>
      local(
        Number(
          choices(html)
            .get(1)!
            .find((c) => c.checked)!.value,
        ),
      );
    expect(first(short.body)).toBe('2026-03-07 11:00');
    expect(first(long.body)).toBe('2026-03-07 09:00');
    const saturdayEleven = String(Date.parse('2026-03-07T17:00:00Z'));
    expect([...choices(long.body).values()].flat().map((c) => c.value)).not.toContain(saturdayEleven);
    // A forged 11:00 for the four-hour plan is refused: the booking looks for four free hours, not the type's.
    const forged = await desk.post(`/staff/patients/${four.patientId}/plan/series`, {
      ...picked(long.body),
      s1: saturdayEleven,
    });
    expect(forged.statusCode).toBe(409);
    expect(await booked(four.patientId)).toHaveLength(0);

    expect((await desk.post(`/staff/patients/${two.patientId}/plan/series`, picked(short.body))).statusCode).toBe(303);
    expect((await desk.post(`/staff/patients/${four.patientId}/plan/series`, picked(long.body))).statusCode).toBe(303);
    const hours = async (patientId: string) =>
      (await booked(patientId)).map((a) => [(a.ends_at - a.starts_at) / 3_600_000, (a.busy_to - a.busy_from) / 60_000]);
    expect(await hours(two.patientId)).toEqual(Array.from({ length: 10 }, () => [2, 165]));
    expect(await hours(four.patientId)).toEqual(Array.from({ length: 10 }, () => [4, 285]));
  });

  it('shows a session that cannot be placed with the nearest free times to pick, and re-plans the rest from the pick', async () => {
    await suggestedProtocols(rt());
    await db()
      .insertInto('closures')
      .values(
        ['2026-03-05', '2026-03-06', '2026-03-07'].map((date) => ({
          location_id: 'loc-chicago',
          date,
          reason: 'Works',
        })),
      )
      .execute();
    const { patientId } = await planned();
    const desk = await signIn(rt(), DESK);
    const page = await propose(desk, patientId);
    const radios = choices(page.body);
    // Session 3 can go neither Thursday nor Friday nor Saturday: no time is chosen for it, alternatives are offered.
    expect(text(page.body)).toContain('Session 3: no free time within the spacing rules');
    expect(radios.get(3)!.some((c) => c.checked)).toBe(false);
    expect(radios.get(3)!.length).toBeGreaterThan(1);
    expect(local(Number(radios.get(3)![0]!.value))).toBe('2026-03-09 10:00');
    // Booking without a pick is refused naming the session; nothing is written.
    const refused = await desk.post(`/staff/patients/${patientId}/plan/series`, picked(page.body));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Session 3: choose a time');
    expect(await booked(patientId)).toHaveLength(0);
    // A forged time years away is refused by name, before any availability is read.
    const forged = await desk.post(`/staff/patients/${patientId}/plan/series`, {
      ...picked(page.body),
      s3: String(Date.parse('2031-01-01T16:00:00Z')),
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('Session 3: choose a time within the next two years');
    // Picking Monday the 9th for session 3 says it breaks the spacing (5 days after Wednesday).
    const pick = radios.get(3)![0]!.value;
    // "Check the times again" posts the form as it stands (its token stays out of the address).
    expect(page.body).toContain(`formaction="/staff/patients/${patientId}/plan/series/check"`);
    const again = await desk.post(`/staff/patients/${patientId}/plan/series/check`, {
      ...picked(page.body),
      s3: pick,
    });
    expect(again.statusCode).toBe(200);
    expect(text(again.body)).toContain('Session 3 is 5 days after the one before; the plan allows at most 3 days');
    const after = choices(again.body);
    expect(local(Number(after.get(4)!.find((c) => c.checked)!.value))).toBe('2026-03-10 10:00');
    const breaks = await desk.post(`/staff/patients/${patientId}/plan/series`, picked(again.body));
    expect(breaks.statusCode).toBe(400);
    expect(breaks.body).toContain('Session 3 is 5 days after the one before');
    expect(breaks.body).not.toContain('choose a time');
    expect(await booked(patientId)).toHaveLength(0);
  });

  it('all or none: a time taken between the proposal and the booking refuses the whole series, naming the session', async () => {
    await suggestedProtocols(rt());
    const { patientId, planId } = await planned();
    const desk = await signIn(rt(), DESK);
    const page = await propose(desk, patientId);
    const form = picked(page.body);
    // Four others take every nurse lane at session 6's time (Monday 9th, 10:00).
    for (let i = 0; i < 4; i++) {
      const other = await planned(`Other${i}`);
      const csrf = csrfFrom((await desk.get(`/staff/patients/${other.patientId}/book`)).body);
      const one = await desk.post(`/staff/patients/${other.patientId}/book`, {
        _csrf: csrf,
        type: 'infusion',
        location: 'chicago',
        provider: 'any',
        date: '2026-03-09',
        time: '10:00',
      });
      expect(one.statusCode).toBe(303);
    }
    const res = await desk.post(`/staff/patients/${patientId}/plan/series`, form);
    expect(res.statusCode).toBe(409);
    expect(text(res.body)).toContain('Session 6’s time is no longer free');
    expect(await booked(patientId)).toHaveLength(0);
    expect(await sessionsOf(planId)).toHaveLength(0);
    const jobs = await db().selectFrom('outbox').select('id').where('kind', '=', 'booking_confirmed').execute();
    expect(jobs).toHaveLength(4);
  });

  it('race: a series against simultaneous single bookings of the same nurses and chairs never double-books, and is booked whole or not at all', async () => {
    await suggestedProtocols(rt());
    const { patientId, planId } = await planned();
    const others = [];
    // Four singles for each of the series' first three days: with the series, five contenders for four lanes.
    for (let i = 0; i < 12; i++) others.push(await planned(`Racer${i}`));
    const desk = await signIn(rt(), DESK);
    const page = await propose(desk, patientId);
    const form = picked(page.body);
    const csrf = form._csrf!;
    const singles = others.map((o, i) =>
      desk.post(`/staff/patients/${o.patientId}/book`, {
        _csrf: csrf,
        type: 'infusion',
        location: 'chicago',
        provider: 'any',
        date: SERIES[i % 3]!.slice(0, 10),
        time: '10:00',
      }),
    );
    const [series, ...rest] = await Promise.all([
      desk.post(`/staff/patients/${patientId}/plan/series`, form),
      ...singles,
    ]);
    expect([303, 409]).toContain(series.statusCode);
    for (const r of rest) expect([303, 409]).toContain(r.statusCode);
    // Somebody lost: twelve singles and a series cannot all have fitted in four lanes a day.
    expect([series, ...rest].some((r) => r.statusCode === 409)).toBe(true);
    const mine = await booked(patientId);
    const sessions = await sessionsOf(planId);
    if (series.statusCode === 303) {
      expect(mine).toHaveLength(10);
      expect(sessions).toHaveLength(10);
    } else {
      expect(mine).toHaveLength(0);
      expect(sessions).toHaveLength(0);
    }
    // No nurse lane and no chair holds two overlapping appointments.
    const all = await db().selectFrom('appointments').selectAll().where('status', '=', 'booked').execute();
    for (const key of ['room_id', 'lane'] as const) {
      const by = new Map<string, typeof all>();
      for (const a of all) {
        const k = key === 'room_id' ? a.room_id : a.nurse_id ? `${a.nurse_id}#${a.nurse_lane}` : null;
        if (!k) continue;
        by.set(k, [...(by.get(k) ?? []), a]);
      }
      for (const list of by.values()) {
        list.sort((a, b) => a.busy_from - b.busy_from);
        for (let i = 1; i < list.length; i++) expect(list[i]!.busy_from).toBeGreaterThanOrEqual(list[i - 1]!.busy_to);
      }
    }
    // Four lanes at 10:00: at most four infusions start then on any day.
    for (const start of SERIES.slice(0, 3)) {
      expect(all.filter((a) => local(a.starts_at) === start).length).toBeLessThanOrEqual(4);
    }
  });

  it('moving a session keeps the spacing or says which rule it breaks; cancelling the series frees every session ahead', async () => {
    await suggestedProtocols(rt());
    const { patientId, planId } = await planned();
    const desk = await signIn(rt(), DESK);
    expect((await bookSeriesAs(desk, patientId)).statusCode).toBe(303);
    const appts = await booked(patientId);
    const planPage = await desk.get(`/staff/patients/${patientId}/plan`);
    const csrf = csrfFrom(planPage.body);
    const move = (id: string, date: string, time: string) =>
      desk.post(`/staff/patients/${patientId}/plan/sessions/move`, {
        _csrf: csrf,
        session: id,
        move_date: date,
        move_time: time,
      });

    const far = await move(appts[4]!.id, '2026-03-10', '10:00');
    expect(far.statusCode).toBe(400);
    expect(text(far.body)).toContain('Session 5 is 4 days after the one before; the plan allows at most 3 days');
    expect(text(far.body)).toContain('Session 6 is not after the one before');
    expect((await booked(patientId))[4]!.starts_at).toBe(appts[4]!.starts_at);

    const ok = await move(appts[9]!.id, '2026-03-13', '11:00');
    expect(ok.statusCode, text(ok.body).slice(0, 500)).toBe(303);
    expect(local((await booked(patientId))[9]!.starts_at)).toBe('2026-03-13 11:00');

    // Two sessions later, the series is called off: the eight still ahead are cancelled, the past two stay.
    rt().clock.advance(Date.parse('2026-03-05T12:00:00Z') - rt().clock.now());
    const later = await signIn(rt(), DESK);
    const cancel = await later.post(`/staff/patients/${patientId}/plan/series/cancel`, {
      _csrf: csrfFrom((await later.get(`/staff/patients/${patientId}/plan`)).body),
      version: '2',
    });
    expect(cancel.statusCode, text(cancel.body).slice(0, 500)).toBe(303);
    const left = await booked(patientId);
    expect(left.map((a) => local(a.starts_at))).toEqual(['2026-03-03 10:00', '2026-03-04 10:00']);
    expect(await sessionsOf(planId)).toHaveLength(10);
    const cancels = await db().selectFrom('outbox').select('id').where('kind', '=', 'booking_cancelled').execute();
    expect(cancels).toHaveLength(8);
    const audit = await db()
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'series.cancel')
      .execute();
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ planId, count: 8 });
  });

  it('proposes the boosters from the plan as the induction ends, and books them as the plan’s booster sessions', async () => {
    await suggestedProtocols(rt());
    const { patientId, planId } = await planned();
    const desk = await signIn(rt(), DESK);
    expect((await bookSeriesAs(desk, patientId)).statusCode).toBe(303);
    const plan = await desk.get(`/staff/patients/${patientId}/plan`);
    expect(text(plan.body)).toContain('Book the boosters');
    const page = await desk.get(`/staff/patients/${patientId}/plan/boosters?location=chicago&time=10:00`);
    expect(page.statusCode, text(page.body).slice(0, 400)).toBe(200);
    const starts = [...choices(page.body).values()].map((l) => local(Number(l.find((c) => c.checked)!.value)));
    // 30, 90 and 180 days after Friday 13 March: Sunday 12 April is closed, and Saturday 11 April's 10:00 cannot
    // hold the plan's four-hour booster (Saturday closes at 13:00), so Monday 13 April at the preferred time.
    expect(starts).toEqual(['2026-04-13 10:00', '2026-06-11 10:00', '2026-09-09 10:00']);
    expect(text(page.body)).toContain('Each booster is 4 h of infusion');
    const res = await desk.post(`/staff/patients/${patientId}/plan/boosters`, picked(page.body));
    expect(res.statusCode, text(res.body).slice(0, 400)).toBe(303);
    const boosters = (await sessionsOf(planId)).filter((s) => s.kind === 'booster');
    expect(boosters.map((s) => s.number)).toEqual([1, 2, 3]);
    const types = await db()
      .selectFrom('appointments')
      .innerJoin('appointment_types', 'appointment_types.id', 'appointments.type_id')
      .select('appointment_types.kind')
      .where(
        'appointments.id',
        'in',
        boosters.map((b) => b.appointment_id),
      )
      .execute();
    expect(types.every((t) => t.kind === 'booster')).toBe(true);
    // The plan's booster hours (4), not the booster type's two hours.
    const lengths = (await booked(patientId)).slice(10).map((a) => (a.ends_at - a.starts_at) / 3_600_000);
    expect(lengths).toEqual([4, 4, 4]);
  });

  it('a plan that is not active books no series', async () => {
    await suggestedProtocols(rt());
    const { patientId, planId } = await planned();
    await db().updateTable('treatment_plans').set({ status: 'paused', version: 3 }).where('id', '=', planId).execute();
    const desk = await signIn(rt(), DESK);
    const page = await propose(desk, patientId);
    expect(page.statusCode).toBe(409);
    expect(text(page.body)).toContain('A series is booked from an active plan');
  });

  it('each session’s email gives the time and place, what to do beforehand, how long to allow and the number to call, naming no condition or treatment', async () => {
    await suggestedProtocols(rt());
    const { patientId } = await planned('Robin');
    const desk = await signIn(rt(), DESK);
    await rt().worker.runOnce();
    const before = rt().mail.sent.length;
    expect((await bookSeriesAs(desk, patientId)).statusCode).toBe(303);
    await rt().worker.runOnce();
    const email = (
      await db().selectFrom('patients').select('email').where('id', '=', patientId).executeTakeFirstOrThrow()
    ).email;
    const mails = rt()
      .mail.sent.slice(before)
      .filter((m) => m.to === email && m.subject.endsWith('is booked'));
    expect(mails).toHaveLength(10);
    const first = mails.find((m) => m.text.includes('Tuesday, March 3, 2026'))!;
    expect(first.text).toContain('Where: Chicago');
    expect(first.text).toContain('Before your appointment');
    expect(first.text).toContain('Please have no solid food for 6 hours before your appointment.');
    expect(first.text).toContain('An adult needs to take you home afterwards.');
    // Four hours and thirty minutes' rest after: four and a half hours to allow.
    expect(first.text).toContain('Please allow about 4 and a half hours for your visit');
    expect(first.text).toMatch(/please call Chicago[^\n]* at \(312\) 555-0141/);
    expect(first.html).toContain('Please have no solid food');
    for (const part of [first.text, first.html, first.ics!.content].map((t) =>
      t.replaceAll('Relief Infusion Clinic', ''),
    ))
      expect(part).not.toMatch(/infusion|ketamine|CRPS|pain|series|session|treatment/i);
  });
});
