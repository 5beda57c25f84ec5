import { describe, expect, it } from 'vitest';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { count, post, sessionUrl, stateOf } from '../helpers/infusion.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { infusingSession, orderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const HOUR = 3_600_000;

/** An infusion running since 10:00 Chicago at 24.5 mg/h (1 mg/mL), the clock a minute later, the nurse signed in. */
async function running(protocol = 'crps-10-day') {
  const visit = await orderedVisit(rt(), 'Rosa', protocol);
  rt().clock.current = visit.startsAt;
  const session = await infusingSession(rt(), visit);
  rt().clock.advance(60_000);
  const nurse = await signIn(rt(), 'nurse@relief.example');
  return { visit, session, nurse };
}

/** Moves the clock on to `t`, the signed-in person busy on the way (so the idle sign-out does not end their session). */
async function walkTo(b: Browser, t: number) {
  while (rt().clock.now() < t) {
    rt().clock.advance(Math.min(10 * 60_000, t - rt().clock.now()));
    await b.get('/staff');
  }
}

const events = async (session: string) =>
  (
    await db()
      .selectFrom('session_events')
      .select(['kind', 'mg_per_hour', 'reason'])
      .where('session_id', '=', session)
      .orderBy('at')
      .execute()
  ).map((e) => [e.kind, e.mg_per_hour === null ? null : Number(e.mg_per_hour), e.reason]);

describe('the infusion timeline', () => {
  it('on a fixed-rate protocol, lowers the rate with a reason and refuses a rise above the order', async () => {
    const { visit, session, nurse } = await running();
    const seq = await lastSeq(rt());
    const down = await post(nurse, visit, session, 'rate', { rate: '20', rate_reason: 'Dizzy' });
    expect(down.statusCode, down.body.slice(0, 1500)).toBe(303);
    const audit = (await eventsAfter(rt(), seq)).filter((e) => e.action === 'session.rate');
    expect(audit.map((e) => e.outcome)).toEqual(['success']);
    const up = await post(nurse, visit, session, 'rate', { rate: '25', rate_reason: 'Pain' });
    expect(up.statusCode).toBe(400);
    expect(up.body).toContain('Rate: at most 24.5 mg/h (24.5 mL/h), the plan’s maximum for this weight.');
    const back = await post(nurse, visit, session, 'rate', { rate: '24.5', rate_reason: 'Settled' });
    expect(back.statusCode).toBe(303);
    const noReason = await post(nurse, visit, session, 'rate', { rate: '20', rate_reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Reason: required.');
    expect(await events(session)).toEqual([
      ['start', 24.5, null],
      ['rate', 20, 'Dizzy'],
      ['rate', 24.5, 'Settled'],
    ]);
  });

  it('on a titrated protocol, allows a rise of one step and refuses more than a step or above the maximum', async () => {
    // short-series: step 0.1 mg/kg/h × 70 kg = 7 mg/h; maximum min(1 mg/kg/h × 70, 80) = 70 mg/h.
    const { visit, session, nurse } = await running('short-series');
    const step = await post(nurse, visit, session, 'rate', { rate: '31.5', rate_reason: 'Pain 7/10' });
    expect(step.statusCode, step.body.slice(0, 1500)).toBe(303);
    const tooBig = await post(nurse, visit, session, 'rate', { rate: '38.6', rate_reason: 'Pain 7/10' });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.body).toContain('Rate: raise it by at most 7 mg/h (7 mL/h) at a time, the plan’s titration step.');
    const aboveMax = await post(nurse, visit, session, 'rate', { rate: '71', rate_reason: 'Pain 7/10' });
    expect(aboveMax.statusCode).toBe(400);
    expect(aboveMax.body).toContain('Rate: at most 70 mg/h (70 mL/h), the plan’s maximum for this weight.');
    expect(aboveMax.body).toMatch(/id="rate"[^>]*value="71"/);
    // A refused change writes nothing: the timeline is the start and the one step.
    expect(await events(session)).toEqual([
      ['start', 24.5, null],
      ['rate', 31.5, 'Pain 7/10'],
    ]);
  });

  it('shows the total infused from the timeline, frozen while paused', async () => {
    const { visit, session, nurse } = await running();
    await walkTo(nurse, visit.startsAt + HOUR);
    expect((await nurse.get(sessionUrl(visit, session))).body).toContain('<strong>24.5 mg</strong> of at most 98 mg');
    expect((await post(nurse, visit, session, 'pause', { pause_reason: 'Nausea' })).statusCode).toBe(303);
    await walkTo(nurse, rt().clock.now() + HOUR / 2);
    const paused = await nurse.get(sessionUrl(visit, session));
    expect(paused.body).toContain('<strong>24.5 mg</strong> of at most 98 mg');
    expect(paused.body).toContain('<dt>Rate now</dt><dd>Paused</dd>');
    expect((await post(nurse, visit, session, 'resume', { resume_reason: 'Nausea settled' })).statusCode).toBe(303);
    await walkTo(nurse, rt().clock.now() + HOUR / 2);
    expect((await nurse.get(sessionUrl(visit, session))).body).toContain('<strong>36.75 mg</strong>');
  });

  it('pauses, resumes and stops in turn, each with a reason, and refuses each out of turn with nothing written', async () => {
    const { visit, session, nurse } = await running();
    const page = async () => nurse.get(sessionUrl(visit, session));
    const raw = async (verb: string, fields: Record<string, string>) => {
      const p = await page();
      const version = /name="version" value="(\d+)"/.exec(p.body)![1]!;
      return nurse.post(`${sessionUrl(visit, session)}/${verb}`, { _csrf: csrfFrom(p.body), version, ...fields });
    };
    expect((await raw('resume', { resume_reason: 'x' })).statusCode).toBe(409);
    expect((await post(nurse, visit, session, 'pause', { pause_reason: '' })).statusCode).toBe(400);
    expect((await post(nurse, visit, session, 'pause', { pause_reason: 'Nausea' })).statusCode).toBe(303);
    expect(await stateOf(rt(), session)).toBe('paused');
    const again = await raw('pause', { pause_reason: 'Again' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('The infusion is not running');
    expect((await raw('rate', { rate: '20', rate_reason: 'x' })).statusCode).toBe(409);
    expect((await post(nurse, visit, session, 'resume', { resume_reason: 'Settled' })).statusCode).toBe(303);
    expect(await stateOf(rt(), session)).toBe('infusing');
    expect((await raw('resume', { resume_reason: 'x' })).statusCode).toBe(409);
    await walkTo(nurse, rt().clock.now() + HOUR);
    const stop = await post(nurse, visit, session, 'stop', { stop_reason: 'Headache, patient asked' });
    expect(stop.statusCode).toBe(303);
    const row = await db()
      .selectFrom('infusion_sessions')
      .selectAll()
      .where('id', '=', session)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('recovering');
    expect(Number(row.stopped_at)).toBe(rt().clock.now());
    expect(row.stop_reason).toBe('Headache, patient asked');
    expect(Number(row.stopped_early)).toBe(1);
    for (const [verb, fields] of [
      ['pause', { pause_reason: 'x' }],
      ['resume', { resume_reason: 'x' }],
      ['stop', { stop_reason: 'x' }],
      ['rate', { rate: '20', rate_reason: 'x' }],
    ] as const)
      expect((await raw(verb, fields)).statusCode, verb).toBe(409);
    expect(await count(rt(), 'session_events', session)).toBe(4);
  });

  it('stops on time without calling it early', async () => {
    const { visit, session, nurse } = await running();
    await walkTo(nurse, visit.startsAt + 4 * HOUR);
    expect((await post(nurse, visit, session, 'stop', { stop_reason: 'Completed' })).statusCode).toBe(303);
    const row = await db()
      .selectFrom('infusion_sessions')
      .selectAll()
      .where('id', '=', session)
      .executeTakeFirstOrThrow();
    expect(Number(row.stopped_early)).toBe(0);
  });

  it('refuses a change based on a page another nurse has since changed (409 naming who), writing nothing', async () => {
    const { visit, session, nurse } = await running();
    const provider = await signIn(rt(), 'provider@relief.example');
    const seenByProvider = await provider.get(sessionUrl(visit, session));
    expect((await post(nurse, visit, session, 'rate', { rate: '20', rate_reason: 'Dizzy' })).statusCode).toBe(303);
    const version = /name="version" value="(\d+)"/.exec(seenByProvider.body)![1]!;
    const stale = await provider.post(`${sessionUrl(visit, session)}/pause`, {
      _csrf: csrfFrom(seenByProvider.body),
      version,
      pause_reason: 'Checking the line',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else changed this session while you were on it');
    expect(stale.body).toContain('Nia Brooks');
    expect(await stateOf(rt(), session)).toBe('infusing');
    expect(await count(rt(), 'session_events', session)).toBe(2);
  });
});
