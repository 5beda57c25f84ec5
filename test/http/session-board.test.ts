import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { describe, expect, it } from 'vitest';
import { raiseDueAlerts } from '../../src/clinical/sessions/alerts-escalation.ts';
import { boardChanges, boardView } from '../../src/clinical/sessions/board.ts';
import { seedDemoBoard } from '../../src/seed/demo-board.ts';
import { seedDemoProtocols } from '../../src/seed/demo-protocols.ts';
import { seedDemoVisits } from '../../src/seed/demo-visits.ts';
import { seedWalkPatient } from '../../src/seed/demo-walk.ts';
import type { Actor } from '../../src/kernel/audit/staff-audit.ts';
import type { StaffContext } from '../../src/kernel/http/policy.ts';
import { useTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { checkedInSession, infusingSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { openEventStream } from '../helpers/sse.ts';
import { signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const MIN = 60_000;
/** The board's day: Tuesday March 3, 2026; 10:00 Chicago (CST) is 16:00 UTC. */
const TEN = Date.parse('2026-03-03T16:00:00.000Z');

/** An ordered visit moved to the board's day at `chair`, 10:00–14:00 (each fixture patient is booked on a day of its own). */
async function visitAt(r: TestRuntime, first: string, chair: number, last = 'Vega'): Promise<OrderedVisit> {
  const visit = await orderedVisit(r, first);
  await r.database.db.updateTable('patients').set({ last_name: last }).where('id', '=', visit.patientId).execute();
  await r.database.db
    .updateTable('appointments')
    .set({
      starts_at: TEN,
      ends_at: TEN + 240 * MIN,
      busy_from: TEN,
      busy_to: TEN + 240 * MIN,
      room_id: `chair-chi-${chair}`,
      // Each chair's visit in a supervision lane of its own: they run at the same time.
      supervisor_lane: chair,
    })
    .where('id', '=', visit.appointmentId)
    .execute();
  return { ...visit, startsAt: TEN };
}

async function reading(r: TestRuntime, sessionId: string, by: string, takenAt: number, systolic = 130) {
  await r.database.db
    .insertInto('session_vitals')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      phase: 'infusion',
      taken_at: takenAt,
      recorded_at: takenAt,
      recorded_by: by,
      late_reason: null,
      entry_key: randomUUID(),
      systolic,
      diastolic: 80,
      heart_rate: 76,
      spo2: 97,
      respiratory_rate: 14,
      temperature_c: null,
      sedation: 0,
      dissociation: 1,
    })
    .execute();
}

async function alert(r: TestRuntime, sessionId: string, code: string, kind: string, at: number) {
  await r.database.db
    .insertInto('session_alerts')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      key: `${kind}:${code}:${at}`,
      code,
      kind,
      detail: '{}',
      raised_at: at,
      acknowledged_at: null,
      acknowledged_by: null,
      action: null,
      escalated_at: null,
      escalated_to: null,
    })
    .execute();
}

/**
 * Three chairs in use at Chicago at 10:40: chair 1 infusing since 10:00 with one reading at 10:05 (next due 10:20 on
 * the protocol's every-15-minutes first hour: overdue) and an open alert, chair 2 checked in, chair 3 booked.
 */
async function threeChairs(r: TestRuntime) {
  const rosa = await visitAt(r, 'Rosa', 1, 'Vega');
  const sam = await visitAt(r, 'Sam', 2, 'Okoro');
  const lee = await visitAt(r, 'Lee', 3, 'Park');
  const infusing = await infusingSession(r, rosa, TEN);
  await reading(r, infusing, rosa.nurseId, TEN + 5 * MIN, 188);
  await alert(r, infusing, 'systolicHigh', 'absolute', TEN + 5 * MIN);
  const checkedIn = await checkedInSession(r, sam, TEN - 10 * MIN);
  r.clock.set('2026-03-03T16:40:00.000Z');
  return { rosa, sam, lee, infusing, checkedIn };
}

const cardOf = (html: string, chair: number) => {
  const m = new RegExp(`<li[^>]*id="chair-chair-chi-${chair}"[\\s\\S]*?</li>`).exec(html);
  if (!m) throw new Error(`no card for chair ${chair}`);
  return m[0];
};

describe('nurse board (/staff/board)', () => {
  it('shows a nurse one card per chair in use: state, time since start, overdue vitals, latest reading, alerts', async () => {
    const { rosa, sam, lee, infusing, checkedIn } = await threeChairs(rt());
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const res = await nurse.get('/staff/board');
    expect(res.statusCode).toBe(200);
    const one = cardOf(res.body, 1);
    expect(one).toContain('Chair 1');
    expect(one).toContain('Rosa V.');
    expect(one).toContain('Infusing');
    expect(one).toMatch(/Started<\/dt><dd>10:00 AM, 4\d min ago/);
    // Due 10:20 (15 minutes after the 10:05 reading); the clock is 10:40:30 after sign-in.
    expect(one).toContain('Overdue by 20 min (due 10:20 AM)');
    expect(one).toContain('BP 188/80, HR 76, SpO₂ 97 %, RR 14');
    expect(one).toContain('1 open: Systolic pressure high');
    expect(one).toContain(`href="/staff/patients/${rosa.patientId}/sessions/${infusing}"`);
    const two = cardOf(res.body, 2);
    expect(two).toContain('Sam O.');
    expect(two).toContain('Checked in');
    expect(two).toContain('None yet');
    expect(two).not.toContain('Overdue');
    expect(two).toContain(`/staff/patients/${sam.patientId}/sessions/${checkedIn}`);
    const three = cardOf(res.body, 3);
    expect(three).toContain('Booked');
    expect(three).toContain('Lee P.');
    expect(three).toContain(`href="/staff/appointments/${lee.appointmentId}/check-in"`);
    expect(res.body).not.toContain('chair-chair-chi-4');
    // The read is audited, with counts only.
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'board.view')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).not.toContain('Rosa');
  });

  it('marks the next reading due, not overdue, once a reading is in on time', async () => {
    const { rosa, infusing } = await threeChairs(rt());
    await reading(rt(), infusing, rosa.nurseId, TEN + 35 * MIN);
    const provider = await signIn(rt(), 'provider@relief.example');
    const one = cardOf((await provider.get('/staff/board?location=chicago')).body, 1);
    expect(one).toContain('Due 10:50 AM');
    expect(one).not.toContain('Overdue');
    expect(one).toContain('BP 130/80');
  });

  it('shows the front desk and administrators chair status only: no clinical value, no session link', async () => {
    await threeChairs(rt());
    for (const email of ['frontdesk@relief.example', 'admin@relief.example']) {
      const b = await signIn(rt(), email);
      const res = await b.get('/staff/board?location=chicago');
      expect(res.statusCode, email).toBe(200);
      expect(res.body).toContain('Chair 1');
      expect(res.body).toContain('Rosa V.');
      expect(res.body).toContain('Infusing');
      expect(res.body).toContain('Checked in');
      expect(res.body).toContain('Booked');
      for (const clinical of [
        '188',
        'BP ',
        'SpO',
        'Overdue',
        'Next vitals',
        'Latest vitals',
        'board-alert',
        'open:',
        'Open alerts',
        'Systolic',
        '/sessions/',
        '/check-in',
        'min ago',
      ]) {
        expect(res.body, `${email}: ${clinical}`).not.toContain(clinical);
      }
    }
  });

  it('keeps other locations out: 404 and a denied event, and the Denver desk sees no Chicago chair', async () => {
    await threeChairs(rt());
    const nurse = await signIn(rt(), 'nurse@relief.example');
    expect((await nurse.get('/staff/board?location=denver')).statusCode).toBe(404);
    expect((await nurse.get('/staff/board/cards?location=loc-denver')).statusCode).toBe(404);
    expect((await nurse.get('/staff/board/events?location=denver')).statusCode).toBe(404);
    expect((await nurse.get('/staff/board?location=nowhere')).statusCode).toBe(404);
    const denied = await rt()
      .database.db.selectFrom('audit_events')
      .select(['outcome', 'location_id'])
      .where('action', '=', 'board.view')
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied.every((d) => d.location_id === 'loc-denver')).toBe(true);
    const denver = await signIn(rt(), 'denver.desk@relief.example');
    const own = await denver.get('/staff/board');
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Denver');
    expect(own.body).not.toContain('Rosa');
    expect(own.body).toContain('No infusions are booked in a chair here today.');
    expect((await denver.get('/staff/board?location=chicago')).statusCode).toBe(404);
  });

  it('answers the cards alone, marked as cards, for the live page', async () => {
    await threeChairs(rt());
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const res = await nurse.get('/staff/board/cards?location=chicago');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-board-cards']).toBe('1');
    expect(res.body.startsWith('<p class="board-updated')).toBe(true);
    expect(res.body).toContain('Rosa V.');
  });

  it('reads every card with the same few queries however many chairs are in use', async () => {
    const counted = async () => {
      let n = 0;
      const plugin: KyselyPlugin = {
        transformQuery: (args: PluginTransformQueryArgs) => {
          n++;
          return args.node;
        },
        transformResult: async (args: PluginTransformResultArgs) => args.result,
      };
      const database = { ...rt().database, db: rt().database.db.withPlugin(plugin) };
      const staff = {
        userId: (
          await rt()
            .database.db.selectFrom('users')
            .select('id')
            .where('email', '=', 'nurse@relief.example')
            .executeTakeFirstOrThrow()
        ).id,
        role: 'nurse',
        locationIds: ['loc-chicago'],
        breakGlassUntil: null,
      } as unknown as StaffContext;
      const actor: Actor = { staff, ip: '127.0.0.1', now: rt().clock.now() };
      const view = await boardView(database, actor, 'chicago');
      return { queries: n, cards: view.cards.length };
    };
    const a = await visitAt(rt(), 'Ana', 1);
    await infusingSession(rt(), a, TEN);
    rt().clock.set('2026-03-03T16:30:00.000Z');
    const few = await counted();
    for (const [i, name] of ['Bo', 'Cy', 'Di', 'Ed'].entries()) {
      const v = await visitAt(rt(), name, i + 2);
      const s = await infusingSession(rt(), v, TEN);
      await reading(rt(), s, v.nurseId, TEN + 5 * MIN);
      await alert(rt(), s, 'vitalsOverdue', 'overdue', TEN + 25 * MIN);
    }
    const many = await counted();
    expect(few.cards).toBe(1);
    expect(many.cards).toBe(5);
    expect(many.queries).toBe(few.queries);
    expect(many.queries).toBeLessThanOrEqual(4);
  });
});

describe('live board (/staff/board/events)', () => {
  it('tells an open board of a change made elsewhere within 2 seconds, and ends the stream on disconnect', async () => {
    const { rosa, checkedIn } = await threeChairs(rt());
    const nurse = await signIn(rt(), 'nurse@relief.example');
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    const stream = await openEventStream(`${origin}/staff/board/events?location=chicago`, nurse.cookieHeader);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    const until = stream.until;
    expect(await until(/retry: 2000/, 2000)).toBe(true);
    // Nothing changed: no event after a poll or two.
    expect(await until(/event: change/, 1500)).toBe(false);
    // Another nurse moves the session on (any session write moves its version and updated_at).
    const changedAt = Date.now();
    await rt()
      .database.db.updateTable('infusion_sessions')
      .set({ state: 'ready', version: 2, updated_at: rt().clock.now(), updated_by: rosa.nurseId })
      .where('id', '=', checkedIn)
      .execute();
    expect(await until(/event: change\ndata: 1/, 2000)).toBe(true);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    stream.close();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        rt().app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      );
    for (let i = 0; i < 20 && (await connections()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await connections()).toBe(0);
  });
  it('moves on when an alert is raised, acknowledged or escalated without a session write (the 30-s overdue run)', async () => {
    const { infusing } = await threeChairs(rt());
    const location = await rt()
      .database.db.selectFrom('locations')
      .selectAll()
      .where('id', '=', 'loc-chicago')
      .executeTakeFirstOrThrow();
    const stampAt = boardChanges(rt().database, location);
    const now = rt().clock.now();
    const before = await stampAt(now);
    expect(await stampAt(now)).toBe(before);
    // The overdue-vitals run raises its alert straight into session_alerts; the session row is not written.
    const version = async () =>
      (
        await rt()
          .database.db.selectFrom('infusion_sessions')
          .select('version')
          .where('id', '=', infusing)
          .executeTakeFirstOrThrow()
      ).version;
    const sessionVersion = await version();
    await raiseDueAlerts(rt().database, now);
    expect(await version()).toBe(sessionVersion);
    const raised = await stampAt(now);
    expect(raised).not.toBe(before);
    await rt()
      .database.db.updateTable('session_alerts')
      .set({ escalated_at: now, escalated_to: null })
      .where('session_id', '=', infusing)
      .where('escalated_at', 'is', null)
      .execute();
    expect(await stampAt(now)).not.toBe(raised);
  });
});

describe('the demo day on the board', () => {
  it('seeds Chicago’s board with a visit in each state, written by the day’s rules, once', async () => {
    // Wednesday 4 March 2026, 13:00 in Chicago; in the runtime's order: the board first, then the calendar around it.
    rt().clock.set('2026-03-04T19:00:00.000Z');
    const now = rt().clock.now();
    await seedDemoProtocols(rt().database, now);
    expect(await seedDemoBoard(rt().database, now)).toBe(5);
    expect(await seedDemoBoard(rt().database, now)).toBe(0);
    expect(await seedDemoVisits(rt().database, now)).toBeGreaterThan(50);
    expect(await seedWalkPatient(rt().database, now)).toBe(true);

    const db = rt().database.db;
    const sessions = await db
      .selectFrom('infusion_sessions as s')
      .innerJoin('dose_orders as o', 'o.id', 's.dose_order_id')
      .innerJoin('appointments as a', 'a.id', 's.appointment_id')
      .select(['s.state', 's.version', 'o.status', 'o.ordered_by', 'o.verified_by', 'a.supervisor_id', 'a.nurse_id'])
      .execute();
    expect(sessions.map((s) => s.state).sort()).toEqual(['discharged', 'infusing', 'recovering']);
    for (const s of sessions) {
      expect(s.status).toBe('verified');
      expect(s.ordered_by).not.toBe(s.verified_by);
      expect(s.supervisor_id).toBe('prov-okafor');
      expect(s.nurse_id).not.toBeNull();
    }
    const bags = await db.selectFrom('session_bags').select(['drawn_by', 'witnessed_by']).execute();
    expect(bags).toHaveLength(3);
    expect(bags.every((b) => b.drawn_by !== b.witnessed_by)).toBe(true);

    const nurse = await signIn(rt(), 'nurse@relief.example');
    const board = await nurse.get('/staff/board');
    expect(board.statusCode).toBe(200);
    // Each visit shows: as its chair's card when it is the one in the chair now, else on the chair's "Also today"
    // line (a visit over, or one still to come after the chair's current patient).
    const cards = board.body.match(/<li[^>]*class="board-card[\s\S]*?<\/li>/g) ?? [];
    for (const [name, state] of [
      ['Hana S.', 'Discharged'],
      ['Owen P.', 'Recovering'],
      ['Marta S.', 'Infusing'],
      ['Tomas N.', 'Checked in'],
      ['Grace A.', 'Booked'],
    ] as const) {
      const current = cards.find((c) => c.includes(`<p class="board-who">${name}<`));
      const listed = cards.some((c) => c.includes(`${name} (${state.toLowerCase()})`));
      expect(current?.includes(`>${state}<`) || listed, `${name}: ${state}`).toBe(true);
    }
    expect(cards.find((c) => c.includes('Owen P.'))).toMatch(/Stopped<\/dt><dd>12:35 PM, 25 min ago/);
    const marta = cards.find((c) => c.includes('Marta S.'))!;
    expect(marta).toMatch(/Latest vitals<\/dt><dd>BP \d+\/\d+/);
    expect(marta).toMatch(/Next vitals<\/dt><dd>Due \d/);
    expect(marta).toContain('Open alerts</dt><dd>None');
  });

  it('opens every demo session for the nurse, each belonging to its plan, the checked-in one not held by consent, the discharged one with its record', async () => {
    rt().clock.set('2026-03-04T19:00:00.000Z');
    await seedDemoProtocols(rt().database, rt().clock.now());
    expect(await seedDemoBoard(rt().database, rt().clock.now())).toBe(5);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const board = await nurse.get('/staff/board');
    const links = [...board.body.matchAll(/href="(\/staff\/patients\/[^"]+\/sessions\/[^"]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(4);
    let checked = 0;
    for (const link of links) {
      const page = await nurse.get(link);
      expect(page.statusCode, `${link}: ${page.body.slice(0, 300)}`).toBe(200);
      const state = /<dt>State<\/dt>\s*<dd>(?:<[^>]+>)*([^<]+)</.exec(page.body)?.[1];
      if (state === 'Checked in') {
        checked++;
        expect(page.body).not.toContain('Consent is not current');
      }
      if (state === 'Discharged') {
        checked++;
        expect(page.body).toContain('Awaiting the supervising provider’s co-signature.');
      }
    }
    expect(checked).toBe(2);
  });
});
