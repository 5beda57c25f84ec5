/**
 * Each bag's controlled-substance figures: dispensed (the bag's drug, drawn at the start), given (the timeline's
 * total, the pump stopping at the lesser of the bags' drug and the order's session maximum) and wasted (witnessed
 * entries), and whether they balance. A session's drug balances when its infusion has stopped (or never started)
 * and every bag balances; the discharge gate asks `sessionDrugBalanced`.
 *
 * When a session used more than one bag, the total given is taken from the bags in the order they were drawn: the
 * pump empties one bag before the next is hung. Amounts are kept to 0.01 mg, the record's precision, so a nurse who
 * wastes what the page says is left always balances the bag.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import {
  drugSession,
  drugSessionsById,
  sessionBags,
  sessionTimelines,
  sessionWaste,
  type BagRow,
  type SessionDrugRow,
  type WasteRow,
} from './controlled-repository.ts';
import { reconcileBag, toHundredths } from './reconcile.ts';
import { infusedMg, type TimelineEvent } from './total.ts';

export interface BagFigures {
  bag: BagRow;
  dispensedMg: number;
  givenMg: number;
  wastedMg: number;
  /** Drug still to account for: dispensed − given − wasted (0.01 mg). */
  leftMg: number;
  waste: WasteRow[];
  balanced: boolean;
  differenceMg: number;
}

export type DrugStatus =
  /** No bag was drawn: nothing to account for. */
  | 'no_drug'
  /** The infusion is running or paused: what is given is not final. */
  | 'infusing'
  /** Stopped (or never started) and every bag balances. */
  | 'balanced'
  /** Stopped (or never started) and drug is still to account for (waste to record), or more than dispensed is. */
  | 'unbalanced';

export interface SessionDrug {
  sessionId: string;
  patientId: string;
  status: DrugStatus;
  balanced: boolean;
  bags: BagFigures[];
  dispensedMg: number;
  givenMg: number;
  wastedMg: number;
  leftMg: number;
}

/** The figures of one session from its rows; `now` stands in for the stop while the infusion runs. */
export function sessionDrugOf(
  session: SessionDrugRow,
  bags: readonly BagRow[],
  events: readonly TimelineEvent[],
  waste: readonly WasteRow[],
  now: number,
): SessionDrug {
  const dispensed = bags.reduce((sum, b) => sum + b.drugMg, 0);
  const limit = Math.min(dispensed, session.sessionTotalMg ?? dispensed);
  const running = session.startedAt !== null && session.stoppedAt === null;
  const until = session.stoppedAt ?? now;
  let toAllocate = session.startedAt === null ? 0 : toHundredths(infusedMg(events, until, limit).mg);
  const figures = bags.map((bag): BagFigures => {
    const given = Math.min(bag.drugMg, toAllocate);
    toAllocate = toHundredths(toAllocate - given);
    const own = waste.filter((w) => w.bagId === bag.id);
    const wasted = toHundredths(own.reduce((sum, w) => sum + w.mg, 0));
    const balance = reconcileBag({ dispensedMg: bag.drugMg, infusedMg: given, wastedMg: wasted });
    return {
      bag,
      dispensedMg: bag.drugMg,
      givenMg: given,
      wastedMg: wasted,
      leftMg: balance.differenceMg,
      waste: own,
      balanced: balance.balanced,
      differenceMg: balance.differenceMg,
    };
  });
  const sum = (pick: (f: BagFigures) => number) => toHundredths(figures.reduce((s, f) => s + pick(f), 0));
  const status: DrugStatus =
    bags.length === 0 ? 'no_drug' : running ? 'infusing' : figures.every((f) => f.balanced) ? 'balanced' : 'unbalanced';
  return {
    sessionId: session.id,
    patientId: session.patientId,
    status,
    balanced: status === 'no_drug' || status === 'balanced',
    bags: figures,
    dispensedMg: sum((f) => f.dispensedMg),
    givenMg: sum((f) => f.givenMg),
    wastedMg: sum((f) => f.wastedMg),
    leftMg: sum((f) => f.leftMg),
  };
}

/** The drug figures of several sessions, read in four queries whatever their number. */
export async function sessionsDrug(db: Kysely<DB>, ids: readonly string[], now: number): Promise<SessionDrug[]> {
  const sessions = await drugSessionsById(db, ids);
  const found = sessions.map((s) => s.id);
  // One after another: inside a transaction they share one connection.
  const bags = await sessionBags(db, found);
  const waste = await sessionWaste(db, found);
  const timelines = await sessionTimelines(db, found);
  return sessions.map((s) =>
    sessionDrugOf(
      s,
      bags.filter((b) => b.sessionId === s.id),
      timelines.get(s.id) ?? [],
      waste.filter((w) => w.sessionId === s.id),
      now,
    ),
  );
}

/** One session's figures (`now` stands in for the stop while the infusion runs); undefined for an unknown id. */
export async function sessionDrug(db: Kysely<DB>, sessionId: string, now: number): Promise<SessionDrug | undefined> {
  const session = await drugSession(db, sessionId);
  if (!session) return undefined;
  const bags = await sessionBags(db, [session.id]);
  const waste = await sessionWaste(db, [session.id]);
  const timelines = await sessionTimelines(db, [session.id]);
  return sessionDrugOf(session, bags, timelines.get(session.id) ?? [], waste, now);
}

/**
 * Whether the session's controlled-substance record balances, with the figures: for the discharge gate (a session
 * may not close until it does). Call it with the discharge's transaction so it sees what that transaction sees.
 * An unknown session does not balance.
 */
export async function sessionDrugBalanced(
  db: Kysely<DB>,
  sessionId: string,
): Promise<{ balanced: boolean; drug: SessionDrug | undefined }> {
  // The clock does not matter here: a running infusion never balances, a stopped one is read up to its stop.
  const drug = await sessionDrug(db, sessionId, Number.MAX_SAFE_INTEGER);
  return { balanced: drug?.balanced ?? false, drug };
}
