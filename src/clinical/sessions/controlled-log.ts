/**
 * The controlled-substance log of a location (issue 12 §5): every bag drawn, with what was given and wasted and by
 * whom, a running balance per lot where the clinic records stock received, and a line for any closed session whose
 * drug does not balance (the discharge gate makes that impossible; if one shows, something went round the gate).
 *
 * Administrators read it at every location, as the clinic's record keepers; providers read their own locations' log,
 * since the prescriber holds the clinic's controlled-substance registration there. Emergency access does not open it:
 * that is for a patient's care, not for records. Nurses and the front desk do not read it. Each view and export is
 * audited; the log shows patients by name, by rule, even to an administrator.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { Role } from '../../kernel/db/schema.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { addDays, dayBounds, isDay, today } from '../../kernel/time/wall-clock.ts';
import { sessionsDrug, type DrugStatus, type SessionDrug } from './controlled-balance.ts';
import {
  allLocations,
  closedSessionIds,
  locationBags,
  locationReceipts,
  patientNamesById,
  userNames,
  type LocationRow,
  type ReceiptRow,
} from './controlled-repository.ts';
import { lotBalances, type LotBalance } from './reconcile.ts';

export const LOG_ROLES: readonly Role[] = ['admin', 'provider'];
/** The range shown when none is chosen: the last 30 days, today included. */
export const DEFAULT_LOG_DAYS = 30;

/** Locations whose log this person may read. */
export function logLocationsFor(actor: Actor, all: readonly LocationRow[]): LocationRow[] {
  if (actor.staff.role === 'admin') return [...all];
  if (actor.staff.role === 'provider') return all.filter((l) => actor.staff.locationIds.includes(l.id));
  return [];
}

export interface LogQuery {
  location?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface LogRow {
  sessionId: string;
  patientId: string;
  patientName: string;
  bagId: string;
  at: number;
  lot: string;
  expiresOn: string;
  dispensedMg: number;
  givenMg: number;
  wastedMg: number;
  leftMg: number;
  status: DrugStatus;
  /** The nurse who drew and hung the bag (and started the pump). */
  givenBy: string;
  drawWitness: string;
  /** Who wasted what was left, and who witnessed it (one name per waste entry, in order). */
  wastedBy: string[];
  wasteWitnesses: string[];
}

export interface LotView extends LotBalance {
  expiresOn: string[];
}

export interface ControlledLog {
  locations: LocationRow[];
  location: LocationRow;
  from: string;
  to: string;
  rows: LogRow[];
  lots: LotView[];
  receipts: Array<ReceiptRow & { receivedByName: string }>;
  /** Closed sessions whose drug does not balance: should always be empty. */
  unbalanced: Array<{ sessionId: string; patientId: string; patientName: string; at: number; leftMg: number }>;
  errors: Record<string, string>;
  /** The server's clock when read (the receipt form's default time). */
  now: number;
}

/** The range asked for, or the default one with the fields' messages. */
function range(q: LogQuery, zone: string, now: number) {
  const errors: Record<string, string> = {};
  const to0 = today(now, zone);
  const day = (v: string | undefined, field: 'from' | 'to', fallback: string) => {
    if (v === undefined || v.trim() === '') return fallback;
    if (!isDay(v.trim())) {
      errors[field] = `${field === 'from' ? 'From' : 'To'}: a date like ${to0}.`;
      return fallback;
    }
    return v.trim();
  };
  let to = day(q.to, 'to', to0);
  let from = day(q.from, 'from', addDays(to, -(DEFAULT_LOG_DAYS - 1)));
  if (from > to) {
    errors.to = 'To: on or after the From date.';
    to = to0;
    from = addDays(to0, -(DEFAULT_LOG_DAYS - 1));
  }
  return { from, to, errors };
}

const fullName = (n: { first: string; last: string } | undefined) => (n ? `${n.first} ${n.last}` : 'Unknown patient');

/**
 * The log of one location over a range of its local days, audited as `action` ('controlled.view' or
 * 'controlled.export'). A location this person may not read is refused like an unknown one.
 */
export async function controlledLog(
  database: Database,
  actor: Actor,
  q: LogQuery,
  action: 'controlled.view' | 'controlled.export' = 'controlled.view',
): Promise<ControlledLog | Refusal> {
  if (!LOG_ROLES.includes(actor.staff.role))
    return refuse('forbidden', 'The controlled-substance log is for administrators and providers.');
  return database.transact(async (trx) => {
    const locations = logLocationsFor(actor, await allLocations(trx));
    if (locations.length === 0) return refuse('no_location', 'You work at no location.');
    const location = q.location ? locations.find((l) => l.id === q.location) : locations[0];
    if (!location) {
      await auditStaff(trx, database, actor, action, 'denied', { locationId: null, patientRef: null }, {});
      return refuse('not_found', 'That location could not be found.');
    }
    const { from, to, errors } = range(q, location.timeZone, actor.now);
    // A page shows the default range beside the messages; an export of a range nobody asked for would mislead.
    if (action === 'controlled.export' && Object.keys(errors).length > 0)
      return refuse('invalid_request', 'The dates of the export are not valid.', errors);
    const start = dayBounds(location.timeZone, from).start;
    const end = dayBounds(location.timeZone, to).end;

    const bags = await locationBags(trx, location.id);
    const receipts = await locationReceipts(trx, location.id);
    const shown = bags.filter((b) => b.drawnAt >= start && b.drawnAt < end);
    const closed = await closedSessionIds(trx, location.id);
    const drug = new Map(
      (await sessionsDrug(trx, [...new Set([...shown.map((b) => b.sessionId), ...closed])], actor.now)).map((d) => [
        d.sessionId,
        d,
      ]),
    );
    const sessionPatients = new Map([...drug.values()].map((d) => [d.sessionId, d.patientId]));
    const patients = await patientNamesById(trx, [...sessionPatients.values()]);
    const people = await userNames(trx, [
      ...shown.flatMap((b) => [b.drawnBy, b.witnessedBy]),
      ...[...drug.values()].flatMap((d) => d.bags.flatMap((f) => f.waste.flatMap((w) => [w.wastedBy, w.witnessedBy]))),
      ...receipts.map((r) => r.receivedBy),
    ]);
    const person = (id: string) => people.get(id) ?? 'Unknown';

    const rows = shown.map((bag): LogRow => {
      const d = drug.get(bag.sessionId);
      const f = d?.bags.find((x) => x.bag.id === bag.id);
      const patientId = sessionPatients.get(bag.sessionId) ?? '';
      return {
        sessionId: bag.sessionId,
        patientId,
        patientName: fullName(patients.get(patientId)),
        bagId: bag.id,
        at: bag.drawnAt,
        lot: bag.lot,
        expiresOn: bag.expiresOn,
        dispensedMg: bag.drugMg,
        givenMg: f?.givenMg ?? 0,
        wastedMg: f?.wastedMg ?? 0,
        leftMg: f?.leftMg ?? bag.drugMg,
        status: d?.status ?? 'unbalanced',
        givenBy: person(bag.drawnBy),
        drawWitness: person(bag.witnessedBy),
        wastedBy: (f?.waste ?? []).map((w) => person(w.wastedBy)),
        wasteWitnesses: (f?.waste ?? []).map((w) => person(w.witnessedBy)),
      };
    });

    const balances = lotBalances(
      receipts.map((r) => ({ lot: r.lot, at: r.receivedAt, mg: r.mg })),
      bags.map((b) => ({ lot: b.lot, at: b.drawnAt, dispensedMg: b.drugMg, ref: b.id })),
    );
    const lots: LotView[] = balances.map((l) => ({
      ...l,
      // The entries of the range; the balance after each is still the whole history's.
      entries: l.entries.filter((e) => e.at >= start && e.at < end),
      expiresOn: [
        ...new Set([
          ...receipts.filter((r) => r.lot === l.lot).map((r) => r.expiresOn),
          ...bags.filter((b) => b.lot === l.lot).map((b) => b.expiresOn),
        ]),
      ].sort(),
    }));

    const unbalanced = closed
      .map((id) => drug.get(id))
      .filter((d): d is SessionDrug => d !== undefined && !d.balanced)
      .map((d) => {
        const patientId = sessionPatients.get(d.sessionId) ?? '';
        return {
          sessionId: d.sessionId,
          patientId,
          patientName: fullName(patients.get(patientId)),
          at: d.bags[0]?.bag.drawnAt ?? 0,
          leftMg: d.leftMg,
        };
      })
      .sort((a, b) => a.at - b.at);

    await auditStaff(
      trx,
      database,
      actor,
      action,
      'success',
      { locationId: location.id, patientRef: null },
      { from, to, rows: rows.length, unbalanced: unbalanced.length },
    );
    return {
      locations,
      location,
      from,
      to,
      rows,
      lots,
      receipts: receipts
        .filter((r) => r.receivedAt >= start && r.receivedAt < end)
        .map((r) => ({ ...r, receivedByName: person(r.receivedBy) })),
      unbalanced,
      errors,
      now: actor.now,
    };
  });
}
