/**
 * The demo's six months of treated patients, as plain data: who, on which protocol, which days they came, and what
 * they answered. Pure and deterministic (a seeded PRNG, days counted from `today`): demo-outcomes.ts writes it.
 *
 * The courses are invented but shaped like the published picture (clinical-facts.md §4): some patients respond
 * substantially, some moderately, some barely or not at all; the response wanes over weeks and a booster restores
 * it; a few questionnaires are missed; a few answers to PHQ-9 item 9 are above 0.
 */
import { addDays, weekdayOf } from '../kernel/time/wall-clock.ts';

/** mulberry32: small, fast and the same on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Course = 'substantial' | 'moderate' | 'minimal' | 'none';
export type Timepoint = 'pre_session' | 'end_of_induction' | 'week_1' | 'week_4' | 'week_12' | 'pre_booster';

export interface DemoLocation {
  id: string;
  /** How many infusions the seed places on one day there (one chair, nurse lane and supervision lane each). */
  columns: number;
  /** The protocol codes its patients are planned on, in turn. */
  protocols: readonly string[];
}

export interface ProtocolShape {
  code: string;
  sessions: number;
  /** Weekdays from one induction session to the next. */
  everyWeekdays: number;
  /** Days after the last induction session of each booster given by the calendar; empty for boosters on response. */
  boosterDays: readonly number[];
  /** Days after the last induction session of a booster on response (responders only). */
  onResponseDays: number | null;
  startMgPerKgH: number;
  stepMgPerKgH: number;
  maxMgPerKgH: number;
}

export interface PlannedSession {
  kind: 'induction' | 'booster';
  number: number;
  day: string;
  /** Which of the location's day columns (chair, nurse lane, supervision lane) it takes. */
  column: number;
  mgPerKgH: number;
}

export interface Scores {
  painNow: number;
  painAverage: number;
  painWorst: number | null;
  phq9: number[] | null;
  gad7: number[] | null;
  peg: [number, number, number] | null;
  pgic: number | null;
}

export interface PlannedQuestionnaire {
  timepoint: Timepoint;
  /** The session it comes before (pre_session, pre_booster). */
  session: { kind: 'induction' | 'booster'; number: number } | null;
  /** The day it opens (a follow-up) or the session's day (before a session). */
  day: string;
  /** Null when it was missed; also null for one not yet due or cancelled. */
  scores: Scores | null;
  enteredByStaff: boolean;
}

export interface PlannedPatient {
  index: number;
  first: string;
  last: string;
  locationId: string;
  protocol: string;
  course: Course;
  kg: number;
  diagnosis: { code: string; label: string };
  screenedDay: string;
  sessions: PlannedSession[];
  questionnaires: PlannedQuestionnaire[];
  /** The plan ended after the 4-week follow-up (no response worth boosters); null when it goes on. */
  completedDay: string | null;
  diary: Array<{ day: string; pain: number }>;
  /** A liver-enzyme result at 3 × the upper limit or more (clinical-facts.md §6). */
  liverFlag: boolean;
}

const FIRST = [
  'Ava',
  'Ben',
  'Carmen',
  'Dmitri',
  'Elena',
  'Farid',
  'Gwen',
  'Hiro',
  'Imani',
  'Jakob',
  'Keisha',
  'Lars',
  'Mei',
  'Nadia',
  'Oscar',
  'Paula',
  'Quinn',
  'Rafael',
  'Sana',
  'Theo',
  'Uma',
  'Victor',
  'Wren',
  'Ximena',
  'Yusuf',
  'Zara',
  'Aaron',
  'Bianca',
  'Cyrus',
  'Delia',
  'Emeka',
  'Fiona',
  'Gideon',
  'Helga',
  'Ines',
  'Jules',
  'Kofi',
  'Leah',
  'Marco',
  'Noor',
];
const LAST = [
  'Abbott',
  'Bauer',
  'Castillo',
  'Duarte',
  'Ellis',
  'Fischer',
  'Garza',
  'Holm',
  'Ibarra',
  'Jovanovic',
  'Kaur',
  'Lindgren',
  'Moreau',
  'Nakamura',
  'Okoye',
  'Petrov',
  'Quintero',
  'Rossi',
  'Sorensen',
  'Tanaka',
  'Ulloa',
  'Varga',
  'Whitaker',
  'Xu',
  'Yilmaz',
  'Zielinski',
  'Armstrong',
  'Becker',
  'Costa',
  'Dalton',
  'Eze',
  'Flores',
  'Grant',
  'Hughes',
  'Ito',
  'Jensen',
  'Keller',
  'Lopez',
  'Mensah',
  'Novak',
];
const DIAGNOSES = [
  { code: 'G90.512', label: 'Complex regional pain syndrome I of left upper limb' },
  { code: 'G90.511', label: 'Complex regional pain syndrome I of right upper limb' },
  { code: 'G90.521', label: 'Complex regional pain syndrome I of right lower limb' },
  { code: 'G90.522', label: 'Complex regional pain syndrome I of left lower limb' },
  { code: 'G90.523', label: 'Complex regional pain syndrome I of lower limb, bilateral' },
];
/** Course of each patient in turn: about a third substantial, a quarter moderate, the rest minimal or none. */
const COURSES: readonly Course[] = [
  'substantial',
  'moderate',
  'substantial',
  'minimal',
  'moderate',
  'none',
  'substantial',
  'minimal',
  'moderate',
  'substantial',
  'none',
  'substantial',
];
/** The share of the baseline pain that goes, at its best, for each course: [low, high). */
const RELIEF: Record<Course, [number, number]> = {
  substantial: [0.5, 0.8],
  moderate: [0.3, 0.48],
  minimal: [0.1, 0.28],
  none: [-0.06, 0.08],
};
/** Days after the last induction session each follow-up opens, and how long it stays open. */
export const FOLLOW_UPS: ReadonlyArray<{ timepoint: Timepoint; after: number; openDays: number }> = [
  { timepoint: 'end_of_induction', after: 1, openDays: 7 },
  { timepoint: 'week_1', after: 7, openDays: 7 },
  { timepoint: 'week_4', after: 28, openDays: 7 },
  { timepoint: 'week_12', after: 84, openDays: 14 },
];

export const PATIENTS = 40;
/** The first of them started about six months ago, the last a week and a half ago (still in the induction). */
const FIRST_START_DAYS_AGO = 178;
const LAST_START_DAYS_AGO = 10;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const isWeekday = (day: string) => weekdayOf(day) <= 5;
const nextWeekday = (day: string) => {
  let d = day;
  while (!isWeekday(d)) d = addDays(d, 1);
  return d;
};
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);

/** Spreads a total over `items` answers of 0–3, the first `fixed` entries given. */
function items(total: number, count: number, fixed: Record<number, number> = {}): number[] {
  const out = Array.from({ length: count }, (_, i) => fixed[i] ?? 0);
  let left = clamp(total, 0, count * 3) - out.reduce((s, v) => s + v, 0);
  for (let round = 0; left > 0 && round < 3; round++)
    for (let i = 0; i < count && left > 0; i++) {
      if (i in fixed || out[i]! >= 3) continue;
      out[i]!++;
      left--;
    }
  return out;
}

/**
 * The whole demo, from `today` (the seed's day at the first location) backwards. `blocked` days take no session
 * (today's board is the board seed's); a day whose columns are full pushes a session to the next weekday.
 */
export function planDemoOutcomes(input: {
  today: string;
  locations: readonly DemoLocation[];
  protocols: ReadonlyMap<string, ProtocolShape>;
  seed?: number;
}): PlannedPatient[] {
  const random = prng(input.seed ?? 20_261_207);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const taken = new Map<string, number>();
  const place = (locationId: string, columns: number, wanted: string): { day: string; column: number } => {
    for (let day = nextWeekday(wanted); ; day = nextWeekday(addDays(day, 1))) {
      if (day === input.today) continue;
      const key = `${locationId}|${day}`;
      const used = taken.get(key) ?? 0;
      if (used < columns) {
        taken.set(key, used + 1);
        return { day, column: used };
      }
    }
  };
  const patients: PlannedPatient[] = [];
  for (let i = 0; i < PATIENTS; i++) {
    // Two in three at Chicago, the larger location.
    const location = input.locations[i % 3 === 2 && input.locations.length > 1 ? 1 : 0]!;
    const protocolCode = location.protocols[Math.floor(i / 3) % location.protocols.length]!;
    const protocol = input.protocols.get(protocolCode);
    if (!protocol) continue;
    const course = COURSES[i % COURSES.length]!;
    const [lo, hi] = RELIEF[course];
    const relief = between(lo, hi);
    // How much of the relief is left 12 weeks on without a booster.
    const durability = between(0.35, 0.95);
    const baseline = Math.round(between(6, 9.4));
    const phqBase = Math.round(between(6, 19));
    const gadBase = Math.round(between(4, 15));
    const startsAgo = Math.round(
      FIRST_START_DAYS_AGO - ((FIRST_START_DAYS_AGO - LAST_START_DAYS_AGO) * i) / (PATIENTS - 1),
    );
    const kg = Math.round(between(52, 104) * 10) / 10;

    const sessions: PlannedSession[] = [];
    let wanted = addDays(input.today, -startsAgo);
    let rate = protocol.startMgPerKgH;
    for (let n = 1; n <= protocol.sessions; n++) {
      const spot = place(location.id, location.columns, wanted);
      sessions.push({ kind: 'induction', number: n, day: spot.day, column: spot.column, mgPerKgH: rate });
      rate = Math.min(protocol.maxMgPerKgH, Math.round((rate + protocol.stepMgPerKgH) * 100) / 100);
      let next = addDays(spot.day, 1);
      for (let step = 1; step < protocol.everyWeekdays; step++) next = addDays(nextWeekday(next), 1);
      wanted = next;
    }
    const lastInduction = sessions.at(-1)!.day;
    const responder = course === 'substantial' || course === 'moderate';
    const boosterAfter = responder
      ? protocol.onResponseDays !== null
        ? [protocol.onResponseDays]
        : protocol.boosterDays
      : [];
    // Boosters more than six weeks ahead are not booked yet.
    const horizon = addDays(input.today, 42);
    for (const [b, after] of boosterAfter.entries()) {
      const due = addDays(lastInduction, after);
      if (due > horizon) break;
      const spot = place(location.id, location.columns, due);
      sessions.push({ kind: 'booster', number: b + 1, day: spot.day, column: spot.column, mgPerKgH: rate });
    }
    const completedDay = responder ? null : addDays(lastInduction, FOLLOW_UPS[2]!.after + 7);

    const boostersBefore = (day: string) =>
      sessions.filter((s) => s.kind === 'booster' && s.day < day && s.day < input.today).length;
    /** The share of the relief felt on a day (0 before the series, 1 at its best), waning after the series. */
    const feltOn = (day: string, session?: PlannedSession) => {
      if (session?.kind === 'induction') return 0.85 * ((session.number - 1) / Math.max(1, protocol.sessions - 1));
      const since = daysBetween(lastInduction, day);
      if (since <= 28) return 1 - 0.05 * (since / 28);
      const wane = since >= 84 ? durability : 1 - ((1 - durability) * (since - 28)) / 56;
      // A booster restores most of the relief for the weeks after it.
      return boostersBefore(day) > 0 ? Math.max(wane, 0.85) : wane;
    };
    const noise = () => (random() < 0.5 ? -0.4 : 0.4) * random();
    const phq9Flag = i === 4 || i === 17 ? 1 : i === 29 ? 2 : 0;
    const flagAt: Timepoint = i === 29 ? 'week_1' : 'week_4';
    const scoresOn = (day: string, timepoint: Timepoint, session?: PlannedSession): Scores => {
      const felt = feltOn(day, session) * (timepoint === 'pre_booster' ? 0.5 : 1);
      const improvement = relief * felt;
      const painNow = Math.round(clamp(baseline * (1 - improvement) + noise(), 0, 10));
      const painAverage = Math.round(clamp(painNow + between(-1, 1), 0, 10));
      if (timepoint === 'pre_session')
        return { painNow, painAverage, painWorst: null, phq9: null, gad7: null, peg: null, pgic: null };
      const item9 = timepoint === flagAt ? phq9Flag : 0;
      const phq = Math.round(clamp(phqBase * (1 - 0.8 * improvement) + noise() * 2, item9, 27));
      const gad = Math.round(clamp(gadBase * (1 - 0.7 * improvement) + noise() * 2, 0, 21));
      const peg = [
        painAverage,
        Math.round(clamp(painAverage + between(-2, 1), 0, 10)),
        Math.round(clamp(painAverage + between(-1, 2), 0, 10)),
      ] as [number, number, number];
      const pgic =
        improvement >= 0.5
          ? 1 + Math.round(random())
          : improvement >= 0.3
            ? 2 + Math.round(random())
            : improvement >= 0.1
              ? 3
              : improvement >= -0.03
                ? 4
                : 5;
      return {
        painNow,
        painAverage,
        painWorst: Math.round(clamp(painNow + between(1, 2.5), 0, 10)),
        phq9: items(phq, 9, { 8: item9 }),
        gad7: items(gad, 7),
        peg,
        pgic,
      };
    };

    const questionnaires: PlannedQuestionnaire[] = [];
    // About one in twelve owed questionnaires goes unanswered (never the ones that carry an item-9 answer).
    const missed = (timepoint: Timepoint) => !(phq9Flag > 0 && timepoint === flagAt) && random() < 0.08;
    for (const s of sessions) {
      const timepoint = s.kind === 'induction' ? 'pre_session' : 'pre_booster';
      const given = s.day < input.today;
      questionnaires.push({
        timepoint,
        session: { kind: s.kind, number: s.number },
        day: s.day,
        // The first pre-session rating is the baseline: always answered.
        scores: given && (s.number === 1 || !missed(timepoint)) ? scoresOn(s.day, timepoint, s) : null,
        enteredByStaff: given && random() < 0.3,
      });
    }
    for (const f of FOLLOW_UPS) {
      const day = addDays(lastInduction, f.after);
      if (completedDay !== null && day > completedDay) continue;
      const closed = addDays(day, f.openDays) <= input.today;
      const answered = closed ? !missed(f.timepoint) : day < input.today && random() < 0.5;
      questionnaires.push({
        timepoint: f.timepoint,
        session: null,
        day,
        scores: answered ? scoresOn(addDays(day, Math.floor(random() * 3)), f.timepoint) : null,
        enteredByStaff: false,
      });
    }
    // About one in three keeps the optional daily diary for the two months after the series.
    const diary: PlannedPatient['diary'] = [];
    if (i % 3 === 0)
      for (let d = 1; d <= 60; d++) {
        const day = addDays(lastInduction, d);
        if (day >= input.today) break;
        if (random() < 0.25) continue;
        diary.push({
          day,
          pain: Math.round(clamp(baseline * (1 - relief * feltOn(day)) + noise() * 2, 0, 10)),
        });
      }

    patients.push({
      index: i,
      first: FIRST[i % FIRST.length]!,
      last: LAST[i % LAST.length]!,
      locationId: location.id,
      protocol: protocolCode,
      course,
      kg,
      diagnosis: DIAGNOSES[i % DIAGNOSES.length]!,
      screenedDay: addDays(sessions[0]!.day, -10),
      sessions,
      questionnaires,
      completedDay,
      diary,
      liverFlag: i === 6,
    });
  }
  return patients;
}
