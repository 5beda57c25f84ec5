import { Refusal, badRequest } from '../kernel/refusal.ts';
import { aboutRequest, auditPatient, type Visitor } from '../kernel/audit/patient-audit.ts';
import { cancelAppointment, rescheduleAppointment, type BookingContext } from '../scheduling/booking-service.ts';
import type { Slot } from '../scheduling/slots.ts';
import { bookRequest, visitCancelledByPatient } from '../requests/service.ts';
import { endWait, offerFreedTime } from '../waitlist/service.ts';
import { aboutAppointment, bookingContext, openLink, refuse, type LinkContext, type LinkDeps } from './link.ts';
import { offeredTime, problem, redirect, tooLatePage, UNKNOWN_LOCATION, type LinkPage } from './pages.ts';
import type { SlotChoice } from './schema.ts';

const DAY = 24 * 3_600_000;

/** A time chosen from the list: booked, or the booked visit moved to it; or the nearest others if it was taken. */
export async function chooseSlot(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  mode: 'book' | 'reschedule',
  choice: SlotChoice,
): Promise<LinkPage> {
  const action = mode === 'book' ? 'appointment.book' : 'appointment.reschedule';
  const link = await openLink(deps, token, visitor, action);
  if (problem(link)) return link;
  const ctx = choice.success ? await bookingContext(deps, link.clinic, choice.data.location) : undefined;
  if (!choice.success || !ctx) {
    await refuse(deps, link, action, 'invalid');
    throw badRequest(
      choice.success ? UNKNOWN_LOCATION : (choice.error.issues[0]?.message ?? 'Choose a time from the list.'),
    );
  }
  const start = choice.data.slot;
  // The picker shows times up to the clinic's horizon; a posted time beyond it was never offered.
  if (start >= ctx.now + link.clinic.bookingHorizonDays * DAY) {
    await refuse(deps, link, action, 'beyond_horizon');
    throw badRequest(
      `Online booking is open for the next ${link.clinic.bookingHorizonDays} days. Choose a time from the list.`,
    );
  }
  if (ctx.type.online_bookable !== 1) {
    await refuse(deps, link, action, 'not_online');
    throw new Refusal(
      'not_online',
      `Online booking is paused at the moment. Please call ${ctx.location.name} at ${ctx.location.phone} to book or change your consultation.`,
    );
  }
  return mode === 'book' ? book(deps, link, ctx, start) : reschedule(deps, link, ctx, start);
}

/**
 * Online booking books and moves consultations only, which the infusion gate never refuses; should a visit the gate
 * covers reach this page, the patient is asked to call, with no clinical reason given (the team arranges it).
 */
const notOnline = (ctx: BookingContext) =>
  new Refusal(
    'not_eligible',
    `This visit cannot be booked online. Please call ${ctx.location.name} at ${ctx.location.phone} and the team will arrange it with you.`,
  );

const taken = (link: LinkContext, ctx: BookingContext, mode: 'book' | 'reschedule', alternatives: Slot[]) =>
  ({
    page: 'taken',
    data: {
      clinic: link.clinic,
      location: ctx.location,
      alternatives: alternatives.map((x) => offeredTime(link.clinic, x, ctx.now)),
      base: link.base,
      mode,
      now: ctx.now,
    },
  }) satisfies LinkPage;

async function book(deps: LinkDeps, link: LinkContext, ctx: BookingContext, start: number): Promise<LinkPage> {
  const { database } = deps;
  const action = 'appointment.book';
  // The success event is written in the booking's own transaction: no event, no booking.
  const outcome = await bookRequest(ctx, link.request.id, start, {
    onBooked: async (trx, appt) => {
      await endWait(trx, link.request.id, ctx.now);
      await auditPatient(trx, database, link.visitor, action, 'success', aboutAppointment(link, appt), {
        appointmentId: appt.id,
        requestId: link.request.id,
      });
    },
  });
  if (outcome.ok) {
    deps.onOutbox?.();
    return redirect(`${link.base}?status=booked`);
  }
  if (outcome.reason === 'already_booked') {
    await refuse(deps, link, action, 'already_booked', { appointmentId: outcome.appointmentId });
    return redirect(link.base);
  }
  if (outcome.reason === 'not_eligible') {
    await refuse(
      deps,
      link,
      action,
      'not_eligible',
      {},
      { ...aboutRequest(link.request), locationId: ctx.location.id },
    );
    throw notOnline(ctx);
  }
  await refuse(deps, link, action, 'taken', {}, { ...aboutRequest(link.request), locationId: ctx.location.id });
  return taken(link, ctx, 'book', outcome.alternatives);
}

async function reschedule(deps: LinkDeps, link: LinkContext, ctx: BookingContext, start: number): Promise<LinkPage> {
  const { database } = deps;
  const action = 'appointment.reschedule';
  const current = link.appointment;
  if (current?.status !== 'booked') {
    await refuse(deps, link, action, 'not_active', current ? { appointmentId: current.id } : {});
    throw new Refusal(
      'not_active',
      'This consultation was cancelled, so it cannot be moved. You can book a new time with your link.',
    );
  }
  const outcome = await rescheduleAppointment(ctx, current.id, start, {
    onFreed: (trx, freed) => offerFreedTime(trx, freed, ctx.now),
    onMoved: (trx, moved, before) =>
      auditPatient(trx, database, link.visitor, action, 'success', aboutAppointment(link, moved), {
        appointmentId: moved.id,
        from: before.starts_at,
        to: moved.starts_at,
        ...(moved.location_id !== before.location_id ? { fromLocation: before.location_id } : {}),
      }),
  });
  if (outcome.ok) {
    deps.onOutbox?.();
    return redirect(`${link.base}?status=moved`);
  }
  await refuse(deps, link, action, outcome.reason, { appointmentId: current.id }, aboutAppointment(link, current));
  if (outcome.reason === 'taken') return taken(link, ctx, 'reschedule', outcome.alternatives);
  if (outcome.reason === 'too_late') return tooLatePage(deps, link, current);
  if (outcome.reason === 'not_eligible') throw notOnline(ctx);
  throw notActive();
}

/** Cancels the link's booked visit until the online cutoff; its time is offered to the waitlist. */
export async function cancelVisit(deps: LinkDeps, token: string, visitor: Visitor): Promise<LinkPage> {
  const { database } = deps;
  const action = 'appointment.cancel';
  const link = await openLink(deps, token, visitor, action);
  if (problem(link)) return link;
  const appt = link.appointment;
  if (appt?.status !== 'booked') {
    await refuse(deps, link, action, 'not_active', appt ? { appointmentId: appt.id } : {});
    return redirect(link.base);
  }
  const now = deps.now();
  // The success event is written in the cancellation's own transaction: no event, no cancellation.
  const outcome = await cancelAppointment(database, link.clinic, appt.id, now, {
    onFreed: (trx, freed) => offerFreedTime(trx, freed, now),
    onCancelled: async (trx, current) => {
      await visitCancelledByPatient(trx, current, now);
      await auditPatient(trx, database, link.visitor, action, 'success', aboutAppointment(link, current), {
        appointmentId: current.id,
        startsAt: current.starts_at,
      });
    },
  });
  if (!outcome.ok) {
    await refuse(deps, link, action, outcome.reason, { appointmentId: appt.id }, aboutAppointment(link, appt));
    if (outcome.reason === 'too_late') return tooLatePage(deps, link, appt);
    throw notActive();
  }
  deps.onOutbox?.();
  return redirect(`${link.base}?status=cancelled`);
}

const notActive = () =>
  new Refusal('not_active', 'This consultation is no longer active. You can book a new time with your link.');
