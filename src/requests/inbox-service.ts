import type { Kysely } from 'kysely';
import type { AuditDetail, AuditOutcome } from '../kernel/audit/audit.ts';
import { auditStaff, type Actor } from '../kernel/audit/staff-audit.ts';
import { lockWriters, type Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { Refusal } from '../kernel/refusal.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { enqueue, latestLiveJob } from '../kernel/outbox/outbox.ts';
import { findFailedMessage, resolveFailed, retryFailed } from '../kernel/outbox/failed.ts';
import { mailStateChanged } from '../kernel/outbox/banner.tsx';
import { displayPhone } from '../kernel/ui/phone.ts';
import { consultationType } from '../scheduling/availability.ts';
import { joinWaitlist, leaveWaitlist, waitingEntriesFor } from '../waitlist/service.ts';
import {
  findLead,
  insertNote,
  leadAppointments,
  leadNotes,
  ownerChoices,
  updateOwner,
  updateStatus,
  type Lead,
  type LeadAppointment,
  type LeadNote,
  type OwnerChoice,
} from './inbox-repository.ts';
import {
  FINAL_STATUSES,
  formErrors,
  leadId,
  noteForm,
  ownerForm,
  phoneContactForm,
  statusForm,
  type FormErrors,
} from './inbox-schema.ts';
import { UNDELIVERED_SHORT, undeliveredLinkOf, undeliveredLinksOf, type UndeliveredLink } from './undelivered-link.ts';

export type { Actor };

export type LeadAction =
  | 'lead.list'
  | 'lead.view'
  | 'lead.update_status'
  | 'lead.assign'
  | 'lead.note'
  | 'lead.waitlist'
  | 'lead.resend_link'
  | 'lead.contacted_by_phone';
/**
 * A refusal is a 400 (a value to correct) unless `status` says otherwise: 409 when the lead's state stands in the
 * way, 429 when the same thing was just done.
 */
export type RefusalStatus = 400 | 409 | 429;
export type WriteResult = { ok: true } | { ok: false; errors: FormErrors; status?: RefusalStatus };

/** Exactly the answer an unknown address gets, so a request elsewhere cannot be told apart from none at all. */
export const notFound = () => new Refusal('not_found', 'We could not find that page.');

const where = (lead: Lead) => ({ locationId: lead.location_id, patientRef: lead.id });

/** A leads audit event (see auditStaff). */
export function audit(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  action: LeadAction,
  outcome: AuditOutcome,
  about: { locationId: string | null; patientRef: string | null },
  detail?: AuditDetail,
): Promise<void> {
  return auditStaff(trx, database, actor, action, outcome, about, detail);
}

/**
 * The request behind `rawId` if this person may see it. Anything else is a plain 404: a malformed or unknown id
 * silently, a request of another location with a 'denied' event for `action`.
 */
export async function leadFor(database: Database, actor: Actor, rawId: unknown, action: LeadAction): Promise<Lead> {
  const id = leadId.safeParse(rawId);
  if (!id.success) throw notFound();
  const lead = await findLead(database.db, id.data);
  if (!lead) throw notFound();
  if (!canSeeLocation(actor.staff, lead.location_id, actor.now)) {
    await database.transact((trx) => audit(trx, database, actor, action, 'denied', where(lead)));
    throw notFound();
  }
  return lead;
}

/** What a request's page shows. */
export interface LeadView {
  lead: Lead;
  appointments: LeadAppointment[];
  notes: LeadNote[];
  owners: OwnerChoice[];
  /** Whether the person waits for a consultation time at the request's location. */
  onWaitlist: boolean;
  /** When the patient cancelled online, while the lead says so (the cancelled visit's last change). */
  cancelledAt: number | null;
  /** The booking link that could not be delivered and awaits someone (a call), if any. */
  undelivered: UndeliveredLink | null;
}

async function leadView(database: Database, lead: Lead): Promise<LeadView> {
  const db = database.db;
  const [appointments, notes, owners, waiting, undelivered] = await Promise.all([
    leadAppointments(db, lead.id),
    leadNotes(db, lead.id),
    ownerChoices(db, lead.location_id),
    waitingEntriesFor(db, lead.id),
    undeliveredLinkOf(db, lead.id),
  ]);
  return {
    lead,
    appointments,
    notes,
    owners,
    onWaitlist: waiting.some((w) => w.location_id === lead.location_id),
    cancelledAt:
      lead.status === 'cancelled'
        ? Math.max(0, ...appointments.filter((a) => a.status === 'cancelled').map((a) => a.updated_at)) || null
        : null,
    undelivered: undelivered ?? null,
  };
}

/** A request's page, recorded as looked at (how many visits and notes it showed). */
export async function viewLead(database: Database, actor: Actor, rawId: unknown): Promise<LeadView> {
  const lead = await leadFor(database, actor, rawId, 'lead.view');
  const view = await leadView(database, lead);
  await database.transact((trx) =>
    audit(trx, database, actor, 'lead.view', 'success', where(lead), {
      appointments: view.appointments.length,
      notes: view.notes.length,
    }),
  );
  return view;
}

/** A refused form is recorded too (no values, only which field), since the page shown again carries patient data. */
async function refused(
  database: Database,
  actor: Actor,
  lead: Lead,
  action: LeadAction,
  errors: FormErrors,
  status: RefusalStatus = 400,
): Promise<WriteResult> {
  const fields = Object.keys(errors).sort().join(',');
  await database.transact((trx) => audit(trx, database, actor, action, 'failure', where(lead), { fields }));
  return { ok: false, errors, status };
}

export async function changeStatus(database: Database, actor: Actor, lead: Lead, body: unknown): Promise<WriteResult> {
  const parsed = statusForm.safeParse(body);
  if (!parsed.success) return refused(database, actor, lead, 'lead.update_status', formErrors(parsed.error));
  const status = parsed.data.status;
  const overBooked = FINAL_STATUSES.has(status);
  const BOOKED =
    'This request has a booked consultation: it returns to New by itself if the appointment is cancelled. You can still close it or mark it not a candidate.';
  if (lead.status === 'booked' && !overBooked)
    return refused(database, actor, lead, 'lead.update_status', { status: BOOKED });
  const changed = await database.transact(async (trx) => {
    if (!(await updateStatus(trx, lead.id, status, overBooked, actor.now))) return false;
    // A closed request waits for nothing: no more offers of freed times.
    if (overBooked) await leaveWaitlist(trx, lead.id, actor.now);
    await audit(trx, database, actor, 'lead.update_status', 'success', where(lead), { from: lead.status, to: status });
    return true;
  });
  return changed ? { ok: true } : refused(database, actor, lead, 'lead.update_status', { status: BOOKED });
}

export async function assignOwner(database: Database, actor: Actor, lead: Lead, body: unknown): Promise<WriteResult> {
  const parsed = ownerForm.safeParse(body);
  if (!parsed.success) return refused(database, actor, lead, 'lead.assign', formErrors(parsed.error));
  const ownerId = parsed.data.owner === '' ? null : parsed.data.owner;
  if (ownerId !== null && !(await ownerChoices(database.db, lead.location_id)).some((c) => c.id === ownerId)) {
    return refused(database, actor, lead, 'lead.assign', {
      owner: 'Choose someone from the list: an active staff member who works at this location.',
    });
  }
  await database.transact(async (trx) => {
    await updateOwner(trx, lead.id, ownerId, actor.now);
    await audit(trx, database, actor, 'lead.assign', 'success', where(lead), { from: lead.owner_id, to: ownerId });
  });
  return { ok: true };
}

export async function addNote(database: Database, actor: Actor, lead: Lead, body: unknown): Promise<WriteResult> {
  const parsed = noteForm.safeParse(body);
  if (!parsed.success) return refused(database, actor, lead, 'lead.note', formErrors(parsed.error));
  const { kind, body: text } = parsed.data;
  await database.transact(async (trx) => {
    const noteId = await insertNote(trx, lead.id, actor.staff.userId, kind, text, actor.now);
    // The note's text stays out of the trail: only its id, kind and length.
    await audit(trx, database, actor, 'lead.note', 'success', where(lead), { noteId, kind, length: text.length });
  });
  return { ok: true };
}

const NO_CONSULTATION =
  'The clinic has no consultation appointment type in use: an administrator adds one under Clinic set-up.';

/** Puts the person on the consultation waitlist of the request's location (for example after a phone call). */
export async function addToWaitlist(database: Database, actor: Actor, lead: Lead): Promise<WriteResult> {
  const type = await consultationType(database.db);
  if (!type) throw new Refusal('conflict', NO_CONSULTATION);
  await database.transact(async (trx) => {
    await joinWaitlist(trx, { requestId: lead.id, locationId: lead.location_id, typeId: type.id }, actor.now);
    await audit(trx, database, actor, 'lead.waitlist', 'success', where(lead));
  });
  return { ok: true };
}

/** A booking link resent within this long of the last one going out is refused: one email, not a handful. */
export const RESEND_GAP_MS = 10 * 60_000;

/**
 * Emails the person their booking link again (say it expired, or went to spam), through the same template and
 * outbox as the first one; a link that could not be delivered is sent again itself, with a new retry window.
 * Refused while there is nothing to book with it (a live booking: the confirmation's "Manage my booking" link serves
 * that; a closed lead; no email address), and while another is waiting to go out or went out minutes ago.
 */
export async function resendLink(database: Database, actor: Actor, lead: Lead): Promise<WriteResult> {
  const refuse = (message: string, status: RefusalStatus = 409) =>
    refused(database, actor, lead, 'lead.resend_link', { resend: message }, status);
  if (lead.email.trim() === '')
    return refuse(`There is no email address for this lead. Call them at ${displayPhone(lead.phone)} instead.`);
  if (FINAL_STATUSES.has(lead.status))
    return refuse('This lead is closed. Set its status to New or Contacted first if they should book after all.');
  const live = (await leadAppointments(database.db, lead.id)).some((a) => a.status === 'booked');
  if (lead.status === 'booked' || live)
    return refuse(
      'This lead already has a booked consultation. They can change it with the link in their confirmation email.',
    );
  // Read and written in one transaction, behind the audit trail's writer lock that its event takes anyway, so two
  // presses at once (a double click, two people) cannot both find nothing waiting and send two links.
  const done = await database.transact(async (trx) => {
    await lockWriters(trx, database.engine, 'audit');
    const failed = await undeliveredLinksOf(trx, lead.id);
    if (failed.length === 0) {
      const last = await latestLiveJob(trx, 'booking_link', lead.id);
      if (last && last.status !== 'sent')
        return { refusal: 'A booking link is already waiting to go out to them; it is sent as soon as it can be.' };
      const since = last?.sent_at === null || last === undefined ? Infinity : actor.now - last.sent_at;
      if (since < RESEND_GAP_MS) {
        const minutes = Math.floor(since / 60_000);
        const when = minutes < 1 ? 'just now' : `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
        const wait = Math.max(1, Math.ceil((RESEND_GAP_MS - since) / 60_000));
        return {
          refusal:
            `A booking link went to them ${when}. So that they do not get several at once, you can send another in ` +
            `${wait} minute${wait === 1 ? '' : 's'}.`,
        };
      }
    }
    if (failed.length > 0)
      await retryFailed(
        trx,
        failed.map((m) => m.id),
        actor.now,
      );
    else
      await enqueue(
        trx,
        {
          kind: 'booking_link',
          refId: lead.id,
          runAt: actor.now,
          dedupeKey: `booking_link:staff:${lead.id}:${actor.now}`,
          locationId: lead.location_id,
        },
        actor.now,
      );
    await audit(trx, database, actor, 'lead.resend_link', 'success', where(lead), { retried: failed.length });
    return { retried: failed.length };
  });
  if (done.refusal !== undefined) return refuse(done.refusal, 429);
  if (done.retried > 0) mailStateChanged();
  return { ok: true };
}

/**
 * The booking link could not be delivered, and someone reached the person by phone instead: the failed message is
 * resolved (it leaves the lists and the banner) and the lead's contact log says so, in one transaction. Only a
 * failed, unresolved booking link of this very lead: anything else is a 409 saying why.
 */
export async function contactedByPhone(
  database: Database,
  actor: Actor,
  lead: Lead,
  body: unknown,
): Promise<WriteResult> {
  const parsed = phoneContactForm.safeParse(body);
  if (!parsed.success) return refused(database, actor, lead, 'lead.contacted_by_phone', formErrors(parsed.error));
  const gone = () =>
    refused(
      database,
      actor,
      lead,
      'lead.contacted_by_phone',
      {
        phone:
          'That booking link no longer needs following up: it was already marked as contacted by phone, sent again, ' +
          'or it was delivered.',
      },
      409,
    );
  const message = await findFailedMessage(database.db, parsed.data.message);
  if (!message || message.kind !== 'booking_link' || message.ref_id !== lead.id) return gone();
  const done = await database.transact(async (trx) => {
    if (!(await resolveFailed(trx, message.id, actor.staff.userId, 'contacted_by_phone', actor.now))) return false;
    const reason = message.failure_class ? ` (${UNDELIVERED_SHORT[message.failure_class]})` : '';
    const noteId = await insertNote(
      trx,
      lead.id,
      actor.staff.userId,
      'call',
      `Booking link not delivered${reason}. Contacted by phone instead.`,
      actor.now,
    );
    await audit(trx, database, actor, 'lead.contacted_by_phone', 'success', where(lead), {
      message: message.id,
      noteId,
    });
    return true;
  });
  if (!done) return gone();
  mailStateChanged();
  return { ok: true };
}

/** The forms of a request's page, by the last part of their path. */
const WRITES = {
  status: { action: 'lead.update_status', run: changeStatus },
  owner: { action: 'lead.assign', run: assignOwner },
  notes: { action: 'lead.note', run: addNote },
  waitlist: { action: 'lead.waitlist', run: addToWaitlist },
  'resend-link': { action: 'lead.resend_link', run: resendLink },
  'contacted-by-phone': { action: 'lead.contacted_by_phone', run: contactedByPhone },
} satisfies Record<string, { action: LeadAction; run: typeof changeStatus }>;
export type LeadWrite = keyof typeof WRITES;

/** Sends one of a request's forms: done, or refused with the messages and the page to show them on. */
export async function writeLead(
  database: Database,
  actor: Actor,
  rawId: unknown,
  form: LeadWrite,
  body: unknown,
): Promise<{ ok: true; leadId: string } | { ok: false; errors: FormErrors; status: RefusalStatus; view: LeadView }> {
  const { action, run } = WRITES[form];
  const lead = await leadFor(database, actor, rawId, action);
  const result = await run(database, actor, lead, body);
  if (result.ok) return { ok: true, leadId: lead.id };
  return { ok: false, errors: result.errors, status: result.status ?? 400, view: await leadView(database, lead) };
}
