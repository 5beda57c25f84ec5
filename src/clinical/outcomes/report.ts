/**
 * The clinic's responder report. Pure: questionnaire rows and each patient's baseline in, per protocol and location
 * the figures at each time point out (no I/O, no clock: the caller says which rows are owed).
 *
 * A patient owes a time point when its window has closed or they completed it; it is missing when owed and not
 * complete. Missing values are never imputed: each share is responders among the patients with a complete answer
 * (and a usable baseline) at that time point, and the missing count and share stand beside it. The questionnaire
 * that is a patient's baseline is not also a follow-up of itself: it is counted apart. Before-session and
 * before-booster questionnaires are told apart by the session's number, so "over time" follows the series.
 * Treated is given, not inferred from questionnaires: the patients with an infusion started in the period.
 */
import { percentChange } from '../instruments/pain.ts';
import { reaches, responseEpisodes, type ResponderSettings } from './responder.ts';
import { wilson, type Interval } from './wilson.ts';

/** One questionnaire of the period, as the report needs it. */
export interface ReportRow {
  /** The questionnaire's id: a baseline names the one it was taken from. */
  id: string;
  patientId: string;
  protocol: string;
  locationId: string;
  timepoint: string;
  /** The session's number for before-session and before-booster questionnaires; null otherwise. */
  number: number | null;
  /** Window closed, or complete. */
  owed: boolean;
  complete: boolean;
  at: number;
  painAverage: number | null;
  phq9: number | null;
}

/** A patient's baselines, taken before the first infusion (null: none). */
export interface Baseline {
  pain: number | null;
  phq9: number | null;
  /** The questionnaire the pain baseline came from; null when from the intake or there is none. */
  painFrom?: string | null;
  /** The questionnaire the PHQ-9 baseline came from; null when from the intake or there is none. */
  phq9From?: string | null;
}

/** A patient with an infusion session started in the period, at that location, on a plan of that protocol. */
export interface TreatedRow {
  patientId: string;
  protocol: string;
  locationId: string;
}

/** The first response episode of each patient who had one in the period. */
export interface FirstResponses {
  /** Patients with a pain baseline above 0 and at least one follow-up in the period. */
  followed: number;
  /** Of those, patients with a response (an episode) in the period. */
  responders: number;
  /** Of the responders, those whose first episode had not ended by their last follow-up of the period. */
  open: number;
  /** The median length of the first episodes, open ones counted at their length so far; null without any. */
  medianMs: number | null;
}

export interface Share {
  x: number;
  n: number;
  /** x / n, null for n = 0. */
  share: number | null;
  ci: Interval | null;
}

export interface TimepointFigures {
  key: string;
  timepoint: string;
  number: number | null;
  owed: number;
  answered: number;
  missing: number;
  /** missing / owed; null when nothing is owed yet. */
  missingShare: number | null;
  /** Answered, with a pain rating, but a baseline of 0 or none: no percent change. */
  notApplicable: number;
  /** Answered, and the answer is the patient's pain baseline itself: no change to measure. */
  baseline: number;
  moderate: Share;
  substantial: Share;
  medianPain: number | null;
  phq9Improved: Share;
  /** Answered with a PHQ-9 but without a PHQ-9 baseline before treatment: missing from the improvement share. */
  phq9NoBaseline: number;
}

export interface ReportGroup {
  protocol: string;
  locationId: string;
  /** Patients with an infusion session (induction or booster) started in the period here, under this protocol. */
  treated: number;
  timepoints: TimepointFigures[];
  firstResponses: FirstResponses;
}

const ORDER = ['pre_session', 'end_of_induction', 'week_1', 'week_4', 'week_12', 'pre_booster'];

const rank = (timepoint: string) => {
  const i = ORDER.indexOf(timepoint);
  return i < 0 ? ORDER.length : i;
};

export const timepointKey = (timepoint: string, number: number | null) =>
  number === null ? timepoint : `${timepoint}:${number}`;

export function share(x: number, n: number): Share {
  return { x, n, share: n === 0 ? null : x / n, ci: wilson(x, n) };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Cell {
  timepoint: string;
  number: number | null;
  /** Per patient: owed, and the latest complete answer. */
  patients: Map<string, { owed: boolean; latest: ReportRow | null }>;
}

interface Group {
  protocol: string;
  locationId: string;
  treated: Set<string>;
  cells: Map<string, Cell>;
  /** Per patient: the complete answers with a pain rating (for the response episodes). */
  series: Map<string, ReportRow[]>;
}

/** The report, one group per protocol and location (sorted), each with its time points in the series' order. */
export function buildReport(
  rows: readonly ReportRow[],
  baselines: ReadonlyMap<string, Baseline>,
  settings: Pick<ResponderSettings, 'moderatePct' | 'substantialPct' | 'phq9ImprovementPoints'>,
  treated: readonly TreatedRow[],
): ReportGroup[] {
  const groups = new Map<string, Group>();
  const groupOf = (protocol: string, locationId: string) => {
    const gk = `${protocol}\u0000${locationId}`;
    let g = groups.get(gk);
    if (!g) {
      g = { protocol, locationId, treated: new Set(), cells: new Map(), series: new Map() };
      groups.set(gk, g);
    }
    return g;
  };
  for (const t of treated) groupOf(t.protocol, t.locationId).treated.add(t.patientId);
  for (const row of rows) {
    const g = groupOf(row.protocol, row.locationId);
    if (!row.owed && !row.complete) continue;
    const key = timepointKey(row.timepoint, row.number);
    let cell = g.cells.get(key);
    if (!cell) {
      cell = { timepoint: row.timepoint, number: row.number, patients: new Map() };
      g.cells.set(key, cell);
    }
    const p = cell.patients.get(row.patientId) ?? { owed: false, latest: null };
    p.owed = true;
    if (row.complete && (p.latest === null || row.at >= p.latest.at)) p.latest = row;
    cell.patients.set(row.patientId, p);
    if (row.complete && row.painAverage !== null) {
      const s = g.series.get(row.patientId);
      if (s) s.push(row);
      else g.series.set(row.patientId, [row]);
    }
  }

  return [...groups.values()]
    .sort((a, b) => a.protocol.localeCompare(b.protocol) || a.locationId.localeCompare(b.locationId))
    .map((g) => ({
      protocol: g.protocol,
      locationId: g.locationId,
      treated: g.treated.size,
      timepoints: [...g.cells.entries()]
        .sort(
          ([, a], [, b]) =>
            rank(a.timepoint) - rank(b.timepoint) ||
            (a.number ?? 0) - (b.number ?? 0) ||
            a.timepoint.localeCompare(b.timepoint),
        )
        .map(([key, cell]) => figures(key, cell, baselines, settings)),
      firstResponses: firstResponses(g.series, baselines, settings.moderatePct),
    }));
}

/**
 * Each patient's first response episode over their answers of the period (the baseline questionnaire left out), the
 * same rule as the patient's own page: the median counts an open episode at its length so far (a lower bound).
 */
function firstResponses(
  series: ReadonlyMap<string, ReportRow[]>,
  baselines: ReadonlyMap<string, Baseline>,
  cutoffPct: number,
): FirstResponses {
  let followed = 0;
  let open = 0;
  const lengths: number[] = [];
  for (const [patientId, answers] of series) {
    const base = baselines.get(patientId);
    if (!base || base.pain === null || base.pain === 0) continue;
    const points = answers
      .filter((r) => r.id !== base.painFrom)
      .sort((a, b) => a.at - b.at)
      .map((r) => ({ at: r.at, changePct: percentChange(base.pain!, r.painAverage!) }));
    if (points.length === 0) continue;
    followed++;
    const first = responseEpisodes(points, cutoffPct)[0];
    if (!first) continue;
    lengths.push(first.durationMs);
    if (first.open) open++;
  }
  return { followed, responders: lengths.length, open, medianMs: median(lengths) };
}

function figures(
  key: string,
  cell: Cell,
  baselines: ReadonlyMap<string, Baseline>,
  settings: Pick<ResponderSettings, 'moderatePct' | 'substantialPct' | 'phq9ImprovementPoints'>,
): TimepointFigures {
  let owed = 0;
  let answered = 0;
  let notApplicable = 0;
  let isBaseline = 0;
  let phqNoBase = 0;
  let withChange = 0;
  let moderate = 0;
  let substantial = 0;
  let phqN = 0;
  let phqX = 0;
  const pains: number[] = [];
  for (const [patientId, p] of cell.patients) {
    if (p.owed) owed++;
    const row = p.latest;
    if (!row) continue;
    answered++;
    const base = baselines.get(patientId);
    if (row.painAverage !== null) {
      pains.push(row.painAverage);
      if (base?.painFrom != null && base.painFrom === row.id) isBaseline++;
      else {
        const pct = base?.pain != null ? percentChange(base.pain, row.painAverage) : null;
        if (pct === null) notApplicable++;
        else {
          withChange++;
          if (reaches(pct, settings.moderatePct)) moderate++;
          if (reaches(pct, settings.substantialPct)) substantial++;
        }
      }
    }
    if (row.phq9 !== null && !(base?.phq9From != null && base.phq9From === row.id)) {
      if (base?.phq9 == null) phqNoBase++;
      else {
        phqN++;
        if (base.phq9 - row.phq9 >= settings.phq9ImprovementPoints) phqX++;
      }
    }
  }
  const missing = owed - answered;
  return {
    key,
    timepoint: cell.timepoint,
    number: cell.number,
    owed,
    answered,
    missing,
    missingShare: owed === 0 ? null : missing / owed,
    notApplicable,
    baseline: isBaseline,
    moderate: share(moderate, withChange),
    substantial: share(substantial, withChange),
    medianPain: median(pains),
    phq9Improved: share(phqX, phqN),
    phq9NoBaseline: phqNoBase,
  };
}
