import { findLocation, type Clinic, type Location } from '../kernel/clinic.ts';
import { Refusal } from '../kernel/refusal.ts';
import { linkRefusals, tooManyRefusals } from '../kernel/http/refusals.ts';
import {
  aboutRequestId,
  auditPatient,
  auditPatientAlone,
  NOBODY,
  refusedLinkRef,
  type About,
  type Visitor,
} from '../kernel/audit/patient-audit.ts';
import { consultationType } from '../scheduling/availability.ts';
import { STAFF_TIME_STEP_MIN } from '../scheduling/grid.ts';
import { bookRequest, findRequest } from '../requests/service.ts';
import { clinicOf, type LinkDeps } from './link-deps.ts';
import { endWait, findOffer, markOfferAccepted, type Offer } from './repository.ts';

const DAY = 24 * 3_600_000;

type Opened =
  | { offer: Offer; about: About; bookingLink: string; problem?: undefined }
  | { offer?: undefined; about: About; bookingLink?: string; problem: 'expired' | 'invalid' };

/** An offer that cannot be taken, and where to see the other open times (when the link is authentic). */
export interface OfferGone {
  kind: 'gone';
  clinic: Clinic;
  reason: 'taken' | 'expired' | 'invalid';
  bookingLink?: string;
}

/**
 * The offer behind an offer link, or why not: recorded as a failure of `action` ('gone': the offer was taken,
 * withdrawn or ran out). The person is named when the link is authentic (an offer belongs to one request).
 */
async function openOffer(deps: LinkDeps, token: string, visitor: Visitor, action: string): Promise<Opened> {
  const { database, tokens } = deps;
  const db = database.db;
  await tooManyRefusals(deps, visitor);
  const check = tokens.verify(token, 'offer', visitor.now);
  const offerId = check.ok ? check.claims.ref : refusedLinkRef(tokens, token, 'offer', check);
  const offer = offerId === undefined ? undefined : await findOffer(db, offerId);
  const about: About = offer
    ? { ...(await aboutRequestId(db, offer.request_id)), locationId: offer.location_id }
    : NOBODY;
  const refused = async (reason: string, problem: 'expired' | 'invalid') => {
    await auditPatientAlone(database, visitor, action, 'failure', about, {
      reason,
      ...(offer ? { offerId: offer.id } : {}),
    });
    return { problem, about };
  };
  if (!check.ok || !offer) await linkRefusals(deps).note(visitor.ip, visitor.now);
  if (!check.ok) return refused(check.reason, check.reason);
  if (!offer) return refused('unknown', 'invalid');
  // The clinic closed the request after the offer went out: the offer is gone (its booking link says to call).
  const request = await findRequest(db, offer.request_id);
  if (!request || request.status === 'not_candidate' || request.status === 'closed')
    return refused('closed', 'expired');
  const bookingLink = `/book/${tokens.sign({ purpose: 'book', ref: offer.request_id, location: offer.location_id, expiresAt: visitor.now + 14 * DAY })}`;
  if (
    offer.expires_at <= visitor.now ||
    offer.slot_start <= visitor.now ||
    offer.accepted_at !== null ||
    offer.status !== 'waiting'
  ) {
    return { ...(await refused('gone', 'expired')), bookingLink };
  }
  return { offer, about, bookingLink };
}

const gone = (clinic: Clinic, opened: Opened & { problem: 'expired' | 'invalid' }): OfferGone => ({
  kind: 'gone',
  clinic,
  reason: opened.problem,
  bookingLink: opened.bookingLink,
});

/** The offer page: the time, the place, and a greeting by name. */
export async function viewOffer(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
): Promise<OfferGone | { kind: 'offer'; clinic: Clinic; location: Location; start: number; firstName: string }> {
  const { database } = deps;
  const opened = await openOffer(deps, token, visitor, 'waitlist.view');
  if (!opened.offer) return gone(await clinicOf(deps), opened);
  const [clinic, location, request] = await Promise.all([
    clinicOf(deps),
    findLocation(database.db, opened.offer.location_id),
    findRequest(database.db, opened.offer.request_id),
  ]);
  if (!location || !request) throw new Error('offer without location or request');
  // The page greets the person by name: a view like any link page's (see booking.view).
  await auditPatientAlone(database, visitor, 'waitlist.view', 'success', opened.about, { offerId: opened.offer.id });
  return { kind: 'offer', clinic, location, start: opened.offer.slot_start, firstName: request.first_name };
}

/** Accepting an offer books its time, or says why not; `bookingLink` leads to the booking or the other times. */
export async function acceptOffer(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
): Promise<OfferGone | { kind: 'booked' | 'already_booked'; bookingLink: string }> {
  const { database } = deps;
  const action = 'waitlist.accept';
  const opened = await openOffer(deps, token, visitor, action);
  const clinic = await clinicOf(deps);
  if (!opened.offer) return gone(clinic, opened);
  const { offer, about, bookingLink } = opened;
  const [location, type] = await Promise.all([
    findLocation(database.db, offer.location_id),
    consultationType(database.db),
  ]);
  if (!location) throw new Error('offer without location');
  if (type?.online_bookable !== 1) {
    await auditPatientAlone(database, visitor, action, 'failure', about, { reason: 'not_online', offerId: offer.id });
    throw new Refusal(
      'not_online',
      `Online booking is paused at the moment. Please call ${location.name} at ${location.phone} and we will find a time with you.`,
    );
  }
  // The same path as any booking: the database's overlap rules decide who was first. Marking the offer taken and the event
  // are part of the booking's transaction, so an accepted offer, its booking and its record stand or fall together.
  // The offer fixes the time, which staff may have booked off the online grid: any 5-minute start is accepted
  // (hours, rooms and overlaps are checked as ever).
  const outcome = await bookRequest(
    { database, clinic, location, type: { ...type, step_min: STAFF_TIME_STEP_MIN }, now: visitor.now },
    offer.request_id,
    offer.slot_start,
    {
      onBooked: async (trx, appt) => {
        // Booking ends the request's wait on every list, this offer's included.
        await endWait(trx, offer.request_id, visitor.now);
        await markOfferAccepted(trx, offer.id, visitor.now);
        await auditPatient(
          trx,
          database,
          visitor,
          action,
          'success',
          { ...about, patientRef: appt.patient_id ?? about.patientRef },
          { appointmentId: appt.id, offerId: offer.id },
        );
      },
    },
  );
  if (!outcome.ok) {
    await auditPatientAlone(database, visitor, action, 'failure', about, {
      reason: outcome.reason,
      offerId: offer.id,
    });
    // Offers are of consultations, which the infusion gate never refuses; were one refused, the time is not bookable.
    if (outcome.reason === 'taken' || outcome.reason === 'not_eligible')
      return { kind: 'gone', clinic, reason: 'taken', bookingLink };
    return { kind: 'already_booked', bookingLink };
  }
  deps.onOutbox?.();
  return { kind: 'booked', bookingLink };
}
