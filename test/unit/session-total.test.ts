import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyTimelineChange,
  infusedMg,
  timelineState,
  type RateLimits,
  type TimelineEvent,
} from '../../src/clinical/sessions/total.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-12-07T15:00:00.000Z');
const t = (minutes: number) => T0 + minutes * MIN;
/** The short series at 70 kg: 35 mg/h ordered, 7 mg/h steps, at most 70 mg/h. */
const TITRATED: RateLimits = { orderedMgPerHour: 35, maxMgPerHour: 70, stepMgPerHour: 7 };
/** Schwartzman at 70 kg: 24.5 mg/h, fixed. */
const FIXED: RateLimits = { orderedMgPerHour: 24.5, maxMgPerHour: 25, stepMgPerHour: null };

const start = (min: number, mgPerHour: number): TimelineEvent => ({ kind: 'start', at: t(min), mgPerHour });
const rate = (min: number, mgPerHour: number): TimelineEvent => ({ kind: 'rate', at: t(min), mgPerHour, reason: 'r' });
const pause = (min: number): TimelineEvent => ({ kind: 'pause', at: t(min), reason: 'nausea' });
const resume = (min: number): TimelineEvent => ({ kind: 'resume', at: t(min), reason: 'settled' });
const stop = (min: number): TimelineEvent => ({ kind: 'stop', at: t(min), reason: 'done' });

describe('the infusion total, by hand', () => {
  // Each worked on paper: mg = Σ rate × hours running, capped at the limit.
  type Row = [string, TimelineEvent[], number, number, number, number | null, number, number];
  const rows: Row[] = [
    // name, events, until (min), limit mg, mg, limit reached (min), highest mg/h, running (min)
    ['nothing started', [], 60, 100, 0, null, 0, 0],
    ['24 mg/h for 1 h', [start(0, 24)], 60, 100, 24, null, 24, 60],
    ['24 mg/h for 4 h reaches 96', [start(0, 24), stop(240)], 300, 100, 96, null, 24, 240],
    ['30 mg/h for 4 h stops at 100 mg after 3 h 20', [start(0, 30)], 240, 100, 100, 200, 30, 200],
    ['35 then 42 mg/h: 35 × 0.5 + 42 × 0.5 = 38.5', [start(0, 35), rate(30, 42)], 60, 320, 38.5, null, 42, 60],
    ['a 20-minute pause adds nothing', [start(0, 30), pause(30), resume(50)], 70, 100, 25, null, 30, 50],
    ['paused at the end: frozen at the pause', [start(0, 30), pause(30)], 90, 100, 15, null, 30, 30],
    ['a fall is a new rate: 40 → 20', [start(0, 40), rate(30, 20), stop(90)], 120, 320, 40, null, 40, 90],
    ['until before the start', [start(10, 30)], 5, 100, 0, null, 0, 0],
    ['stopped then nothing more', [start(0, 60), stop(60)], 600, 320, 60, null, 60, 60],
    ['the limit met exactly at the stop', [start(0, 25), stop(240)], 240, 100, 100, 240, 25, 240],
  ];
  it.each(rows)('%s', (_name, events, until, limit, mg, reachedMin, highest, runningMin) => {
    const r = infusedMg(events, t(until), limit);
    expect(r.mg).toBeCloseTo(mg, 9);
    expect(r.limitReachedAt).toBe(reachedMin === null ? null : t(reachedMin));
    expect(r.highestMgPerHour).toBe(highest);
    expect(r.runningMs).toBe(runningMin * MIN);
  });

  it('the limit reached during a stretch is timed to the millisecond, rounded up', () => {
    // 7 mg/h to 1 mg: 3600000 / 7 = 514285.71… ms
    expect(infusedMg([start(0, 7)], t(60), 1).limitReachedAt).toBe(T0 + 514_286);
  });
});

describe('the timeline, changes allowed and refused', () => {
  const running = [start(0, 35)];
  const NOW = t(120);
  type Row = [string, TimelineEvent[], TimelineEvent, RateLimits, string | null, string | null];
  const rows: Row[] = [
    // name, events so far, change, limits, refused field, code (null = allowed)
    ['a start at the ordered rate', [], start(0, 35), TITRATED, null, null],
    ['a start below the ordered rate', [], start(0, 30), TITRATED, null, null],
    ['a start above the ordered rate', [], start(0, 35.5), TITRATED, 'mgPerHour', 'above_ordered_rate'],
    ['a second start', running, start(10, 35), TITRATED, 'kind', 'already_started'],
    ['a rate before the start', [], rate(0, 35), TITRATED, 'kind', 'not_started'],
    ['a stop before the start', [], stop(0), TITRATED, 'kind', 'not_started'],
    ['one step up', running, rate(10, 42), TITRATED, null, null],
    ['more than one step up', running, rate(10, 42.01), TITRATED, 'mgPerHour', 'above_step'],
    ['any fall', running, rate(10, 5), TITRATED, null, null],
    [
      'up to the maximum by steps',
      [start(0, 35), rate(5, 42), rate(10, 49), rate(15, 56), rate(20, 63)],
      rate(25, 70),
      TITRATED,
      null,
      null,
    ],
    [
      'above the maximum',
      [start(0, 35), rate(5, 42), rate(10, 49), rate(15, 56), rate(20, 63), rate(25, 70)],
      rate(30, 70.5),
      TITRATED,
      'mgPerHour',
      'above_max_rate',
    ],
    ['a rate of 0', running, rate(10, 0), TITRATED, 'mgPerHour', 'rate_not_positive'],
    ['a negative rate', running, rate(10, -5), TITRATED, 'mgPerHour', 'rate_not_positive'],
    ['a rate that is not a number', running, rate(10, Number.NaN), TITRATED, 'mgPerHour', 'rate_not_positive'],
    [
      'fixed rate: back up to the ordered rate after a fall',
      [start(0, 24.5), rate(5, 20)],
      rate(10, 24.5),
      FIXED,
      null,
      null,
    ],
    [
      'fixed rate: above the ordered rate, under the cap',
      [start(0, 24.5)],
      rate(10, 25),
      FIXED,
      'mgPerHour',
      'above_ordered_rate',
    ],
    ['a rate while paused', [start(0, 35), pause(5)], rate(10, 30), TITRATED, 'kind', 'not_running'],
    ['a pause while paused', [start(0, 35), pause(5)], pause(10), TITRATED, 'kind', 'not_running'],
    ['a resume while running', running, resume(10), TITRATED, 'kind', 'not_paused'],
    ['a resume after a pause', [start(0, 35), pause(5)], resume(10), TITRATED, null, null],
    ['a stop while paused', [start(0, 35), pause(5)], stop(10), TITRATED, null, null],
    ['anything after the stop', [start(0, 35), stop(60)], resume(70), TITRATED, 'kind', 'stopped'],
    ['a second stop', [start(0, 35), stop(60)], stop(70), TITRATED, 'kind', 'stopped'],
    ['a change in the future', running, rate(121, 30), TITRATED, 'at', 'in_future'],
    ['a change at this very moment', running, rate(120, 30), TITRATED, null, null],
    ['a change before the last event', [start(0, 35), rate(30, 30)], rate(29, 25), TITRATED, 'at', 'before_last_event'],
    ['a change at the last event’s instant', [start(0, 35), rate(30, 30)], pause(30), TITRATED, null, null],
    [
      'a pause without a reason',
      running,
      { kind: 'pause', at: t(10), reason: '  ' },
      TITRATED,
      'reason',
      'reason_required',
    ],
    [
      'a rate without a reason',
      running,
      { kind: 'rate', at: t(10), mgPerHour: 30, reason: '' },
      TITRATED,
      'reason',
      'reason_required',
    ],
  ];
  it.each(rows)('%s', (_name, events, change, limits, field, code) => {
    const copy = structuredClone(events);
    const r = applyTimelineChange(events, change, limits, NOW);
    expect(events).toEqual(copy);
    if (code === null) expect(r).toEqual({ events: [...events, change] });
    else expect(r).toEqual({ refusal: { field, code } });
  });

  it('knows where the timeline stands', () => {
    expect(timelineState([])).toEqual({ state: 'not_started', mgPerHour: null });
    expect(timelineState([start(0, 35), rate(5, 42)])).toEqual({ state: 'running', mgPerHour: 42 });
    expect(timelineState([start(0, 35), pause(5)])).toEqual({ state: 'paused', mgPerHour: 35 });
    expect(timelineState([start(0, 35), pause(5), stop(6)])).toEqual({ state: 'stopped', mgPerHour: 35 });
  });
});

describe('the infusion total, properties', () => {
  // A nurse's random session: each step tries a change at a later minute; refused ones are dropped.
  const change = fc.record({
    kind: fc.constantFrom('start', 'rate', 'pause', 'resume', 'stop'),
    gap: fc.integer({ min: 0, max: 60 }),
    mgPerHour: fc.oneof(fc.integer({ min: -5, max: 90 }), fc.double({ min: 0, max: 90, noNaN: true })),
  });
  const limits = fc.oneof(fc.constant(TITRATED), fc.constant(FIXED));
  type Step = { kind: TimelineEvent['kind']; gap: number; mgPerHour: number };
  const toEvent = (s: Step, at: number): TimelineEvent =>
    s.kind === 'start' || s.kind === 'rate'
      ? s.kind === 'start'
        ? { kind: 'start', at, mgPerHour: s.mgPerHour }
        : { kind: 'rate', at, mgPerHour: s.mgPerHour, reason: 'titrate' }
      : { kind: s.kind, at, reason: 'because' };

  function play(steps: Step[], l: RateLimits, now: number) {
    let events: TimelineEvent[] = [];
    let at = T0;
    const refused: { before: TimelineEvent[]; change: TimelineEvent }[] = [];
    for (const s of steps) {
      at += s.gap * MIN;
      const e = toEvent(s.kind === 'start' && events.length === 0 ? { ...s, mgPerHour: Math.abs(s.mgPerHour) } : s, at);
      const r = applyTimelineChange(events, e, l, now);
      if ('events' in r) events = r.events;
      else refused.push({ before: events, change: e });
    }
    return { events, refused };
  }
  const session = fc.tuple(fc.array(change, { maxLength: 25 }), limits, fc.integer({ min: 1, max: 400 }));

  it('never exceeds the limit, and never falls as time goes on', () => {
    fc.assert(
      fc.property(
        session,
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 2, maxLength: 6 }),
        ([steps, l, limitMg], untils) => {
          const { events } = play(steps, l, T0 + 2000 * MIN);
          let previous = -1;
          for (const u of [...untils].sort((a, b) => a - b)) {
            const r = infusedMg(events, T0 + u * MIN, limitMg);
            expect(r.mg).toBeLessThanOrEqual(limitMg);
            expect(r.mg).toBeGreaterThanOrEqual(previous);
            previous = r.mg;
          }
        },
      ),
    );
  });

  it('keeps every rate accepted within the maximum, and a refused change leaves the events and the total exactly as they were', () => {
    fc.assert(
      fc.property(session, ([steps, l, limitMg]) => {
        const now = T0 + 1000 * MIN;
        const { events, refused } = play(steps, l, now);
        for (const e of events)
          if (e.kind === 'start' || e.kind === 'rate') expect(e.mgPerHour).toBeLessThanOrEqual(l.maxMgPerHour);
        for (const { before, change } of refused) {
          const copy = structuredClone(before);
          const total = infusedMg(before, now, limitMg);
          const r = applyTimelineChange(before, change, l, now);
          expect('refusal' in r).toBe(true);
          expect(before).toEqual(copy);
          expect(infusedMg(before, now, limitMg)).toEqual(total);
        }
      }),
    );
  });

  it('freezes the total while paused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 0, max: 240 }),
        fc.integer({ min: 0, max: 240 }),
        fc.integer({ min: 0, max: 240 }),
        (mgPerHour, runMin, wait1, wait2) => {
          const events = [start(0, mgPerHour), pause(runMin)];
          const atPause = infusedMg(events, t(runMin), 1000);
          expect(infusedMg(events, t(runMin + wait1), 1000)).toEqual(atPause);
          const resumed = [...events, resume(runMin + wait1)];
          expect(infusedMg(resumed, t(runMin + wait1), 1000).mg).toBe(atPause.mg);
          expect(infusedMg(resumed, t(runMin + wait1 + wait2), 1000).mg).toBeCloseTo(
            Math.min(1000, atPause.mg + (mgPerHour * wait2) / 60),
            6,
          );
        },
      ),
    );
  });
});
