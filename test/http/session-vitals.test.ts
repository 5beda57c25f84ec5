import { describe, expect, it } from 'vitest';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { GOOD_VITALS, onTheDay, postSessionForm, sessionUrl } from '../helpers/checkin.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { checkedInSession, infusingSession, orderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const MINUTE = 60_000;

const readings = (sessionId: string) =>
  db().selectFrom('session_vitals').selectAll().where('session_id', '=', sessionId).orderBy('taken_at').execute();

/** A checked-in session at 9:30 Chicago on the visit's day, the demo nurse signed in (the clock then 9:30:30). */
async function checkedIn() {
  const visit = await orderedVisit(rt());
  onTheDay(rt(), visit);
  const sessionId = await checkedInSession(rt(), visit);
  const nurse = await signIn(rt(), 'nurse@relief.example');
  return { visit, sessionId, nurse };
}

describe('vitals entry: impossible readings', () => {
  it('accepts the edges of every range and refuses one step past each, naming the field and its range', async () => {
    const f = await checkedIn();
    const post = (changes: Record<string, string>) =>
      postSessionForm(f.nurse, f.visit, f.sessionId, 'vitals', { ...GOOD_VITALS, ...changes });
    const edges: Array<[Record<string, string>, boolean, string?]> = [
      [{ systolic: '300', diastolic: '200' }, true],
      [{ systolic: '301' }, false, 'Systolic pressure: must be from 40 to 300 mmHg'],
      [{ systolic: '40', diastolic: '20' }, true],
      [{ systolic: '39', diastolic: '20' }, false, 'Systolic pressure: must be from 40 to 300 mmHg'],
      [{ heart_rate: '1' }, true],
      [{ heart_rate: '0' }, false, 'Heart rate: must be from 1 to 300 beats/min'],
      [{ heart_rate: '300' }, true],
      [{ heart_rate: '301' }, false, 'Heart rate: must be from 1 to 300 beats/min'],
      [{ spo2: '100' }, true],
      [{ spo2: '101' }, false, 'SpO₂: must be from 50 to 100%'],
      [{ respiratory_rate: '81' }, false, 'Respiratory rate: must be from 1 to 80 breaths/min'],
      [{ temperature: '' }, true],
      [{ temperature: '45.1' }, false, 'Temperature: must be from 30 to 45°C'],
      [{ sedation: '-6' }, false, 'Sedation (RASS): must be from -5 to +4 on the RASS'],
      [{ dissociation: '4' }, false, 'Dissociation: must be from 0 to 3'],
      [{ heart_rate: 'fast' }, false, 'Heart rate: give a number from 1 to 300 beats/min'],
      [{ heart_rate: '' }, false, 'Heart rate: give a number from 1 to 300 beats/min'],
      // Systolic at or under the diastolic: refused on the diastolic (the usual slip is swapping them).
      [{ systolic: '90', diastolic: '90' }, false, 'Diastolic pressure: must be below the systolic pressure (90 mmHg)'],
      [
        { systolic: '80', diastolic: '120' },
        false,
        'Diastolic pressure: must be below the systolic pressure (80 mmHg)',
      ],
    ];
    let stored = 0;
    for (const [changes, ok, message] of edges) {
      const res = await post(changes);
      expect(res.statusCode, JSON.stringify(changes)).toBe(ok ? 303 : 400);
      if (ok) stored++;
      else {
        expect(res.body, JSON.stringify(changes)).toContain(message!);
        expect(res.body).toContain('aria-invalid="true"');
      }
      expect(await readings(f.sessionId)).toHaveLength(stored);
    }
    const rows = await readings(f.sessionId);
    expect(rows.map((r) => r.phase)).toEqual(['pre', 'pre', 'pre', 'pre', 'pre', 'pre']);
    expect(rows[0]).toMatchObject({ systolic: 300, diastolic: 200, recorded_by: f.visit.nurseId, late_reason: null });
    expect(Number(rows[0]!.taken_at)).toBe(rt().clock.now());
  });
});

describe('vitals entry: times', () => {
  it('stamps a reading with the server’s time; a late entry names its time and a reason', async () => {
    const f = await checkedIn(); // checked in 9:30, now 9:30:30
    rt().clock.advance(40 * MINUTE); // 10:10:30 Chicago
    const nurse = await signIn(rt(), 'nurse@relief.example'); // 10:11
    const future = await postSessionForm(nurse, f.visit, f.sessionId, 'vitals', {
      ...GOOD_VITALS,
      taken_time: '10:12',
    });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('Time taken: 10:12 is in the future');
    const before = await postSessionForm(nurse, f.visit, f.sessionId, 'vitals', {
      ...GOOD_VITALS,
      taken_time: '09:29',
    });
    expect(before.statusCode).toBe(400);
    expect(before.body).toContain('Time taken: before the check-in at 9:30 AM');
    const badly = await postSessionForm(nurse, f.visit, f.sessionId, 'vitals', { ...GOOD_VITALS, taken_time: '9.45' });
    expect(badly.statusCode).toBe(400);
    expect(badly.body).toContain('Time taken: a time today as HH:MM');
    const noReason = await postSessionForm(nurse, f.visit, f.sessionId, 'vitals', {
      ...GOOD_VITALS,
      taken_time: '09:45',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Reason for the late entry');
    expect(await readings(f.sessionId)).toHaveLength(0);

    const late = await postSessionForm(nurse, f.visit, f.sessionId, 'vitals', {
      ...GOOD_VITALS,
      taken_time: '09:30',
      late_reason: 'Monitor printout, charted after the IV',
    });
    expect(late.statusCode, late.body.slice(0, 1500)).toBe(303);
    const recent = await postSessionForm(nurse, f.visit, f.sessionId, 'vitals', {
      ...GOOD_VITALS,
      taken_time: '10:07',
    });
    expect(recent.statusCode, 'within 5 minutes: no reason needed').toBe(303);
    const rows = await readings(f.sessionId);
    expect(rows.map((r) => [Number(r.taken_at), r.late_reason])).toEqual([
      [f.visit.startsAt - 30 * MINUTE, 'Monitor printout, charted after the IV'],
      [f.visit.startsAt + 7 * MINUTE, null],
    ]);
    expect(rows.every((r) => Number(r.recorded_at) === rt().clock.now())).toBe(true);
    const page = await nurse.get(sessionUrl(f.visit, f.sessionId));
    expect(page.body).toContain('late, recorded 10:11 AM: Monitor printout, charted after the IV');
  });

  it('files a reading by the phase it was taken in', async () => {
    const visit = await orderedVisit(rt());
    onTheDay(rt(), visit, 0);
    const id = await infusingSession(rt(), visit); // started at 10:00, checked in at 9:40
    rt().clock.advance(20 * MINUTE);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(sessionUrl(visit, id));
    expect(page.body).toContain('Vitals during the infusion');
    await postSessionForm(nurse, visit, id, 'vitals', GOOD_VITALS);
    await postSessionForm(nurse, visit, id, 'vitals', {
      ...GOOD_VITALS,
      taken_time: '09:50',
      late_reason: 'Baseline taken before the start, charted now',
    });
    expect((await readings(id)).map((r) => r.phase)).toEqual(['pre', 'infusion']);
  });
});

describe('vitals entry: sent again, and who may', () => {
  it('stores a form sent twice once, and answers the second as saved', async () => {
    const f = await checkedIn();
    const page = await f.nurse.get(sessionUrl(f.visit, f.sessionId));
    const key = /name="entry_key" value="([^"]+)"/.exec(page.body)![1]!;
    const form = { _csrf: csrfFrom(page.body), version: '1', entry_key: key, ...GOOD_VITALS };
    const seq = await lastSeq(rt());
    const first = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, form);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toContain('saved=vitals');
    const again = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, form);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toContain('saved=vitals_again');
    expect(await readings(f.sessionId)).toHaveLength(1);
    const events = await eventsAfter(rt(), seq);
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['session.vitals:success']);
    expect(events[0]!.detail).toMatchObject({ session: f.sessionId, phase: 'pre', late: 0 });
    expect(JSON.stringify(events[0]!.detail)).not.toContain('128'); // no clinical values in the trail
    // A new page gives a new key: the next reading is its own.
    const next = await postSessionForm(f.nurse, f.visit, f.sessionId, 'vitals', GOOD_VITALS);
    expect(next.headers.location).toContain('saved=vitals');
    expect(await readings(f.sessionId)).toHaveLength(2);
    // A reading based on an older page is still kept (it overwrites nothing).
    const old = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, {
      ...form,
      entry_key: 'another-key-from-an-old-page',
    });
    expect(old.statusCode).toBe(303);
    expect(await readings(f.sessionId)).toHaveLength(3);
    // Without a key the form is refused visibly rather than stored twice later.
    const keyless = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, { ...form, entry_key: '' });
    expect(keyless.statusCode).toBe(400);
    expect(keyless.body).toContain('Reload the page and enter the reading again.');
  });

  it('is 404 for a session at a location the person does not work at, and 403 for the front desk', async () => {
    const f = await checkedIn();
    const page = await f.nurse.get(sessionUrl(f.visit, f.sessionId));
    const form = {
      _csrf: csrfFrom(page.body),
      version: '1',
      entry_key: /name="entry_key" value="([^"]+)"/.exec(page.body)![1]!,
      ...GOOD_VITALS,
    };
    await db().deleteFrom('user_locations').where('user_id', '=', f.visit.nurseId).execute();
    await db().insertInto('user_locations').values({ user_id: f.visit.nurseId, location_id: 'loc-denver' }).execute();
    const denver = await signIn(rt(), 'nurse@relief.example');
    const csrf = csrfFrom((await denver.get('/staff/calendar')).body);
    expect(csrf).not.toBe('');
    const seq = await lastSeq(rt());
    const res = await denver.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, { ...form, _csrf: csrf });
    expect(res.statusCode).toBe(404);
    expect((await eventsAfter(rt(), seq)).map((e) => `${e.action}:${e.outcome}`)).toEqual(['session.vitals:denied']);
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const deskCsrf = csrfFrom((await desk.get('/staff/calendar')).body);
    expect(
      (await desk.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, { ...form, _csrf: deskCsrf })).statusCode,
    ).toBe(403);
    // Another patient's id with this session: as if it did not exist.
    const other = await orderedVisit(rt(), 'Ines');
    const provider = await signIn(rt(), 'provider@relief.example');
    const pCsrf = csrfFrom((await provider.get('/staff/calendar')).body);
    const wrong = await provider.post(`/staff/patients/${other.patientId}/sessions/${f.sessionId}/vitals`, {
      ...form,
      _csrf: pCsrf,
    });
    expect(wrong.statusCode).toBe(404);
    expect(await readings(f.sessionId)).toHaveLength(0);
  });
});

describe('vitals entry: what follows a reading', () => {
  it('raises the alert in the same step as the reading past a limit, once, and shows it at the top of the page', async () => {
    const visit = await orderedVisit(rt());
    onTheDay(rt(), visit, 0);
    const id = await infusingSession(rt(), visit);
    rt().clock.advance(10 * MINUTE);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const alerts = () => db().selectFrom('session_alerts').selectAll().where('session_id', '=', id).execute();
    await postSessionForm(nurse, visit, id, 'vitals', { ...GOOD_VITALS, systolic: '179', diastolic: '90' });
    expect(await alerts()).toHaveLength(0);
    rt().clock.advance(MINUTE);
    const res = await postSessionForm(nurse, visit, id, 'vitals', { ...GOOD_VITALS, systolic: '180', diastolic: '90' });
    expect(res.statusCode).toBe(303);
    const raised = await alerts();
    expect(raised.map((a) => [a.code, a.kind])).toContainEqual(['systolicHigh', 'absolute']);
    const page = await nurse.get(sessionUrl(visit, id));
    expect(page.body).toContain('class="session-alerts');
    // Reading the page again raises nothing new.
    expect(await alerts()).toHaveLength(raised.length);
  });
});
