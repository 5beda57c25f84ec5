import { findLocation, type Clinic, type Location } from '../kernel/clinic.ts';
import { Refusal } from '../kernel/refusal.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { aboutRequest, auditPatient, auditPatientAlone, NOBODY, type Visitor } from '../kernel/audit/patient-audit.ts';
import { beforeCutoff } from '../scheduling/booking-service.ts';
import { appointmentIcs } from '../scheduling/ics.ts';
import { calendarEvent } from '../scheduling/calendar-event.ts';
import { requestForNewLink } from '../requests/service.ts';
import { aboutAppointment, clinicOf, openLink, refuse, viewed, type LinkDeps, type LinkProblem } from './link.ts';
import { managePage, pickerPage, problem, redirect, tooLatePage, type LinkPage } from './pages.ts';
import { manageUrl } from './manage-link.ts';
import type { PickerQuery } from './schema.ts';

// The booking link's use cases, one per route; the other features use none of them.
export { cancelVisit, chooseSlot } from './changes.ts';
export type { LinkDeps, LinkProblem } from './link.ts';
export type {
  CancelData,
  LinkPage,
  ManageData,
  ManageNotice,
  OfferedTime,
  PickerData,
  PickerDay,
  PickerNotice,
  TakenData,
  TooLateData,
} from './pages.ts';

/** The link's page: the booked visit, or the times to choose from. */
export async function showBooking(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  query: PickerQuery,
): Promise<LinkPage> {
  const link = await openLink(deps, token, visitor, 'booking.view');
  if (problem(link)) return link;
  const status = query.status;
  if (link.appointment?.status === 'booked') {
    const notice = status === 'booked' || status === 'moved' ? status : undefined;
    return { page: 'manage', data: await managePage(deps, link, link.appointment, notice) };
  }
  const notice =
    status === 'cancelled' || status === 'waitlisted' || status === 'left-waitlist'
      ? status
      : link.appointment?.status === 'cancelled'
        ? 'earlier-cancelled'
        : undefined;
  return { page: 'picker', data: await pickerPage(deps, link, 'book', query, notice) };
}

/** The times to move the booked visit to, until the online cutoff. */
export async function showReschedule(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  query: PickerQuery,
): Promise<LinkPage> {
  const link = await openLink(deps, token, visitor, 'booking.view');
  if (problem(link)) return link;
  if (link.appointment?.status !== 'booked') return redirect(link.base);
  if (!beforeCutoff(link.clinic, link.appointment, deps.now())) {
    await refuse(
      deps,
      link,
      'booking.view',
      'too_late',
      { page: 'reschedule', appointmentId: link.appointment.id },
      aboutAppointment(link, link.appointment),
    );
    return tooLatePage(deps, link, link.appointment);
  }
  return { page: 'picker', data: await pickerPage(deps, link, 'reschedule', query) };
}

/** "Cancel this consultation?" */
export async function showCancel(deps: LinkDeps, token: string, visitor: Visitor): Promise<LinkPage> {
  const link = await openLink(deps, token, visitor, 'booking.view');
  if (problem(link)) return link;
  if (link.appointment?.status !== 'booked') return redirect(link.base);
  if (!beforeCutoff(link.clinic, link.appointment, deps.now())) {
    await refuse(
      deps,
      link,
      'booking.view',
      'too_late',
      { page: 'cancel', appointmentId: link.appointment.id },
      aboutAppointment(link, link.appointment),
    );
    return tooLatePage(deps, link, link.appointment);
  }
  const location = await findLocation(deps.database.db, link.appointment.location_id);
  if (!location) throw new Error('appointment location missing');
  await viewed(deps, link, 'cancel', link.appointment);
  return { page: 'cancel', data: { clinic: link.clinic, location, appointment: link.appointment, base: link.base } };
}

/** The link's visit as a calendar file (.ics). */
export async function calendarFile(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
): Promise<LinkProblem | { page: 'ics'; ics: string }> {
  const link = await openLink(deps, token, visitor, 'booking.view');
  if (problem(link)) return link;
  if (!link.appointment) {
    await refuse(deps, link, 'booking.view', 'not_found', { page: 'ics' });
    throw new Refusal('not_found', 'There is no booking for this link yet.');
  }
  const location = (await findLocation(deps.database.db, link.appointment.location_id)) as Location;
  await viewed(deps, link, 'ics', link.appointment);
  // The email's long-lived link, not this page's: the booking link expires long before a visit weeks ahead.
  const url = manageUrl(
    { publicUrl: deps.config.publicUrl, tokens: deps.tokens },
    link.clinic,
    link.request.id,
    link.appointment,
    deps.now(),
  );
  const event = calendarEvent(link.clinic, location, link.appointment, deps.now(), url);
  return { page: 'ics', ics: appointmentIcs(event) };
}

/** The clinic, for the "get a new link" page. */
export const newLinkPage = (deps: LinkDeps): Promise<Clinic> => clinicOf(deps);

/**
 * Sends a new booking link to the address if we have a request from it (`email` undefined: what was typed is not an
 * address). Either way the answer is the same, so the form cannot reveal who asked us for help.
 */
export async function sendNewLink(
  deps: LinkDeps,
  visitor: Visitor,
  email: string | undefined,
): Promise<{ clinic: Clinic; sent: boolean }> {
  const { database } = deps;
  const clinic = await clinicOf(deps);
  const action = 'booking.link_request';
  if (email === undefined) {
    await auditPatientAlone(database, visitor, action, 'failure', NOBODY, { reason: 'invalid' });
    return { clinic, sent: false };
  }
  const request = await requestForNewLink(database.db, email.toLowerCase());
  if (request) {
    const t = visitor.now;
    // At most one new link per request per ten minutes, however often the form is sent.
    await database.transact(async (trx) => {
      await enqueue(
        trx,
        {
          kind: 'booking_link',
          refId: request.id,
          runAt: t,
          dedupeKey: `booking_link:${request.id}:${Math.floor(t / 600_000)}`,
          locationId: request.location_id,
        },
        t,
      );
      await auditPatient(trx, database, visitor, action, 'success', aboutRequest(request));
    });
    deps.onOutbox?.();
  } else {
    // An unknown address is recorded too (without it); both answers then cost one write transaction.
    await auditPatientAlone(database, visitor, action, 'failure', NOBODY, { reason: 'unknown' });
  }
  return { clinic, sent: true };
}
