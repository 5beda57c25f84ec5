/**
 * The clinic's responder report. Pure: questionnaire rows and each patient's baseline in, per protocol and location
 * the figures at each time point out (no I/O, no clock: the caller says which rows are owed).
 *
 * A patient owes a time point when its window has closed or they completed it; it is missing when owed and not
 * complete. Missing values are never imputed: each share is responders among the patients with a complete answer
 * (and a usable baseline) at that time point, and the missing count and share stand beside it. Before-session and
 * before-booster questionnaires are told apart by the session's number, so "over time" follows the series.
 */
import { percentChange } from '../instruments/pain.ts';
import { reaches, type ResponderSettings } from './responder.ts';
import { wilson, type Interval } from './wilson.ts';

/** One questionnaire of the period, as the report needs it. */
export interface ReportRow {
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

export interface Baseline {
  pain: number | null;
  phq9: number | null;
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
  moderate: Share;
  substantial: Share;
  medianPain: number | null;
  phq9Improved: Share;
}

export interface ReportGroup {
  protocol: string;
  locationId: string;
  /** Patients with a session in the period: those owing or completing a before-session questionnaire. */
  treated: number;
  timepoints: TimepointFigures[];
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

/** The report, one group per protocol and location (sorted), each with its time points in the series' order. */
export function buildReport(
  rows: readonly ReportRow[],
  baselines: ReadonlyMap<string, Baseline>,
  settings: Pick<ResponderSettings, 'moderatePct' | 'substantialPct' | 'phq9ImprovementPoints'>,
): ReportGroup[] {
  const groups = new Map<
    string,
    { protocol: string; locationId: string; treated: Set<string>; cells: Map<string, Cell> }
  >();
  for (const row of rows) {
    const gk = `${row.protocol}\u0000${row.locationId}`;
    let g = groups.get(gk);
    if (!g) {
      g = { protocol: row.protocol, locationId: row.locationId, treated: new Set(), cells: new Map() };
      groups.set(gk, g);
    }
    if (row.timepoint === 'pre_session' && (row.owed || row.complete)) g.treated.add(row.patientId);
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
    }));
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
      const pct = base?.pain != null ? percentChange(base.pain, row.painAverage) : null;
      if (pct === null) notApplicable++;
      else {
        withChange++;
        if (reaches(pct, settings.moderatePct)) moderate++;
        if (reaches(pct, settings.substantialPct)) substantial++;
      }
    }
    if (row.phq9 !== null && base?.phq9 != null) {
      phqN++;
      if (base.phq9 - row.phq9 >= settings.phq9ImprovementPoints) phqX++;
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
    moderate: share(moderate, withChange),
    substantial: share(substantial, withChange),
    medianPain: median(pains),
    phq9Improved: share(phqX, phqN),
  };
}
