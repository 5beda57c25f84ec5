/**
 * The responder analysis of one patient. Pure: plain observations in, the analysis out (no I/O, no clock).
 *
 * The pain measure is the average pain over the last 24 hours (0–10), asked before every session and at every
 * follow-up: IMMPACT's core measure of pain intensity. The baseline is the intake's rating when the intake has one,
 * else the first complete pre-session questionnaire. Relief is `(baseline − follow-up) / baseline × 100`, so relief is
 * positive; a baseline of 0 has no percent change ("not applicable", clinical-facts §9). A response starts at the first
 * follow-up with at least the moderate relief (30 %) and lasts until pain is back within that distance of the
 * baseline (relief under 30 %); while it has not come back, the response is open and its length a lower bound.
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

export interface ResponseEpisode {
  startedAt: number;
  /** The first follow-up after the start with relief under the moderate cut-off; null while the response lasts. */
  endedAt: number | null;
  /** The last follow-up seen, for an open response. */
  lastSeenAt: number;
  /** endedAt − startedAt, or (open) lastSeenAt − startedAt: at least this long. */
  durationMs: number;
  open: boolean;
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
  response: ResponseEpisode | null;
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

function scoreChange(
  bands: readonly Band[],
  intake: { total: number; at: number } | null,
  later: Array<{ total: number; at: number }>,
): ScoreChange {
  const first = intake ?? later[0] ?? null;
  const rest = intake ? later : later.slice(1);
  const last = rest[rest.length - 1] ?? null;
  const baseline = first ? { ...first, band: bandOf(bands, first.total) } : null;
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

const byTime = (a: { at: number }, b: { at: number }) => a.at - b.at;

/** The analysis of one patient from their intake (if any) and their complete questionnaires, in any order. */
export function patientResponse(
  intake: IntakeScores | null,
  observations: readonly Observation[],
  settings: ResponderSettings = DEFAULT_RESPONDER_SETTINGS,
): PatientResponse {
  const obs = [...observations].sort(byTime);
  const firstPre = obs.find((o) => o.timepoint === 'pre_session' && o.painAverage !== null) ?? null;
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

  let response: ResponseEpisode | null = null;
  const start = points.find((p) => reaches(p.changePct, settings.moderatePct));
  if (start) {
    const after = points.filter((p) => p.at > start.at);
    const end = after.find((p) => !reaches(p.changePct, settings.moderatePct)) ?? null;
    const lastSeenAt = points[points.length - 1]!.at;
    response = {
      startedAt: start.at,
      endedAt: end ? end.at : null,
      lastSeenAt,
      durationMs: (end ? end.at : lastSeenAt) - start.at,
      open: end === null,
    };
  }

  const best = points.reduce<PainPoint | null>(
    (b, p) => (p.changePct !== null && (b === null || p.changePct > (b.changePct ?? -Infinity)) ? p : b),
    null,
  );
  const totals = (pick: (o: Observation) => number | null) =>
    obs.flatMap((o) => {
      const total = pick(o);
      return total === null ? [] : [{ total, at: o.at }];
    });
  const withPgic = obs.filter((o) => o.pgic !== null);
  const lastPgic = withPgic[withPgic.length - 1];

  return {
    baseline,
    points,
    latest: points[points.length - 1] ?? null,
    best,
    phq9: scoreChange(
      PHQ9.bands,
      intake?.phq9 != null ? { total: intake.phq9, at: intake.at } : null,
      totals((o) => o.phq9),
    ),
    gad7: scoreChange(
      GAD7.bands,
      intake?.gad7 != null ? { total: intake.gad7, at: intake.at } : null,
      totals((o) => o.gad7),
    ),
    pgic: lastPgic ? { value: lastPgic.pgic!, label: lastPgic.pgicLabel, at: lastPgic.at } : null,
    response,
  };
}
