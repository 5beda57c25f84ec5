/**
 * The dose calculator: a weight-based ketamine infusion order worked out line by line, with every cap of the
 * protocol's dosing rule applied and named. Pure: it takes the rule, the settings, the weight, the bag and `now`, and
 * does no I/O, so it can be checked like a calculator (test/unit/clinical-dose.test.ts).
 *
 * The arithmetic, in the order it is shown:
 *   weight in kg (pounds × 0.45359237, exact) → ordered mg/kg/h × kg = mg/h by weight
 *   → the lowest of that, the absolute cap (mg/h) and what the session maximum allows per hour (after any bolus)
 *   → pump rate = mg/h ÷ bag concentration (mg/mL), rounded DOWN to the pump step (0.1 mL/h by default)
 *   → delivered mg/h = pump rate × concentration → session total = bolus + delivered mg/h × hours.
 * Rounding happens once, at the pump rate (and the bolus volume), and always down: a rounded figure can never run
 * above a cap. Every other figure keeps full precision until it is shown.
 */

/** The international pound, exactly (by definition since 1959). */
export const KG_PER_LB = 0.45359237;
const DAY_MS = 86_400_000;
/** Float noise allowance when a value is compared with a limit it was computed from. */
const EPSILON = 1e-9;

/** The dosing part of a protocol version: every number is data, reviewed by the medical director. */
export interface DosingRule {
  /** The rate a course starts at. */
  startMgPerKgPerHour: number;
  /** One titration step up, when the protocol titrates; null when it does not. */
  titrationStepMgPerKgPerHour: number | null;
  /** The highest rate by weight the protocol allows. */
  maxMgPerKgPerHour: number;
  /** An absolute ceiling on the rate, whatever the weight (Schwartzman 2009: 25 mg/h). */
  capMgPerHour: number;
  /** The most one session may give in all, bolus included. */
  maxMgPerSession: number;
  /** The largest bolus allowed, in mg/kg; null when the protocol allows none. */
  bolusMaxMgPerKg: number | null;
}

/** Clinic-wide settings of the calculator: also data, edited by an administrator. */
export interface DosingSettings {
  /** Weights outside this range are refused as implausible (a typing slip, or the wrong unit). */
  weightRangeKg: { min: number; max: number };
  /** A weight older than this blocks the order: measure again. */
  maxWeightAgeDays: number;
  /** The pump's rate step; the pump rate is rounded down to it. */
  pumpRateStepMlPerHour: number;
  /** The bolus syringe's step; the bolus volume is rounded down to it. */
  bolusStepMl: number;
  /** How far the verifying nurse's weight may differ from the order's (kg) and still match. */
  verifyWeightToleranceKg: number;
}

export interface Bag {
  drugMg: number;
  volumeMl: number;
}

export interface Weight {
  value: number;
  unit: 'kg' | 'lb';
  /** When it was measured (epoch ms). */
  measuredAt: number;
}

export interface DoseRequest {
  rule: DosingRule;
  settings: DosingSettings;
  weight: Weight;
  bag: Bag;
  sessionHours: number;
  /** The ordered rate; the rule's starting rate when omitted. */
  mgPerKgPerHour?: number;
  /** A bolus at the start, in mg/kg; none when omitted or 0. */
  bolusMgPerKg?: number;
  now: number;
}

/** Which limit set the rate: none (the weight did), the absolute cap, or the session maximum. */
export type Limit = 'weight' | 'cap_mg_per_hour' | 'session_max';

export interface RateAtStep {
  mgPerKgPerHour: number;
  /** Delivered: the rounded pump rate × the concentration. */
  mgPerHour: number;
  pumpRateMlPerHour: number;
  limit: Limit;
}

export interface DoseLine {
  key: 'weight' | 'concentration' | 'by_weight' | 'cap' | 'session_cap' | 'pump_rate' | 'bolus' | 'total' | 'maximum';
  /** What the line is, e.g. "Absolute cap". */
  label: string;
  /** The working in words and figures, e.g. "25.4 mg/h is above 25 mg/h: the cap applies". */
  working: string;
  /** True on the line of the limit that set the rate. */
  applied: boolean;
}

export interface DoseCalculation {
  weightKg: number;
  concentrationMgPerMl: number;
  sessionHours: number;
  /** The ordered rate by weight, before any cap. */
  byWeightMgPerHour: number;
  ordered: RateAtStep;
  bolus: { mgPerKg: number; mg: number; ml: number } | null;
  sessionTotalMg: number;
  /** The most the protocol allows this patient: its maximum rate, capped the same way. */
  maximum: RateAtStep & { sessionTotalMg: number };
  /** From the ordered rate up to the maximum, one row per titration step (just the ordered rate when none). */
  titration: RateAtStep[];
  lines: DoseLine[];
}

export type DoseField = 'weight' | 'measuredAt' | 'bag' | 'sessionHours' | 'mgPerKgPerHour' | 'bolusMgPerKg';

export interface DoseProblem {
  code:
    | 'weight_out_of_range'
    | 'weight_too_old'
    | 'weight_in_future'
    | 'bad_bag'
    | 'bad_hours'
    | 'rate_not_positive'
    | 'rate_above_max'
    | 'bolus_not_allowed'
    | 'bolus_above_max'
    | 'bolus_above_session_max';
  field: DoseField;
  message: string;
}

export type DoseResult = { ok: true; dose: DoseCalculation } | { ok: false; problems: DoseProblem[] };

export function toKg(weight: { value: number; unit: 'kg' | 'lb' }): number {
  return weight.unit === 'kg' ? weight.value : weight.value * KG_PER_LB;
}

/**
 * Rounds down to a step (0.1, 0.25, 2.5 …) without float noise: 2.3 stays 2.3, 24.99999999997 becomes 25, and the
 * result is never above the value (beyond that noise), whatever the step.
 */
export function roundDownTo(value: number, step: number): number {
  const written = String(step);
  const decimals = written.includes('e-') ? Number(written.split('e-')[1]) : (written.split('.')[1]?.length ?? 0);
  const steps = Math.floor(value / step + EPSILON);
  const rounded = Number((steps * step).toFixed(decimals));
  return rounded > value + EPSILON ? Number(((steps - 1) * step).toFixed(decimals)) : rounded;
}

/** Figures as the pages show them: at most `decimals` places, no trailing zeros. */
export function figure(value: number, decimals = 2): string {
  return String(Number(value.toFixed(decimals)));
}

function problemsOf(req: DoseRequest, kg: number): DoseProblem[] {
  const { rule, settings, weight, bag, sessionHours, now } = req;
  const problems: DoseProblem[] = [];
  const { min, max } = settings.weightRangeKg;
  if (!Number.isFinite(kg) || kg < min || kg > max) {
    problems.push({
      code: 'weight_out_of_range',
      field: 'weight',
      message: `The weight must be between ${figure(min)} and ${figure(max)} kg (${figure(min / KG_PER_LB, 0)}–${figure(max / KG_PER_LB, 0)} lb).`,
    });
  }
  if (weight.measuredAt > now) {
    problems.push({ code: 'weight_in_future', field: 'measuredAt', message: 'The weight is dated in the future.' });
  } else if (now - weight.measuredAt > settings.maxWeightAgeDays * DAY_MS) {
    problems.push({
      code: 'weight_too_old',
      field: 'measuredAt',
      message: `The latest weight is more than ${settings.maxWeightAgeDays} days old: weigh the patient again.`,
    });
  }
  if (!(bag.drugMg > 0 && bag.volumeMl > 0 && Number.isFinite(bag.drugMg / bag.volumeMl))) {
    problems.push({
      code: 'bad_bag',
      field: 'bag',
      message: 'The bag needs an amount of drug (mg) and a volume (mL) above 0.',
    });
  }
  if (!(sessionHours > 0 && sessionHours <= 24)) {
    problems.push({
      code: 'bad_hours',
      field: 'sessionHours',
      message: 'A session lasts more than 0 and at most 24 hours.',
    });
  }
  const rate = req.mgPerKgPerHour ?? rule.startMgPerKgPerHour;
  if (!(rate > 0)) {
    problems.push({ code: 'rate_not_positive', field: 'mgPerKgPerHour', message: 'The rate must be above 0 mg/kg/h.' });
  } else if (rate > rule.maxMgPerKgPerHour + EPSILON) {
    problems.push({
      code: 'rate_above_max',
      field: 'mgPerKgPerHour',
      message: `${figure(rate, 3)} mg/kg/h is above the protocol's maximum of ${figure(rule.maxMgPerKgPerHour, 3)} mg/kg/h.`,
    });
  }
  const bolus = req.bolusMgPerKg ?? 0;
  if (bolus < 0 || !Number.isFinite(bolus)) {
    problems.push({ code: 'bolus_above_max', field: 'bolusMgPerKg', message: 'A bolus is 0 mg/kg or more.' });
  } else if (bolus > 0 && rule.bolusMaxMgPerKg === null) {
    problems.push({ code: 'bolus_not_allowed', field: 'bolusMgPerKg', message: 'This protocol allows no bolus.' });
  } else if (rule.bolusMaxMgPerKg !== null && bolus > rule.bolusMaxMgPerKg + EPSILON) {
    problems.push({
      code: 'bolus_above_max',
      field: 'bolusMgPerKg',
      message: `${figure(bolus, 3)} mg/kg is above the protocol's largest bolus of ${figure(rule.bolusMaxMgPerKg, 3)} mg/kg.`,
    });
  }
  return problems;
}

/** One rate through the caps: the lowest limit wins; the pump rate is rounded down once. */
function rateAt(
  mgPerKgPerHour: number,
  kg: number,
  concentration: number,
  capMgPerHour: number,
  sessionCapMgPerHour: number,
  step: number,
): RateAtStep {
  const byWeight = mgPerKgPerHour * kg;
  let limit: Limit = 'weight';
  let exact = byWeight;
  if (capMgPerHour < exact) [exact, limit] = [capMgPerHour, 'cap_mg_per_hour'];
  if (sessionCapMgPerHour < exact) [exact, limit] = [sessionCapMgPerHour, 'session_max'];
  const pump = roundDownTo(exact / concentration, step);
  return { mgPerKgPerHour, mgPerHour: pump * concentration, pumpRateMlPerHour: pump, limit };
}

export function calculateDose(req: DoseRequest): DoseResult {
  const kg = toKg(req.weight);
  const problems = problemsOf(req, kg);
  if (problems.length > 0) return { ok: false, problems };

  const { rule, settings, bag, sessionHours } = req;
  const concentration = bag.drugMg / bag.volumeMl;
  const rate = req.mgPerKgPerHour ?? rule.startMgPerKgPerHour;
  const bolusPerKg = req.bolusMgPerKg ?? 0;
  let bolus: DoseCalculation['bolus'] = null;
  if (bolusPerKg > 0) {
    const ml = roundDownTo((bolusPerKg * kg) / concentration, settings.bolusStepMl);
    bolus = { mgPerKg: bolusPerKg, mg: ml * concentration, ml };
    if (bolus.mg >= rule.maxMgPerSession) {
      return {
        ok: false,
        problems: [
          {
            code: 'bolus_above_session_max',
            field: 'bolusMgPerKg',
            message: `A ${figure(bolus.mg, 1)} mg bolus leaves nothing of the ${figure(rule.maxMgPerSession)} mg session maximum for the infusion.`,
          },
        ],
      };
    }
  }
  const bolusMg = bolus?.mg ?? 0;
  const sessionCap = (rule.maxMgPerSession - bolusMg) / sessionHours;
  const step = settings.pumpRateStepMlPerHour;
  const ordered = rateAt(rate, kg, concentration, rule.capMgPerHour, sessionCap, step);
  const top = rateAt(rule.maxMgPerKgPerHour, kg, concentration, rule.capMgPerHour, sessionCap, step);
  const maximum = { ...top, sessionTotalMg: bolusMg + top.mgPerHour * sessionHours };
  const titration = [ordered];
  const stepUp = rule.titrationStepMgPerKgPerHour;
  if (stepUp !== null && stepUp > 0) {
    // Whole steps from the ordered rate, then the maximum itself if the steps do not land on it.
    for (let i = 1; rate + i * stepUp <= rule.maxMgPerKgPerHour + EPSILON && i <= 100; i += 1) {
      const at = Number((rate + i * stepUp).toFixed(6));
      titration.push(rateAt(at, kg, concentration, rule.capMgPerHour, sessionCap, step));
    }
    if (titration.at(-1)!.mgPerKgPerHour < rule.maxMgPerKgPerHour - EPSILON) titration.push(top);
  }
  const dose: DoseCalculation = {
    weightKg: kg,
    concentrationMgPerMl: concentration,
    sessionHours,
    byWeightMgPerHour: rate * kg,
    ordered,
    bolus,
    sessionTotalMg: bolusMg + ordered.mgPerHour * sessionHours,
    maximum,
    titration,
    lines: [],
  };
  dose.lines = doseLines(req, dose, sessionCap);
  return { ok: true, dose };
}

function doseLines(req: DoseRequest, dose: DoseCalculation, sessionCap: number): DoseLine[] {
  const { rule, settings, weight, bag } = req;
  const kg = dose.weightKg;
  const byWeight = dose.byWeightMgPerHour;
  const lines: DoseLine[] = [
    {
      key: 'weight',
      label: 'Weight',
      working:
        weight.unit === 'lb'
          ? `${figure(weight.value, 1)} lb × 0.45359237 = ${figure(kg, 2)} kg`
          : `${figure(kg, 2)} kg (${figure(kg / KG_PER_LB, 1)} lb)`,
      applied: false,
    },
    {
      key: 'concentration',
      label: 'Bag',
      working: `${figure(bag.drugMg)} mg in ${figure(bag.volumeMl)} mL = ${figure(dose.concentrationMgPerMl, 3)} mg/mL`,
      applied: false,
    },
    {
      key: 'by_weight',
      label: 'Rate by weight',
      working: `${figure(dose.ordered.mgPerKgPerHour, 3)} mg/kg/h × ${figure(kg, 2)} kg = ${figure(byWeight, 2)} mg/h`,
      applied: dose.ordered.limit === 'weight',
    },
    {
      key: 'cap',
      label: 'Absolute cap',
      working:
        byWeight > rule.capMgPerHour
          ? `${figure(byWeight, 2)} mg/h is above the cap of ${figure(rule.capMgPerHour)} mg/h: the cap applies`
          : `${figure(rule.capMgPerHour)} mg/h: not reached`,
      applied: dose.ordered.limit === 'cap_mg_per_hour',
    },
  ];
  const bolusText = dose.bolus ? `, after the ${figure(dose.bolus.mg, 1)} mg bolus,` : '';
  lines.push({
    key: 'session_cap',
    label: 'Session maximum',
    working:
      dose.ordered.limit === 'session_max'
        ? `${figure(rule.maxMgPerSession)} mg per session${bolusText} allows ${figure(sessionCap, 2)} mg/h over ${figure(dose.sessionHours)} h: it applies`
        : `${figure(rule.maxMgPerSession)} mg per session${bolusText} allows up to ${figure(sessionCap, 2)} mg/h over ${figure(dose.sessionHours)} h: not reached`,
    applied: dose.ordered.limit === 'session_max',
  });
  const exact = Math.min(byWeight, rule.capMgPerHour, sessionCap);
  lines.push({
    key: 'pump_rate',
    label: 'Pump rate',
    working: `${figure(exact, 2)} mg/h ÷ ${figure(dose.concentrationMgPerMl, 3)} mg/mL = ${figure(exact / dose.concentrationMgPerMl, 3)} mL/h, rounded down to ${figure(settings.pumpRateStepMlPerHour, 3)} mL/h: ${figure(dose.ordered.pumpRateMlPerHour, 3)} mL/h (${figure(dose.ordered.mgPerHour, 2)} mg/h)`,
    applied: false,
  });
  if (dose.bolus) {
    lines.push({
      key: 'bolus',
      label: 'Bolus',
      working: `${figure(dose.bolus.mgPerKg, 3)} mg/kg × ${figure(kg, 2)} kg ÷ ${figure(dose.concentrationMgPerMl, 3)} mg/mL, rounded down to ${figure(settings.bolusStepMl, 3)} mL: ${figure(dose.bolus.ml, 3)} mL (${figure(dose.bolus.mg, 2)} mg)`,
      applied: false,
    });
  }
  lines.push({
    key: 'total',
    label: 'Session total',
    working: `${dose.bolus ? `${figure(dose.bolus.mg, 2)} mg + ` : ''}${figure(dose.ordered.mgPerHour, 2)} mg/h × ${figure(dose.sessionHours)} h = ${figure(dose.sessionTotalMg, 2)} mg (maximum ${figure(rule.maxMgPerSession)} mg)`,
    applied: false,
  });
  lines.push({
    key: 'maximum',
    label: 'Most allowed by titration',
    working: `${figure(rule.maxMgPerKgPerHour, 3)} mg/kg/h: ${figure(dose.maximum.pumpRateMlPerHour, 3)} mL/h (${figure(dose.maximum.mgPerHour, 2)} mg/h), ${figure(dose.maximum.sessionTotalMg, 2)} mg in the session`,
    applied: false,
  });
  return lines;
}

export interface VerificationEntry {
  weight: { value: number; unit: 'kg' | 'lb' };
  bag: Bag;
}

export interface VerificationResult {
  match: boolean;
  /** What differs; the nurse is told which, never the ordered figures. */
  mismatches: Array<'weight' | 'concentration'>;
}

/**
 * The independent double check: the nurse enters the weight and the bag without seeing the order's figures, and
 * they must agree with the order's (the weight within the tolerance, after converting units; the concentration to
 * a millionth of a mg/mL, so 100 mg in 100 mL matches 500 mg in 500 mL).
 */
export function compareVerification(
  settings: DosingSettings,
  ordered: { weightKg: number; bag: Bag },
  entered: VerificationEntry,
): VerificationResult {
  const mismatches: VerificationResult['mismatches'] = [];
  const kg = toKg(entered.weight);
  if (!Number.isFinite(kg) || Math.abs(kg - ordered.weightKg) > settings.verifyWeightToleranceKg + EPSILON) {
    mismatches.push('weight');
  }
  const a = ordered.bag.drugMg / ordered.bag.volumeMl;
  const b = entered.bag.drugMg / entered.bag.volumeMl;
  if (!(entered.bag.volumeMl > 0) || !Number.isFinite(b) || Math.abs(a - b) > 1e-6) mismatches.push('concentration');
  return { match: mismatches.length === 0, mismatches };
}
