/**
 * The responder analysis of one patient. Pure: plain observations in, the analysis out (no I/O, no clock).
 *
 * The pain measure is the average pain over the last 24 hours (0–10), asked before every session and at every
 * follow-up: IMMPACT's core measure of pain intensity. A baseline is taken before treatment: the intake's rating when
 * the intake has one, else the first complete pre-session questionnaire completed before the first infusion started.
 * PHQ-9 and GAD-7 follow the same rule (the intake's, else the first questionnaire with it completed before the first
 * infusion); a score first given after treatment began is no baseline, and the patient has none for that measure.
 * Relief is `(baseline − follow-up) / baseline × 100`, so relief is positive; a baseline of 0 has no percent change
 * ("not applicable", clinical-facts §9). A response (an episode) starts at a follow-up with relief of the moderate
 * cut-off or more (≥ 30 %, IMMPACT's "30 % or more") and ends at the first later follow-up with relief under it; a
 * later follow-up at 30 % or more starts the next episode (after a booster, typically). An episode not yet ended is
 * open and its length a lower bound.
 */
import { GAD7 } from '../instruments/gad7.ts';
import { percentChange } from '../instruments/pain.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import type { Band } from '../instruments/questionnaire.ts';

export interface ResponderSettings {
  /** A relief of at least this many per cent is "minimal" (IMMPACT: 10–20 %; 20–<30 % is classed minimal too). */
  minimalPct: number;
  /** At least this many per cent is "moderate" (IMMPACT ≥ 30 %); a response starts here and ends below it. */
  moderatePct: number;
  /** At least this many per cent is "substantial" (IMMPACT ≥ 50 %). */
  substantialPct: number;
  /** A PHQ-9 total this many points or more below the baseline counts as an improvement in the reports. */
  phq9ImprovementPoints: number;
}

export const DEFAULT_RESPONDER_SETTINGS: ResponderSettings = {
  minimalPct: 10,
  moderatePct: 30,
  substantialPct: 50,
  phq9ImprovementPoints: 5,
};

export type ImmpactClass = 'not_applicable' | 'none' | 'minimal' | 'moderate' | 'substantial';

/** One complete questionnaire's scores (null where it did not ask or the answer was not given). */
export interface Observation {
  at: number;
  timepoint: string;
  painNow: number | null;
  painAverage: number | null;
  painWorst: number | null;
  phq9: number | null;
  gad7: number | null;
  /** The PEG pain-interference score (mean of three 0–10 items). */
  interference: number | null;
  pgic: number | null;
  pgicLabel: string | null;
}

/** What the intake recorded before treatment, when it did. */
export interface IntakeScores {
  at: number;
  painAverage: number | null;
  phq9: number | null;
  gad7: number | null;
}

export interface PainPoint {
  at: number;
  timepoint: string;
  pain: number;
  /** Baseline − this rating: positive is less pain. */
  changePoints: number;
  /** Null when the baseline is 0. */
  changePct: number | null;
  immpact: ImmpactClass;
}

export interface ScoreChange {
  baseline: { total: number; band: Band | null; at: number } | null;
  latest: { total: number; band: Band | null; at: number } | null;
  /** Bands moved from the baseline's to the latest's: negative is milder. */
  bandSteps: number | null;
  /** Baseline − latest: positive is better. */
  changePoints: number | null;
}

/** An infusion session that started: when, and which of its plan's sessions it was (null when not from a plan). */
export interface SessionMark {
  at: number;
  kind: 'induction' | 'booster' | null;
  number: number | null;
}

export interface ResponseEpisode {
  startedAt: number;
  /** The first follow-up after the start with relief under the moderate cut-off; null while the response lasts. */
  endedAt: number | null;
  /** The last follow-up of the series (what an open episode's length is counted to). */
  lastSeenAt: number;
  /** endedAt − startedAt, or (open) lastSeenAt − startedAt: at least this long. */
  durationMs: number;
  open: boolean;
}

/** An episode with the infusion session that started last at or before its start, if any. */
export interface PatientEpisode extends ResponseEpisode {
  after: SessionMark | null;
}

export interface PatientResponse {
  baseline: { pain: number; at: number; source: 'intake' | 'questionnaire' } | null;
  /** Every follow-up with a pain rating, oldest first (the baseline questionnaire itself left out). */
  points: PainPoint[];
  latest: PainPoint | null;
  /** The largest relief seen, for "best response". */
  best: PainPoint | null;
  phq9: ScoreChange;
  gad7: ScoreChange;
  pgic: { value: number; label: string | null; at: number } | null;
  /** The first episode (the one the clinic report's median measures), or null. */
  response: PatientEpisode | null;
  /** Every episode, oldest first; they never overlap. */
  episodes: PatientEpisode[];
  /** When the first infusion started, or null before any: baselines are taken before it. */
  firstInfusionAt: number | null;
}

/**
 * The IMMPACT class of a relief in per cent. Rounded to 1e-9 first, so 30 % computed as 29.999999999 in floating
 * point is still 30 %. Worse pain (a negative relief) is "none": the points and per cent say how much worse.
 */
export function immpactClass(
  pct: number | null,
  settings: Pick<ResponderSettings, 'minimalPct' | 'moderatePct' | 'substantialPct'> = DEFAULT_RESPONDER_SETTINGS,
): ImmpactClass {
  if (pct === null || !Number.isFinite(pct)) return 'not_applicable';
  const p = Math.round(pct * 1e9) / 1e9;
  if (p >= settings.substantialPct) return 'substantial';
  if (p >= settings.moderatePct) return 'moderate';
  if (p >= settings.minimalPct) return 'minimal';
  return 'none';
}

/** At or above the cut-off, with the same rounding as `immpactClass`. */
export function reaches(pct: number | null, cutoffPct: number): boolean {
  return pct !== null && Number.isFinite(pct) && Math.round(pct * 1e9) / 1e9 >= cutoffPct;
}

export const bandOf = (bands: readonly Band[], total: number): Band | null =>
  bands.find((b) => b.from <= total && total <= b.to) ?? null;

/**
 * A score's change from its baseline (given: the intake's or a questionnaire's before treatment, else none) to the
 * latest later score. Without a baseline the latest is still shown, with no change.
 */
function scoreChange(
  bands: readonly Band[],
  baselineScore: { total: number; at: number } | null,
  all: Array<{ total: number; at: number }>,
): ScoreChange {
  const rest = all.filter((x) => x !== baselineScore && (baselineScore === null || x.at >= baselineScore.at));
  const last = rest[rest.length - 1] ?? null;
  const baseline = baselineScore ? { ...baselineScore, band: bandOf(bands, baselineScore.total) } : null;
  const latest = last ? { ...last, band: bandOf(bands, last.total) } : null;
  const index = (b: Band | null) => (b ? bands.indexOf(b) : -1);
  const bandSteps = baseline?.band && latest?.band ? index(latest.band) - index(baseline.band) : null;
  return {
    baseline,
    latest,
    bandSteps,
    changePoints: baseline && latest ? baseline.total - latest.total : null,
  };
}

/**
 * Response episodes over a series of follow-ups (oldest first): each starts at a point at the cut-off or above and
 * ends at the first later point (later in time) under it (a point without a percent change neither starts nor ends
 * one); the next can start only after that. The last may be open.
 */
export function responseEpisodes(
  points: ReadonlyArray<{ at: number; changePct: number | null }>,
  cutoffPct: number,
): ResponseEpisode[] {
  const out: ResponseEpisode[] = [];
  const lastSeenAt = points.length > 0 ? points[points.length - 1]!.at : 0;
  let start: number | null = null;
  let lastEnd = -Infinity;
  for (const p of points) {
    if (p.changePct === null) continue;
    const responding = reaches(p.changePct, cutoffPct);
    if (start === null && responding && p.at > lastEnd) start = p.at;
    // Only a later point ends it: two answers at one instant do not make an episode of no length.
    else if (start !== null && !responding && p.at > start) {
      out.push({ startedAt: start, endedAt: p.at, lastSeenAt, durationMs: p.at - start, open: false });
      lastEnd = p.at;
      start = null;
    }
  }
  if (start !== null)
    out.push({ startedAt: start, endedAt: null, lastSeenAt, durationMs: lastSeenAt - start, open: true });
  return out;
}

const byTime = (a: { at: number }, b: { at: number }) => a.at - b.at;

/**
 * The analysis of one patient from their intake (if any), their complete questionnaires and the infusion sessions
 * that started, each in any order.
 */
export function patientResponse(
  intake: IntakeScores | null,
  observations: readonly Observation[],
  settings: ResponderSettings = DEFAULT_RESPONDER_SETTINGS,
  sessions: readonly SessionMark[] = [],
): PatientResponse {
  const obs = [...observations].sort(byTime);
  const marks = [...sessions].sort(byTime);
  const firstInfusionAt = marks[0]?.at ?? null;
  const beforeTreatment = (at: number) => firstInfusionAt === null || at < firstInfusionAt;
  const firstPre =
    obs.find((o) => o.timepoint === 'pre_session' && o.painAverage !== null && beforeTreatment(o.at)) ?? null;
  const baseline =
    intake && intake.painAverage !== null
      ? { pain: intake.painAverage, at: intake.at, source: 'intake' as const }
      : firstPre
        ? { pain: firstPre.painAverage!, at: firstPre.at, source: 'questionnaire' as const }
        : null;

  const points: PainPoint[] = [];
  if (baseline) {
    for (const o of obs) {
      if (o === firstPre && baseline.source === 'questionnaire') continue;
      if (o.painAverage === null || o.at < baseline.at) continue;
      const changePct = percentChange(baseline.pain, o.painAverage);
      points.push({
        at: o.at,
        timepoint: o.timepoint,
        pain: o.painAverage,
        changePoints: baseline.pain - o.painAverage,
        changePct,
        immpact: immpactClass(changePct, settings),
      });
    }
  }

  const episodes: PatientEpisode[] = responseEpisodes(points, settings.moderatePct).map((e) => ({
    ...e,
    after: marks.findLast((m) => m.at <= e.startedAt) ?? null,
  }));

  const best = points.reduce<PainPoint | null>(
    (b, p) => (p.changePct !== null && (b === null || p.changePct > (b.changePct ?? -Infinity)) ? p : b),
    null,
  );
  const totals = (pick: (o: Observation) => number | null) =>
    obs.flatMap((o) => {
      const total = pick(o);
      return total === null ? [] : [{ total, at: o.at }];
    });
  /** The intake's score, else the first questionnaire's completed before the first infusion, else none. */
  const moodBaseline = (fromIntake: number | null | undefined, all: Array<{ total: number; at: number }>) =>
    intake && fromIntake != null
      ? { total: fromIntake, at: intake.at }
      : (all.find((x) => beforeTreatment(x.at)) ?? null);
  const phq9 = totals((o) => o.phq9);
  const gad7 = totals((o) => o.gad7);
  const withPgic = obs.filter((o) => o.pgic !== null);
  const lastPgic = withPgic[withPgic.length - 1];

  return {
    baseline,
    points,
    latest: points[points.length - 1] ?? null,
    best,
    phq9: scoreChange(PHQ9.bands, moodBaseline(intake?.phq9, phq9), phq9),
    gad7: scoreChange(GAD7.bands, moodBaseline(intake?.gad7, gad7), gad7),
    pgic: lastPgic ? { value: lastPgic.pgic!, label: lastPgic.pgicLabel, at: lastPgic.at } : null,
    response: episodes[0] ?? null,
    episodes,
    firstInfusionAt,
  };
}
