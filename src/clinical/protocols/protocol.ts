/**
 * A protocol version as data: what a course of infusions is (how many sessions, how far apart, how long each), how it
 * is dosed, what the bag is, how often vitals are taken, what may be given besides, and when a patient may go home.
 * Administrators (the medical director) edit copies of these in the database; a plan keeps the version it was made
 * from. Each part names its source and says when a figure is not confirmed against a published source
 * (`unverified`), so the pages can mark it. Pure: types, the validating schema and the shipped defaults only.
 */
import { z } from 'zod';
import type { Bag, DosingRule, DosingSettings } from '../dosing/dose.ts';

/** Where a part's numbers come from, shown beside them. */
export interface Sourced {
  source: string;
  /** True where ../shared/clinical-facts.md marks the figure UNVERIFIED or clinic practice only. */
  unverified: boolean;
}

export interface Induction extends Sourced {
  sessions: number;
  hoursPerSession: number;
  /** Days from one session's date to the next's: at least this many… */
  minDaysBetween: number;
  /** …and at most this many. */
  maxDaysBetween: number;
  /** Every session falls within this many days of the first (the first day counts as day 1). */
  windowDays: number;
}

export type Maintenance = Sourced & { hoursPerSession: number } & (
    | { kind: 'intervals'; /** Days after the last induction session, one booster each. */ intervalsDays: number[] }
    | { kind: 'on_response'; /** The shortest gap between boosters given on response. */ minDaysBetween: number }
  );

export interface Monitoring extends Sourced {
  firstHourEveryMinutes: number;
  thenEveryMinutes: number;
}

export interface ExtraOrder {
  drug: string;
  dose: string;
  route: string;
  /** The most that may be given in a session, in words with units ("4 mg"). */
  maxPerSession: string;
  asNeeded: boolean;
  /**
   * The numeric limits a dose given during a session is checked against: the largest single dose and the most in one
   * session, in mg. Optional because protocols stored before they existed lack them: such an order cannot be given
   * until its limits are set in the protocol library.
   */
  doseMg?: number;
  maxMgPerSession?: number;
  /** The routes it may be given by (IV, oral…); the words of `route` alone when absent. */
  routes?: string[];
}

/** The order's numeric limits, or null when they are not set (nothing may be given by it). */
export function orderLimits(order: ExtraOrder): { doseMg: number; maxMgPerSession: number; routes: string[] } | null {
  if (order.doseMg === undefined || order.maxMgPerSession === undefined) return null;
  return {
    doseMg: order.doseMg,
    maxMgPerSession: order.maxMgPerSession,
    routes: order.routes && order.routes.length > 0 ? order.routes : [order.route],
  };
}

export interface Discharge extends Sourced {
  minObservationMinutes: number;
  /** Modified Aldrete score at or above which a patient may leave. */
  aldreteAtLeast: number;
  escortRequired: boolean;
}

export interface ProtocolDefinition {
  code: string;
  name: string;
  indication: string;
  induction: Induction;
  maintenance: Maintenance;
  dosing: DosingRule & Sourced;
  bag: Bag & Sourced;
  monitoring: Monitoring;
  extraOrders: ExtraOrder[];
  extraOrdersSource: Sourced;
  discharge: Discharge;
}

const positive = (what: string) => z.number({ error: `${what} must be a number` }).positive(`${what} must be above 0`);
const whole = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max}`);
const sourced = { source: z.string().trim().min(1, 'name the source').max(500), unverified: z.boolean() };
const text = (max: number) => z.string().trim().min(1, 'required').max(max);

export const dosingRuleSchema = z
  .object({
    startMgPerKgPerHour: positive('The starting rate'),
    titrationStepMgPerKgPerHour: positive('The titration step').nullable(),
    maxMgPerKgPerHour: positive('The maximum rate'),
    capMgPerHour: positive('The absolute cap'),
    maxMgPerSession: positive('The session maximum'),
    bolusMaxMgPerKg: positive('The largest bolus').nullable(),
    ...sourced,
  })
  .refine((r) => r.startMgPerKgPerHour <= r.maxMgPerKgPerHour, {
    path: ['startMgPerKgPerHour'],
    message: 'The starting rate cannot be above the maximum rate',
  })
  .refine(
    (r) =>
      r.titrationStepMgPerKgPerHour === null ||
      r.titrationStepMgPerKgPerHour * 100 >= r.maxMgPerKgPerHour - r.startMgPerKgPerHour,
    {
      path: ['titrationStepMgPerKgPerHour'],
      message: 'The titration step is too small: more than 100 steps from the start to the maximum',
    },
  );

export const protocolSchema = z
  .object({
    code: z.string().regex(/^[a-z0-9-]{2,40}$/, 'lower-case letters, digits and hyphens, 2 to 40'),
    name: text(120),
    indication: text(200),
    induction: z.object({
      sessions: whole('The number of sessions', 1, 30),
      hoursPerSession: positive('Hours per session').max(24, 'Hours per session must be at most 24'),
      minDaysBetween: whole('The fewest days between sessions', 1, 90),
      maxDaysBetween: whole('The most days between sessions', 1, 180),
      windowDays: whole('The window', 1, 365),
      ...sourced,
    }),
    maintenance: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('intervals'),
        hoursPerSession: positive('Hours per booster').max(24, 'Hours per booster must be at most 24'),
        intervalsDays: z.array(whole('A booster interval', 1, 730)).max(12, 'at most 12 boosters'),
        ...sourced,
      }),
      z.object({
        kind: z.literal('on_response'),
        hoursPerSession: positive('Hours per booster').max(24, 'Hours per booster must be at most 24'),
        minDaysBetween: whole('The fewest days between boosters', 1, 365),
        ...sourced,
      }),
    ]),
    dosing: dosingRuleSchema,
    bag: z.object({ drugMg: positive('The drug in the bag'), volumeMl: positive('The bag volume'), ...sourced }),
    monitoring: z.object({
      firstHourEveryMinutes: whole('Vitals in the first hour', 1, 60),
      thenEveryMinutes: whole('Vitals after the first hour', 1, 240),
      ...sourced,
    }),
    extraOrders: z
      .array(
        z
          .object({
            drug: text(80),
            dose: text(80),
            route: text(40),
            maxPerSession: text(80),
            asNeeded: z.boolean(),
            doseMg: positive('The largest single dose')
              .max(1000, 'The largest single dose must be at most 1000 mg')
              .optional(),
            maxMgPerSession: positive('The most in a session')
              .max(5000, 'The most in a session must be at most 5000 mg')
              .optional(),
            routes: z.array(text(40)).max(6, 'at most 6 routes').optional(),
          })
          .refine((o) => (o.doseMg === undefined) === (o.maxMgPerSession === undefined), {
            path: ['maxMgPerSession'],
            message: 'Give both the largest single dose and the most in a session, or neither',
          })
          .refine((o) => o.doseMg === undefined || o.maxMgPerSession === undefined || o.doseMg <= o.maxMgPerSession, {
            path: ['doseMg'],
            message: 'The largest single dose cannot be above the most in a session',
          }),
      )
      .max(20),
    extraOrdersSource: z.object(sourced),
    discharge: z.object({
      minObservationMinutes: whole('The observation time', 0, 480),
      aldreteAtLeast: whole('The Aldrete score', 0, 10),
      escortRequired: z.boolean(),
      ...sourced,
    }),
  })
  .refine((p) => p.induction.minDaysBetween <= p.induction.maxDaysBetween, {
    path: ['induction', 'maxDaysBetween'],
    message: 'The most days between sessions cannot be fewer than the fewest',
  })
  .refine(
    (p) =>
      p.induction.sessions === 1 ||
      1 + (p.induction.sessions - 1) * p.induction.minDaysBetween <= p.induction.windowDays,
    {
      path: ['induction', 'windowDays'],
      message: 'The window is too short for the sessions at the fewest days apart',
    },
  );

const COHEN_2018 =
  'Cohen SP et al., Consensus guidelines on IV ketamine for chronic pain, Reg Anesth Pain Med 2018;43:521 (graded summaries)';
const SCHWARTZMAN_2009 =
  'Schwartzman RJ et al., Pain 2009 (doi 10.1016/j.pain.2009.08.015): 0.35 mg/kg/h, at most 25 mg/h, 4 h a day for 10 days';
const CLINIC_PRACTICE = 'Clinic practice described on outpatient clinics’ patient pages; not a published standard';
const ALDRETE = 'Modified Aldrete score (Aldrete 1995): 9 or more is the usual discharge threshold';
const RESCUE =
  'Rescue drugs as Cohen 2018 is summarised (benzodiazepines, clonidine, antiemetics; clinical-facts §3, unread in ' +
  'full); doses and session limits are this product’s suggestions';
const RCHT_OBS =
  'UK inpatient ketamine infusion nursing guideline (RCHT 2022): every 15 min in hour 1, then every 30 min';

const schwartzmanDosing: ProtocolDefinition['dosing'] = {
  startMgPerKgPerHour: 0.35,
  titrationStepMgPerKgPerHour: null,
  maxMgPerKgPerHour: 0.35,
  capMgPerHour: 25,
  maxMgPerSession: 100,
  bolusMaxMgPerKg: null,
  source: SCHWARTZMAN_2009,
  unverified: false,
};
const standardBag: ProtocolDefinition['bag'] = {
  drugMg: 100,
  volumeMl: 100,
  source: 'A common outpatient preparation (1 mg/mL); confirm with the clinic’s pharmacy',
  unverified: true,
};
const monitoring: Monitoring = { firstHourEveryMinutes: 15, thenEveryMinutes: 30, source: RCHT_OBS, unverified: true };
// The as-needed orders the shipped protocols share: one dose each time, up to twice a session.
const ONDANSETRON: ExtraOrder = {
  drug: 'Ondansetron',
  dose: '4 mg IV',
  route: 'IV',
  maxPerSession: '8 mg',
  asNeeded: true,
  doseMg: 4,
  maxMgPerSession: 8,
  routes: ['IV'],
};
const MIDAZOLAM: ExtraOrder = {
  drug: 'Midazolam',
  dose: '2 mg IV',
  route: 'IV',
  maxPerSession: '4 mg (2 doses)',
  asNeeded: true,
  doseMg: 2,
  maxMgPerSession: 4,
  routes: ['IV'],
};
const CLONIDINE: ExtraOrder = {
  drug: 'Clonidine',
  dose: '0.1 mg PO',
  route: 'oral',
  maxPerSession: '0.2 mg (2 doses)',
  asNeeded: true,
  doseMg: 0.1,
  maxMgPerSession: 0.2,
  routes: ['oral'],
};
const discharge: Discharge = {
  minObservationMinutes: 60,
  aldreteAtLeast: 9,
  escortRequired: true,
  source: `${ALDRETE}; observation of 30–60 min after the infusion and an adult escort: ${CLINIC_PRACTICE}`,
  unverified: true,
};

/** The protocols a new clinic starts with. Each is a suggestion for the medical director to review. */
export const DEFAULT_PROTOCOLS: ProtocolDefinition[] = [
  {
    code: 'crps-10-day',
    name: 'CRPS outpatient series, 4 h × 10 days (Schwartzman)',
    indication: 'Complex regional pain syndrome (Budapest criteria met)',
    induction: {
      sessions: 10,
      hoursPerSession: 4,
      minDaysBetween: 1,
      maxDaysBetween: 3,
      windowDays: 14,
      source: `${SCHWARTZMAN_2009}; weekdays over two weeks (weekend gaps) is this product's reading`,
      unverified: true,
    },
    maintenance: {
      kind: 'intervals',
      hoursPerSession: 4,
      intervalsDays: [30, 90, 180],
      source: `Boosters at about 1, 3 and 6 months after a re-evaluation: ${CLINIC_PRACTICE}`,
      unverified: true,
    },
    dosing: schwartzmanDosing,
    bag: standardBag,
    monitoring,
    extraOrders: [{ ...MIDAZOLAM, asNeeded: false }, { ...CLONIDINE, asNeeded: false }, ONDANSETRON],
    extraOrdersSource: {
      source: `Schwartzman 2009: both arms had midazolam 2 mg IV ×2 and clonidine 0.1 mg PO. Ondansetron and a second clonidine dose: ${RESCUE}`,
      unverified: true,
    },
    discharge,
  },
  {
    code: 'short-series',
    name: 'Shorter outpatient series, 6 × 4 h over 2–3 weeks',
    indication: 'Chronic neuropathic pain including CRPS, where the 10-day series is not practical',
    induction: {
      sessions: 6,
      hoursPerSession: 4,
      minDaysBetween: 2,
      maxDaysBetween: 5,
      windowDays: 21,
      source: `Six infusions over 2–3 weeks: ${CLINIC_PRACTICE}`,
      unverified: true,
    },
    maintenance: {
      kind: 'on_response',
      hoursPerSession: 4,
      minDaysBetween: 28,
      source: `Boosters when pain returns, after a re-evaluation: ${CLINIC_PRACTICE}`,
      unverified: true,
    },
    dosing: {
      startMgPerKgPerHour: 0.5,
      titrationStepMgPerKgPerHour: 0.1,
      maxMgPerKgPerHour: 1,
      capMgPerHour: 80,
      maxMgPerSession: 320,
      bolusMaxMgPerKg: 0.35,
      source: `${COHEN_2018}: infusion 0.5–2 mg/kg/h and bolus up to 0.35 mg/kg (Grade C); the 1 mg/kg/h maximum, 80 mg/h cap and 320 mg session maximum are this product's suggestions`,
      unverified: true,
    },
    bag: standardBag,
    monitoring,
    extraOrders: [ONDANSETRON, MIDAZOLAM, CLONIDINE],
    extraOrdersSource: {
      source: `An anti-nausea drug before or during the infusion is common (${CLINIC_PRACTICE}); ${RESCUE}`,
      unverified: true,
    },
    discharge,
  },
  {
    code: 'booster-4h',
    name: 'Single 4-hour booster',
    indication: 'A booster after a completed series, on response',
    induction: {
      sessions: 1,
      hoursPerSession: 4,
      minDaysBetween: 1,
      maxDaysBetween: 1,
      windowDays: 1,
      source: `One 4-hour session at the series dose: ${SCHWARTZMAN_2009}`,
      unverified: true,
    },
    maintenance: {
      kind: 'on_response',
      hoursPerSession: 4,
      minDaysBetween: 28,
      source: `Repeated on response after a re-evaluation: ${CLINIC_PRACTICE}`,
      unverified: true,
    },
    dosing: schwartzmanDosing,
    bag: standardBag,
    monitoring,
    extraOrders: [ONDANSETRON, MIDAZOLAM, CLONIDINE],
    extraOrdersSource: { source: RESCUE, unverified: true },
    discharge,
  },
];

/** The calculator's clinic-wide settings a new clinic starts with. */
export const DEFAULT_DOSING_SETTINGS: DosingSettings & { sources: Record<keyof DosingSettings, Sourced> } = {
  weightRangeKg: { min: 25, max: 300 },
  maxWeightAgeDays: 30,
  pumpRateStepMlPerHour: 0.1,
  bolusStepMl: 0.1,
  verifyWeightToleranceKg: 0.1,
  sources: {
    weightRangeKg: {
      source: 'An adult plausibility range to catch slips and wrong units; this product’s choice',
      unverified: true,
    },
    maxWeightAgeDays: {
      source: 'A weight at most 30 days old; this product’s default, for the clinic to confirm',
      unverified: true,
    },
    pumpRateStepMlPerHour: {
      source: 'The step most infusion pumps take (0.1 mL/h); check the clinic’s pumps',
      unverified: true,
    },
    bolusStepMl: { source: 'A 0.1 mL syringe step; check the clinic’s syringes', unverified: true },
    verifyWeightToleranceKg: {
      source: 'The same weight to 0.1 kg after converting units; this product’s choice',
      unverified: true,
    },
  },
};
