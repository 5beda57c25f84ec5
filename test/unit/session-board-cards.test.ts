import { describe, expect, it } from 'vitest';
import { boardCards, boardName, worstAlert } from '../../src/clinical/sessions/board-cards.ts';
import type { BoardAlert, BoardReading, BoardVisitRow } from '../../src/clinical/sessions/board-repository.ts';

const MIN = 60_000;
const T = Date.parse('2026-03-03T16:00:00.000Z');
const plan = JSON.stringify({ monitoring: { firstHourEveryMinutes: 15, thenEveryMinutes: 30 } });

function row(over: Partial<BoardVisitRow>): BoardVisitRow {
  return {
    appointmentId: 'a',
    startsAt: T,
    endsAt: T + 240 * MIN,
    attendance: null,
    chairId: 'c1',
    chair: 'Chair 1',
    patientId: 'p',
    firstName: 'Rosa',
    lastName: 'vega',
    sessionId: null,
    state: null,
    checkedInAt: null,
    startedAt: null,
    stoppedAt: null,
    planDefinition: null,
    ...over,
  };
}

const alert = (over: Partial<BoardAlert>): BoardAlert => ({
  sessionId: 's',
  code: 'systolicHigh',
  kind: 'absolute',
  raisedAt: T,
  escalated: false,
  ...over,
});

describe('board cards (pure)', () => {
  it('names a patient by first name and last initial, capitalised', () => {
    expect(boardName('Rosa', 'vega')).toBe('Rosa V.');
    expect(boardName('Rosa', '')).toBe('Rosa');
    expect(boardName(null, null)).toBe('Patient not named');
  });

  it('shows the open session in a chair before a visit still to come, and lists the rest', () => {
    const rows = [
      row({
        appointmentId: 'early',
        startsAt: T - 300 * MIN,
        endsAt: T - 60 * MIN,
        sessionId: 's0',
        state: 'discharged',
      }),
      row({ appointmentId: 'noshow', startsAt: T - 30 * MIN, attendance: 'no_show' }),
      row({ appointmentId: 'now', sessionId: 's1', state: 'checked_in', checkedInAt: T - 5 * MIN }),
      row({ appointmentId: 'later', startsAt: T + 300 * MIN, endsAt: T + 540 * MIN }),
    ];
    const [card] = boardCards(rows, T);
    expect(card!.current.appointmentId).toBe('now');
    expect(card!.others.map((o) => [o.appointmentId, o.state])).toEqual([
      ['early', 'discharged'],
      ['noshow', 'no_show'],
      ['later', 'booked'],
    ]);
    expect(card!.clinical).toBeNull();
  });

  it('without an open session, shows the next booked visit, else the last of the day', () => {
    const done = row({
      appointmentId: 'done',
      startsAt: T - 300 * MIN,
      endsAt: T - 60 * MIN,
      sessionId: 's',
      state: 'discharged',
    });
    const next = row({ appointmentId: 'next', startsAt: T + 60 * MIN, endsAt: T + 300 * MIN });
    expect(boardCards([done, next], T)[0]!.current.appointmentId).toBe('next');
    expect(boardCards([done], T)[0]!.current.appointmentId).toBe('done');
  });

  it('gives one card per chair, in the rows’ order', () => {
    const cards = boardCards([row({ chairId: 'c1' }), row({ chairId: 'c2', chair: 'Chair 2', appointmentId: 'b' })], T);
    expect(cards.map((c) => c.chair)).toEqual(['Chair 1', 'Chair 2']);
  });

  it('works out the next reading due from the plan, overdue a minute after it, and none once stopped', () => {
    const running = row({ sessionId: 's', state: 'infusing', startedAt: T, planDefinition: plan });
    const reading: BoardReading = {
      sessionId: 's',
      phase: 'infusion',
      takenAt: T + 15 * MIN,
      systolic: 120,
      diastolic: 80,
      heartRate: 70,
      spo2: 98,
      respiratoryRate: 14,
      sedation: 0,
    };
    const at = (now: number, r = reading) =>
      boardCards([running], now, { readings: new Map([['s', r]]), alerts: [] })[0]!.clinical!;
    expect(at(T + 30 * MIN).nextDue).toBe(T + 30 * MIN);
    expect(at(T + 30 * MIN).overdueMinutes).toBe(0);
    expect(at(T + 30 * MIN + 1).overdueMinutes).toBe(1);
    expect(at(T + 42 * MIN).overdueMinutes).toBe(12);
    // A pre-infusion reading does not count toward the schedule: due 15 minutes after the start.
    expect(at(T + 10 * MIN, { ...reading, phase: 'pre', takenAt: T - 5 * MIN }).nextDue).toBe(T + 15 * MIN);
    const stopped = row({
      sessionId: 's',
      state: 'recovering',
      startedAt: T,
      stoppedAt: T + 240 * MIN,
      planDefinition: plan,
    });
    expect(boardCards([stopped], T + 250 * MIN, { readings: new Map(), alerts: [] })[0]!.clinical!.nextDue).toBeNull();
    const unreadable = row({ sessionId: 's', state: 'infusing', startedAt: T, planDefinition: '{}' });
    expect(boardCards([unreadable], T, { readings: new Map(), alerts: [] })[0]!.clinical!.scheduleUnknown).toBe(true);
  });

  it('names the worst open alert: escalated first, then absolute, sustained, rise, overdue, then the oldest', () => {
    const overdue = alert({ kind: 'overdue', code: 'vitalsOverdue', raisedAt: T - 10 * MIN });
    const rise = alert({ kind: 'rise', code: 'systolicRise' });
    const absolute = alert({ kind: 'absolute', raisedAt: T + MIN });
    const older = alert({ kind: 'absolute', code: 'heartRateHigh' });
    expect(worstAlert([])).toBeNull();
    expect(worstAlert([overdue, rise])).toBe(rise);
    expect(worstAlert([overdue, rise, absolute, older])).toBe(older);
    const escalated = { ...overdue, escalated: true };
    expect(worstAlert([absolute, escalated])).toBe(escalated);
  });
});
