/**
 * The safety flag rules, pure: given the rules in force and what is on record for one patient, the flags that
 * should exist. Each flag names the record that raised it (`sourceId`), so raising the same facts twice raises
 * nothing new, and a flag a provider closed is not raised again by the same record.
 */
import type { FlagKind, FlagRules } from './flags-settings.ts';

export interface PatientFacts {
  /** PHQ-9 item 9 answers (0–3) from any source: a questionnaire, a check-in. */
  item9: Array<{ source: string; sourceId: string; value: number }>;
  /** Verified dose orders, oldest visit first: mg/kg for the whole session, and the pre-session pain (0–10) if known. */
  doses: Array<{ orderId: string; at: number; mgPerKg: number; prePain: number | null }>;
  /** Check-in urinary screens: how many questions were answered yes. */
  urinary: Array<{ sessionId: string; yes: number }>;
  /** Measured results; a result without an upper limit of normal cannot be judged against a multiple of it. */
  labs: Array<{ id: string; test: string; value: number | null; upperLimit: number | null }>;
  /** Infusion sessions given or begun, and whether each raised an alert. */
  sessions: Array<{ id: string; at: number; hadAlert: boolean }>;
  /** Follow-ups missed: a questionnaire marked missed (at: when its window opened) or a visit not attended. */
  misses: Array<{ id: string; kind: 'questionnaire' | 'no_show'; at: number }>;
  /** Prescription-monitoring checks and their result. */
  pdmp: Array<{ id: string; result: 'no_concerns' | 'concerns' }>;
  /** Signed screenings, oldest first, with the substance use the provider recorded (null: not recorded). */
  screenings: Array<{ id: string; substanceUse: SubstanceUse | null }>;
}

export type SubstanceUse = 'none' | 'history' | 'active';
const SUBSTANCE_RANK: Record<SubstanceUse, number> = { none: 0, history: 1, active: 2 };

export interface Flag {
  kind: FlagKind;
  /** Where it came from, as clinical_alerts.source names it. */
  source: string;
  sourceId: string;
  level: 'alert' | 'urgent';
  /** Holds further infusions until a provider clears it. */
  holds: boolean;
  /** Codes and figures of the rule's finding (never free text). */
  detail: Record<string, string | number>;
}

/** Percentage change, from `from` to `to`. */
const risePercent = (from: number, to: number) => ((to - from) / from) * 100;

/**
 * Dose escalation: over the last N verified orders, the mg/kg per session rose by more than X % from the first to
 * the last, while the response is the same: the pre-session pain is not lower at the latest score in that window than
 * at the earliest. Fewer than two pain scores cannot show a better response, so the rise alone raises the flag.
 */
export function doseEscalation(rules: FlagRules, doses: PatientFacts['doses']): Flag | null {
  if (!rules.escalationOn || doses.length < rules.escalationSessions) return null;
  const window = doses.slice(-rules.escalationSessions);
  const first = window[0]!;
  const last = window[window.length - 1]!;
  if (!(first.mgPerKg > 0)) return null;
  const rise = risePercent(first.mgPerKg, last.mgPerKg);
  if (!(rise > rules.escalationPercent)) return null;
  const pains = window.map((d) => d.prePain).filter((p): p is number => p !== null);
  if (pains.length >= 2 && pains[pains.length - 1]! < pains[0]!) return null;
  return {
    kind: 'dose_escalation',
    source: 'dose order',
    sourceId: last.orderId,
    level: 'alert',
    holds: false,
    detail: { risePercent: Math.round(rise * 10) / 10, sessions: window.length, painScores: pains.length },
  };
}

/** The liver rule: a result of a liver test at or above the multiple of its own upper limit of normal. */
export function liverFlags(rules: FlagRules, labs: PatientFacts['labs']): Flag[] {
  if (!rules.liverOn) return [];
  return labs
    .filter(
      (l) =>
        rules.liverTests.includes(l.test) &&
        l.value !== null &&
        l.upperLimit !== null &&
        l.upperLimit > 0 &&
        l.value >= rules.liverMultiple * l.upperLimit,
    )
    .map((l) => ({
      kind: 'liver' as const,
      source: 'lab result',
      sourceId: l.id,
      level: 'urgent' as const,
      holds: true,
      detail: { test: l.test, timesUpperLimit: Math.round((l.value! / l.upperLimit!) * 100) / 100 },
    }));
}

/** A miss flags when the last session before it raised an alert (the follow-up of a session that worried someone). */
export function missedFollowUps(rules: FlagRules, facts: Pick<PatientFacts, 'sessions' | 'misses'>): Flag[] {
  if (!rules.missedFollowUpOn) return [];
  const sessions = [...facts.sessions].sort((a, b) => a.at - b.at);
  return facts.misses.flatMap((m) => {
    const before = sessions.filter((s) => s.at < m.at).pop();
    if (!before?.hadAlert) return [];
    return [
      {
        kind: 'missed_follow_up' as const,
        source: m.kind === 'questionnaire' ? 'questionnaire' : 'appointment',
        sourceId: m.id,
        level: 'alert' as const,
        holds: false,
        detail: { missed: m.kind, session: before.id },
      },
    ];
  });
}

/**
 * A new substance-use concern: a PDMP check with concerns, or a signed screening that records more than the one
 * before it (none → history → active). At the first screening, active misuse is new; a past history already known
 * then is the baseline the provider screened with, and flags only where the rules say so (`substanceUseKnownHistory`).
 */
export function substanceUseFlags(rules: FlagRules, facts: Pick<PatientFacts, 'pdmp' | 'screenings'>): Flag[] {
  if (!rules.substanceUseOn) return [];
  const flags: Flag[] = facts.pdmp
    .filter((c) => c.result === 'concerns')
    .map((c) => ({
      kind: 'substance_use' as const,
      source: 'PDMP check',
      sourceId: c.id,
      level: 'alert' as const,
      holds: false,
      detail: { check: 'pdmp' },
    }));
  let before: SubstanceUse | null = null;
  for (const s of facts.screenings) {
    if (s.substanceUse === null) continue;
    const now = SUBSTANCE_RANK[s.substanceUse];
    const isNew =
      before === null ? now === 2 || (now === 1 && rules.substanceUseKnownHistory) : now > SUBSTANCE_RANK[before];
    if (isNew)
      flags.push({
        kind: 'substance_use',
        source: 'screening',
        sourceId: s.id,
        level: s.substanceUse === 'active' ? 'urgent' : 'alert',
        holds: false,
        detail: { recorded: s.substanceUse, before: before ?? 'first' },
      });
    before = s.substanceUse;
  }
  return flags;
}

export function evaluateFlags(rules: FlagRules, facts: PatientFacts): Flag[] {
  const flags: Flag[] = [];
  for (const a of facts.item9)
    if (a.value >= rules.item9AlertAt)
      flags.push({
        kind: 'phq9_item9',
        source: a.source,
        sourceId: a.sourceId,
        level: a.value >= rules.item9UrgentAt ? 'urgent' : 'alert',
        holds: false,
        detail: { answer: a.value },
      });
  const escalation = doseEscalation(rules, facts.doses);
  if (escalation) flags.push(escalation);
  if (rules.urinaryOn)
    for (const u of facts.urinary)
      if (u.yes >= rules.urinaryMinYes)
        flags.push({
          kind: 'urinary',
          source: 'check-in',
          sourceId: u.sessionId,
          level: 'alert',
          holds: false,
          detail: { yes: u.yes },
        });
  flags.push(...liverFlags(rules, facts.labs));
  flags.push(...missedFollowUps(rules, facts));
  flags.push(...substanceUseFlags(rules, facts));
  return flags;
}
