import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { owedQuestionnaires, type ScheduleSession } from '../../src/clinical/outcomes/questionnaire-schedule.ts';
import {
  DEFAULT_SCHEDULE,
  INSTRUMENT_IDS,
  scheduleSchema,
  type ScheduleRow,
} from '../../src/clinical/outcomes/questionnaire-settings.ts';
import { askedItems, readPostedAnswers, scoreAnswers } from '../../src/clinical/outcomes/questionnaire-answers.ts';
import { askedInstruments } from '../../src/clinical/outcomes/questionnaire-instruments.ts';
import { PAIN_MEASURES } from '../../src/clinical/instruments/pain.ts';

const ZONE = 'America/Chicago';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const plan = { id: 'plan-1', protocolCode: 'crps-10-day', status: 'active' as const };

function session(id: string, kind: 'induction' | 'booster', startIso: string, cancelled = false): ScheduleSession {
  const startsAt = at(startIso);
  return { appointmentId: id, kind, startsAt, endsAt: startsAt + 4 * 3_600_000, cancelled };
}

const series = [
  session('a1', 'induction', '2026-03-02T10:00'),
  session('a2', 'induction', '2026-03-03T10:00'),
  session('a3', 'induction', '2026-03-04T10:00'),
];

describe('questionnaire schedule: the defaults', () => {
  it('are a valid definition, marked with their source', () => {
    expect(scheduleSchema.safeParse(DEFAULT_SCHEDULE).success).toBe(true);
    expect(DEFAULT_SCHEDULE.map((r) => r.timepoint)).toEqual([
      'pre_session',
      'end_of_induction',
      'week_1',
      'week_4',
      'week_12',
      'pre_booster',
    ]);
  });

  it('owe pain now and average before each session, and the full set at the end and at 1, 4 and 12 weeks', () => {
    const owed = owedQuestionnaires(plan, series, DEFAULT_SCHEDULE, ZONE);
    const keys = owed.map((o) => o.scheduleKey);
    expect(keys).toEqual([
      'appointment:a1:pre_session',
      'appointment:a2:pre_session',
      'appointment:a3:pre_session',
      'plan:plan-1:end_of_induction',
      'plan:plan-1:week_1',
      'plan:plan-1:week_4',
      'plan:plan-1:week_12',
    ]);
    const pre = owed[0]!;
    expect(pre.instruments).toEqual([{ id: 'pain_nrs', version: 'nrs-2008.1', measures: ['now', 'average'] }]);
    // The day before at the same wall-clock time, closing at the start.
    expect(pre.opensAt).toBe(at('2026-03-01T10:00'));
    expect(pre.closesAt).toBe(at('2026-03-02T10:00'));
    const end = owed.find((o) => o.timepoint === 'end_of_induction')!;
    expect(end.instruments.map((i) => i.id)).toEqual(['pain_nrs', 'peg', 'phq9', 'gad7', 'pgic']);
    expect(end.opensAt).toBe(at('2026-03-04T14:00'));
    const week4 = owed.find((o) => o.timepoint === 'week_4')!;
    // 28 calendar days later across the change to summer time on 8 March: still 14:00 in Chicago.
    expect(week4.opensAt).toBe(at('2026-04-01T14:00'));
    expect(week4.closesAt).toBe(at('2026-04-08T14:00'));
  });

  it('asks a booster the full set once, not pain twice', () => {
    const owed = owedQuestionnaires(
      plan,
      [...series, session('b1', 'booster', '2026-05-04T10:00')],
      DEFAULT_SCHEDULE,
      ZONE,
    );
    const forBooster = owed.filter((o) => o.appointmentId === 'b1');
    expect(forBooster.map((o) => o.timepoint)).toEqual(['pre_booster']);
    expect(forBooster[0]!.opensAt).toBe(at('2026-05-01T10:00'));
  });

  it('owes nothing for a cancelled appointment, and the end of induction follows the last one booked', () => {
    const owed = owedQuestionnaires(
      plan,
      [series[0]!, series[1]!, { ...series[2]!, cancelled: true }],
      DEFAULT_SCHEDULE,
      ZONE,
    );
    expect(owed.some((o) => o.appointmentId === 'a3')).toBe(false);
    expect(owed.find((o) => o.timepoint === 'end_of_induction')!.opensAt).toBe(at('2026-03-03T14:00'));
  });

  it.each(['stopped', 'draft'] as const)('owes nothing for a %s plan', (status) => {
    expect(owedQuestionnaires({ ...plan, status }, series, DEFAULT_SCHEDULE, ZONE)).toEqual([]);
  });

  it('keeps following a completed or paused plan', () => {
    expect(owedQuestionnaires({ ...plan, status: 'completed' }, series, DEFAULT_SCHEDULE, ZONE)).toHaveLength(7);
    expect(owedQuestionnaires({ ...plan, status: 'paused' }, series, DEFAULT_SCHEDULE, ZONE)).toHaveLength(7);
  });

  it('uses a protocol’s own rows instead of the * rows', () => {
    const own: ScheduleRow = { ...DEFAULT_SCHEDULE[1]!, protocol: 'crps-10-day', timepoint: 'week_2', offsetDays: 14 };
    const owed = owedQuestionnaires(plan, series, [...DEFAULT_SCHEDULE, own], ZONE);
    expect(owed.map((o) => o.timepoint)).toEqual(['week_2']);
  });
});

describe('questionnaire schedule: properties', () => {
  const sessionArb = fc.record({
    appointmentId: fc.uuid(),
    kind: fc.constantFrom('induction' as const, 'booster' as const),
    startsAt: fc.integer({ min: at('2026-01-01T00:00'), max: at('2027-12-31T00:00') }),
    hours: fc.integer({ min: 1, max: 8 }),
    cancelled: fc.boolean(),
  });
  const rowArb = fc.record({
    protocol: fc.constant('*'),
    timepoint: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
    anchor: fc.constantFrom('each_session' as const, 'end_of_induction' as const, 'each_booster' as const),
    offsetDays: fc.integer({ min: -30, max: 730 }),
    windowDays: fc.integer({ min: 1, max: 60 }),
    instruments: fc.subarray([...INSTRUMENT_IDS], { minLength: 1 }),
    painMeasures: fc.subarray([...PAIN_MEASURES], { minLength: 1 }),
  }) satisfies fc.Arbitrary<ScheduleRow>;
  const sessionsArb = fc
    .array(sessionArb, { maxLength: 12 })
    .map((list) => list.map((s) => ({ ...s, endsAt: s.startsAt + s.hours * 3_600_000 })));
  const rowsArb = fc.uniqueArray(rowArb, { maxLength: 6, selector: (r) => r.timepoint });
  const zoneArb = fc.constantFrom('America/Chicago', 'America/Denver', 'Europe/London', 'Australia/Lord_Howe');

  it('never a window that closes before it opens; keys unique; the same input owes the same', () => {
    fc.assert(
      fc.property(sessionsArb, rowsArb, zoneArb, (sessions, rows, zone) => {
        const owed = owedQuestionnaires(plan, sessions, rows, zone);
        expect(owed.every((o) => o.closesAt > o.opensAt)).toBe(true);
        expect(new Set(owed.map((o) => o.scheduleKey)).size).toBe(owed.length);
        expect(owedQuestionnaires(plan, [...sessions].reverse(), rows, zone)).toEqual(
          owedQuestionnaires(plan, sessions, rows, zone),
        );
      }),
    );
    // Found by CI: two sessions starting at the same instant once came out in their input order.
    const at = Date.parse('2026-01-01T06:00:00.008Z');
    const same = ['00000000-0000-1000-8000-000000000000', '00000000-0000-1000-8000-000000000001'].map((id) => ({
      appointmentId: id,
      kind: 'induction' as const,
      startsAt: at,
      endsAt: at + 3_600_000,
      hours: 1,
      cancelled: false,
    }));
    const row = {
      protocol: '*',
      timepoint: 'a',
      anchor: 'each_session' as const,
      offsetDays: 0,
      windowDays: 1,
      instruments: ['pgic' as const],
      painMeasures: ['now' as const],
    };
    expect(owedQuestionnaires(plan, [...same].reverse(), [row], 'America/Chicago')).toEqual(
      owedQuestionnaires(plan, same, [row], 'America/Chicago'),
    );
  });

  it('a cancelled appointment owes nothing', () => {
    fc.assert(
      fc.property(sessionsArb, rowsArb, zoneArb, (sessions, rows, zone) => {
        const cancelled = new Set(sessions.filter((s) => s.cancelled).map((s) => s.appointmentId));
        const booked = new Set(sessions.filter((s) => !s.cancelled).map((s) => s.appointmentId));
        const owed = owedQuestionnaires(plan, sessions, rows, zone);
        return owed.every(
          (o) => o.appointmentId === null || !cancelled.has(o.appointmentId) || booked.has(o.appointmentId),
        );
      }),
    );
  });
});

describe('questionnaire answers', () => {
  const full = askedInstruments(['pain_nrs', 'peg', 'phq9', 'gad7', 'pgic'], ['now', 'average', 'worst']);

  it('refuses an out-of-range answer naming the item, and keeps nothing of that post', () => {
    const read = readPostedAnswers(full, {}, { 'pain_nrs.now': '11', 'phq9.q9': '4', 'peg.p': '3' });
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(Object.keys(read.errors)).toEqual(['pain_nrs.now', 'phq9.q9']);
    expect(read.errors['pain_nrs.now']).toContain('How much pain do you have right now?');
    expect(read.errors['pain_nrs.now']).toContain('0 to 10');
  });

  it('scores only when every item is answered, and writes every report column', () => {
    const body: Record<string, string> = {};
    for (const item of askedItems(full)) body[item.field] = item.instrument === 'pgic' ? '2' : '1';
    body['pain_nrs.now'] = '6';
    body['pain_nrs.worst'] = '8';
    const partialBody = { ...body };
    delete partialBody['gad7.q7'];
    const partial = readPostedAnswers(full, {}, partialBody);
    expect(partial.ok && scoreAnswers(full, partial.answers)).toMatchObject({ complete: false, report: null });
    const read = readPostedAnswers(full, {}, body);
    if (!read.ok) throw new Error('refused');
    const scored = scoreAnswers(full, read.answers);
    expect(scored.report).toEqual({
      pain_now: 6,
      pain_average: 1,
      pain_worst: 8,
      phq9_total: 9,
      phq9_item9: 1,
      gad7_total: 7,
      interference: 1,
      pgic: 2,
      pgic_label: 'Much improved',
    });
    expect(scored.item9).toBe('alert');
  });

  it('reports item 9 from a partial answer too', () => {
    const read = readPostedAnswers(full, {}, { 'phq9.q9': '2' });
    expect(read.ok && scoreAnswers(full, read.answers).item9).toBe('urgent');
  });
});
