/**
 * Slot engine for online booking: turns opening hours, provider hours, busy time and rooms into
 * bookable start times. Pure: no I/O, no clock reads; `now` comes in with the query.
 *
 * Wall-clock boundaries (an opening or closing time on a given local date) become instants by the
 * time module's one rule (src/kernel/time/wall-clock.ts): the first instant of that local day at which
 * the clock shows that time or later. When a time repeats (fall-back) that is the first occurrence;
 * when it does not exist (spring-forward) it is the moment the gap ends. The rule is monotone, so
 * disjoint hours stay disjoint, and a clinic that "closes at 02:30" on a night when 02:00–03:00 is
 * skipped closes when the clock reaches 03:00. Candidate starts are then stepped in instant space,
 * so a skipped hour yields nothing and a repeated hour is simply more elapsed time, never two slots
 * at one instant. Hours stay within their day ([0, 1440]); a slot cannot run from one day's hours
 * into the next day's.
 */
import { localDays } from '../kernel/time/wall-clock.ts';

/** Half-open instant interval [start, end) in epoch milliseconds (UTC). */
export interface Interval {
  start: number;
  end: number;
}
/** Wall-clock rules: key = ISO weekday 1 (Mon) .. 7 (Sun); value = intervals in minutes since local midnight, [from, to). */
export type WeeklyHours = Partial<Record<number, Array<{ from: number; to: number }>>>;
/** A person who is booked for the whole appointment: a provider or a nurse, with working hours at the location. */
export interface SlotPerson {
  id: string;
  hours: WeeklyHours;
  busy: Interval[];
} // busy = appointments (already including their buffers) and time off
/** @deprecated name kept for callers written before nurses; same shape. */
export type SlotProvider = SlotPerson;
/** A place: a consultation room or an infusion chair. Places have no hours of their own beyond the location's. */
export interface SlotRoom {
  id: string;
  busy: Interval[];
}
export interface SlotQuery {
  zone: string; // IANA zone of the location, e.g. 'America/Chicago'
  from: number; // window start (instant); slots starting before it are not offered
  to: number; // window end (instant); slots must start before it
  now: number; // current instant
  opening: WeeklyHours; // location opening hours
  closures: string[]; // local dates 'YYYY-MM-DD' when the location is closed all day
  providers: SlotPerson[] | null; // null = this appointment type needs no provider
  nurses?: SlotPerson[] | null; // null or absent = this appointment type needs no nurse
  /**
   * Supervision lanes of the providers who may supervise (an infusion needs a provider on site): one entry per lane,
   * with the provider's hours and the lane's busy time as VISIT time (supervision covers the visit, not the nurse's
   * buffers) plus the provider's time off. null or absent = this appointment type needs no supervisor.
   */
  supervisors?: SlotPerson[] | null;
  rooms: SlotRoom[] | null; // the room or chair kind the type needs; null = it needs no place
  durationMin: number;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minNoticeMin: number;
  stepMin: number; // distance between offered start times, e.g. 30
}
/** null = the appointment type does not need that kind of resource. */
export interface SlotOption {
  providerId: string | null;
  nurseId: string | null;
  roomId: string | null;
  /** The first free supervision lane; present only when the query has supervisors. */
  supervisorId?: string;
}
/**
 * options: one per free "lead" person in input order (the providers when the type needs one, else the nurses), each
 * paired with the FIRST free nurse (when a provider leads) and the FIRST free room or chair, in input order. Listing
 * every combination would grow multiplicatively while telling the patient nothing more: they choose a time (maybe a
 * provider), never a chair, and the database re-checks every resource when the booking is written. A type
 * that needs no person at all gets one option per free start, led by the location's opening hours.
 */
export interface Slot {
  start: number;
  end: number;
  options: SlotOption[];
}

const MINUTE = 60_000;
const DAY_MIN = 1440;

type Span = { from: number; to: number };

function requirePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
}

/** The busy interval an appointment occupies for its resources: [start - bufferBefore, end + bufferAfter). */
export function withBuffers(appt: Interval, bufferBeforeMin: number, bufferAfterMin: number): Interval {
  return { start: appt.start - bufferBeforeMin * MINUTE, end: appt.end + bufferAfterMin * MINUTE };
}

/** Sorted, merged, clipped to the day. Touching spans merge: open 9–12 and 12–17 is open 9–17, so an 11:30–12:30 slot fits. */
function normalize(spans: ReadonlyArray<Span> | undefined): Span[] {
  const sorted = (spans ?? [])
    .map((s) => ({ from: Math.max(0, s.from), to: Math.min(DAY_MIN, s.to) }))
    .filter((s) => s.from < s.to)
    .sort((a, b) => a.from - b.from);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push(s);
  }
  return out;
}

function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a[i]!,
      y = b[j]!;
    const from = Math.max(x.from, y.from),
      to = Math.min(x.to, y.to);
    if (from < to) out.push({ from, to });
    if (x.to < y.to) i++;
    else j++;
  }
  return out;
}

/** How many values are < x (or <= x when `inclusive`). */
function rank(sorted: Float64Array, x: number, inclusive: boolean): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (inclusive && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Overlap test (half-open: touching is fine) against one resource's busy time. Starts and ends are
 * sorted separately, as typed arrays because their number sort is several times faster than sorting
 * objects. Every interval ends after it starts, so one that ends by `a` also starts before `b`;
 * hence count(start < b) - count(end <= a) is exactly how many intervals overlap [a, b), even when
 * they overlap each other. Queries mostly move forward in time, so both counts walk on from the
 * previous query; a query that moves back searches afresh. Intervals that cannot meet [lo, hi) are
 * dropped first, so callers may pass a resource's whole history.
 */
function busyChecker(busy: ReadonlyArray<Interval>, lo: number, hi: number): (a: number, b: number) => boolean {
  let starts = new Float64Array(busy.length),
    ends = new Float64Array(busy.length),
    n = 0;
  for (const x of busy) {
    if (x.start < x.end && x.end > lo && x.start < hi) {
      starts[n] = x.start;
      ends[n++] = x.end;
    }
  }
  starts = starts.subarray(0, n).sort();
  ends = ends.subarray(0, n).sort();
  let i = 0,
    j = 0,
    prevA = -Infinity,
    prevB = -Infinity; // i = count(start < prevB), j = count(end <= prevA)
  return (a, b) => {
    if (b < prevB) i = rank(starts, b, false);
    else while (i < n && starts[i]! < b) i++;
    if (a < prevA) j = rank(ends, a, true);
    else while (j < n && ends[j]! <= a) j++;
    prevA = a;
    prevB = b;
    return i > j;
  };
}

export function findSlots(q: SlotQuery): Slot[] {
  requirePositive('durationMin', q.durationMin);
  requirePositive('stepMin', q.stepMin);
  // An unbounded window would never end the day loop.
  if (![q.from, q.to, q.now, q.minNoticeMin].every(Number.isFinite))
    throw new RangeError('from, to, now and minNoticeMin must be finite');
  const lo = Math.max(q.from, q.now + q.minNoticeMin * MINUTE);
  const hi = q.to;
  if (lo >= hi) return [];

  const dur = q.durationMin * MINUTE,
    step = q.stepMin * MINUTE;
  const before = q.bufferBeforeMin * MINUTE,
    after = q.bufferAfterMin * MINUTE;
  const reachLo = lo - before,
    reachHi = hi + dur + after; // everything a candidate can occupy
  const closed = new Set(q.closures);
  const opening = [0, 1, 2, 3, 4, 5, 6, 7].map((wd) => normalize(q.opening[wd]));
  const person = (p: SlotPerson) => ({
    id: p.id,
    overlapsBusy: busyChecker(p.busy, reachLo, reachHi),
    hours: opening.map((open, wd) => intersect(open, normalize(p.hours[wd]))),
  });
  const providers = q.providers?.map(person) ?? null;
  const nurses = q.nurses?.map(person) ?? null;
  const supervisors = q.supervisors?.map(person) ?? null;
  const rooms =
    q.rooms === null ? null : q.rooms.map((r) => ({ id: r.id, overlapsBusy: busyChecker(r.busy, reachLo, reachHi) }));
  // Who leads the search: a provider when one is needed, else a nurse; a type needing neither follows opening hours.
  const leadIsProvider = providers !== null;
  const leads = providers ?? nurses ?? [{ id: null, overlapsBusy: () => false, hours: opening }];

  const slots: Slot[] = [];
  for (const day of localDays(q.zone, lo, hi)) {
    if (closed.has(day.date)) continue;
    const byStart = new Map<number, SlotOption[]>();
    // Nurse and room freedom do not depend on the lead, so decide them once per start; undefined = none free.
    const roomAt = new Map<number, string | null | undefined>();
    const firstFreeRoom = (s: number): string | null | undefined => {
      if (rooms === null) return null;
      if (!roomAt.has(s)) roomAt.set(s, rooms.find((r) => !r.overlapsBusy(s - before, s + dur + after))?.id);
      return roomAt.get(s);
    };
    const nurseAt = new Map<number, string | null | undefined>();
    const firstFreeNurse = (s: number): string | null | undefined => {
      if (!leadIsProvider || nurses === null) return null;
      if (!nurseAt.has(s)) {
        const working = (n: (typeof nurses)[number]) =>
          n.hours[day.weekday]!.some((span) => day.at(span.from) <= s && s + dur <= day.at(span.to));
        nurseAt.set(s, nurses.find((n) => working(n) && !n.overlapsBusy(s - before, s + dur + after))?.id);
      }
      return nurseAt.get(s);
    };
    const supervisorAt = new Map<number, string | null | undefined>();
    const firstFreeSupervisor = (s: number): string | null | undefined => {
      if (supervisors === null) return null;
      if (!supervisorAt.has(s)) {
        const working = (n: (typeof supervisors)[number]) =>
          n.hours[day.weekday]!.some((span) => day.at(span.from) <= s && s + dur <= day.at(span.to));
        supervisorAt.set(s, supervisors.find((n) => working(n) && !n.overlapsBusy(s, s + dur))?.id);
      }
      return supervisorAt.get(s);
    };
    for (const p of leads) {
      for (const span of p.hours[day.weekday]!) {
        const a = day.at(span.from),
          b = day.at(span.to);
        // Jump straight to the first grid point at or after `lo` rather than walking to it.
        let s = a < lo ? a + Math.ceil((lo - a) / step) * step : a;
        for (; s < hi && s + dur <= b; s += step) {
          if (p.overlapsBusy(s - before, s + dur + after)) continue;
          const nurseId = leadIsProvider ? firstFreeNurse(s) : p.id;
          if (nurseId === undefined) continue;
          const roomId = firstFreeRoom(s);
          if (roomId === undefined) continue;
          const supervisorId = firstFreeSupervisor(s);
          if (supervisorId === undefined) continue;
          const option: SlotOption = { providerId: leadIsProvider ? p.id : null, nurseId, roomId };
          if (supervisorId !== null) option.supervisorId = supervisorId;
          const options = byStart.get(s);
          if (options) options.push(option);
          else byStart.set(s, [option]);
        }
      }
    }
    // A day's starts all precede the next day's (boundaries are monotone), so sorting per day suffices.
    for (const start of [...byStart.keys()].sort((x, y) => x - y)) {
      slots.push({ start, end: start + dur, options: byStart.get(start)! });
    }
  }
  return slots;
}
