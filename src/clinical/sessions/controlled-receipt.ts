/**
 * Stock received: ketamine delivered to a location, counted in and recorded by the person who received it (an
 * administrator, or a provider of the location), by lot, with its expiry, amount and the supplier's reference. Like
 * every entry of the log it is never changed or removed (the database refuses both).
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { exactWallInstant, isDay } from '../../kernel/time/wall-clock.ts';
import { allLocations, insertReceipt } from './controlled-repository.ts';
import { LOG_ROLES, logLocationsFor } from './controlled-log.ts';
import { toHundredths } from './reconcile.ts';

export interface ReceiptInput {
  location: string;
  lot: string;
  expires_on: string;
  mg: string;
  reference: string;
  received_day: string;
  received_time: string;
}

/** A lot number as printed on the vial or box. */
const LOT = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,39}$/;
const MG = /^\d{1,7}(\.\d{1,2})?$/;
/** Supplier and invoice: letters, digits and the usual separators, no markup or control characters. */
const REFERENCE = /^[\p{L}\p{N} .,#/&()'-]{0,80}$/u;

export async function recordReceipt(
  database: Database,
  actor: Actor,
  input: ReceiptInput,
): Promise<{ ok: true; locationId: string } | Refusal> {
  if (!LOG_ROLES.includes(actor.staff.role))
    return refuse('forbidden', 'Stock received is recorded by an administrator or a provider.');
  return database.transact(async (trx) => {
    const location = logLocationsFor(actor, await allLocations(trx)).find((l) => l.id === input.location);
    if (!location)
      return refuse('invalid_request', 'Choose a location.', { location: 'Location: choose one you work at.' });
    const fields: Record<string, string> = {};
    const lot = input.lot.trim();
    if (!LOT.test(lot)) fields.lot = 'Lot: as printed on the stock, up to 40 letters, digits, spaces, dots or dashes.';
    const expires = input.expires_on.trim();
    if (!isDay(expires)) fields.expires_on = 'Expiry: a date like 2027-06-30.';
    const amount = input.mg.trim();
    if (!MG.test(amount) || Number(amount) <= 0)
      fields.mg = 'Amount: the ketamine received in mg, for example 5000 (up to 2 decimals).';
    const reference = input.reference.trim();
    if (!REFERENCE.test(reference))
      fields.reference = 'Supplier and invoice: up to 80 letters, digits and simple punctuation.';
    const day = input.received_day.trim();
    const time = input.received_time.trim();
    const receivedAt =
      isDay(day) && /^\d{2}:\d{2}$/.test(time) ? exactWallInstant(location.timeZone, day, time) : undefined;
    if (receivedAt === undefined) fields.received_day = 'Received: a date and a time like 2026-12-07 and 09:30.';
    else if (receivedAt > actor.now) fields.received_day = 'Received: not in the future.';
    if (!fields.expires_on && !fields.received_day && isDay(day) && expires < day)
      fields.expires_on = 'Expiry: this lot had expired when it was received; expired stock is not taken into use.';
    if (Object.keys(fields).length > 0 || receivedAt === undefined)
      return refuse('invalid_request', 'The stock was not recorded.', fields);
    const id = timeOrderedId(actor.now);
    await insertReceipt(trx, {
      id,
      location_id: location.id,
      drug: 'ketamine',
      lot,
      expires_on: expires,
      mg: toHundredths(Number(amount)),
      reference: reference === '' ? null : reference,
      received_by: actor.staff.userId,
      received_at: receivedAt,
      recorded_at: actor.now,
    });
    await auditStaff(
      trx,
      database,
      actor,
      'controlled.receipt',
      'success',
      { locationId: location.id, patientRef: null },
      {
        receipt: id,
      },
    );
    return { ok: true as const, locationId: location.id };
  });
}
