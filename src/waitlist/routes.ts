import type { FastifyInstance } from 'fastify';
import { html } from '../kernel/http/reply.ts';
import { z } from 'zod';
import { findLocation, getClinic, type Clinic } from '../kernel/clinic.ts';
import { bookRequest, findRequest } from '../requests/service.ts';
import { findAppointmentType } from '../scheduling/availability.ts';
import { Refusal, badRequest } from '../kernel/refusal.ts';
import { STAFF_TIME_STEP_MIN } from '../scheduling/grid.ts';
import { linkRefusals, tooManyRefusals } from '../kernel/http/refusals.ts';
import { endWait, findOffer, joinWaitlist, leaveWaitlist } from './repository.ts';
import {
  aboutRequest,
  aboutRequestId,
  auditPatient,
  auditPatientAlone,
  NOBODY,
  refusedLinkRef,
  visitorOf,
  type About,
  type Visitor,
} from '../kernel/audit/patient-audit.ts';
import { OfferGonePage, OfferPage } from './views.tsx';
import { LinkProblemPage } from '../kernel/ui/link-problem.tsx';

const DAY = 24 * 3_600_000;
const tokenParams = z.object({ token: z.string().max(600) });
/** The token from the path, or '' (which no check accepts) when it is not a short string. */
const tokenOf = (params: unknown) => tokenParams.safeParse(params).data?.token ?? '';

type Offer = NonNullable<Awaited<ReturnType<typeof findOffer>>>;
type Opened =
  | { offer: Offer; about: About; bookingLink: string; problem?: undefined }
  | { offer?: undefined; about: About; bookingLink?: string; problem: 'expired' | 'invalid' };

/** Joining and leaving the waitlist from a booking link, and accepting an offered time. */
export async function waitlistRoutes(app: FastifyInstance): Promise<void> {
  const { database, tokens, now } = app.deps;
  const db = database.db;
  const publicRoute = { config: { policy: 'public' as const } };

  async function clinic(): Promise<Clinic> {
    const c = await getClinic(db);
    if (!c) throw new Error('clinic is not set up');
    return c;
  }

  /** The request behind a booking link; a refused link is recorded as a failure of `action`. */
  async function requestFor(token: string, visitor: Visitor, action: string) {
    tooManyRefusals(app.deps, visitor);
    const check = tokens.verify(token, 'book', visitor.now);
    const request = check.ok ? await findRequest(db, check.claims.ref) : undefined;
    if (!request) {
      linkRefusals(app.deps).note(visitor.ip, visitor.now);
      const about = await aboutRequestId(db, refusedLinkRef(tokens, token, 'book', check));
      await auditPatientAlone(database, visitor, action, 'failure', about, {
        reason: check.ok ? 'unknown' : check.reason,
      });
    }
    return request;
  }

  app.post('/book/:token/waitlist', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const visitor = visitorOf(req, now());
    const action = 'waitlist.join';
    const request = await requestFor(token, visitor, action);
    if (!request) return html(reply, OfferGonePage({ clinic: await clinic(), reason: 'invalid' }), 404);
    // As with booking: once the clinic has closed the request, its link no longer joins anything; a call still works.
    if (request.status === 'not_candidate' || request.status === 'closed') {
      await auditPatientAlone(database, visitor, action, 'failure', aboutRequest(request), { reason: 'closed' });
      return html(reply, LinkProblemPage({ clinic: await clinic(), reason: 'closed' }), 410);
    }
    // Already booked: there is nothing to wait for; the link's page shows the booking, to move it if they wish.
    if (request.status === 'booked') {
      await auditPatientAlone(database, visitor, action, 'failure', aboutRequest(request), {
        reason: 'already_booked',
      });
      return reply.code(303).redirect(`/book/${token}`);
    }
    const raw = (req.body as { location?: unknown } | undefined)?.location;
    const slug = typeof raw === 'string' ? raw : '';
    const [location, type] = await Promise.all([
      findLocation(db, slug.slice(0, 64)),
      findAppointmentType(db, 'consultation'),
    ]);
    if (!location || !type) {
      await auditPatientAlone(database, visitor, action, 'failure', aboutRequest(request), { reason: 'invalid' });
      throw badRequest('That location could not be found. Please choose one from the list.');
    }
    await database.transact(async (trx) => {
      await joinWaitlist(trx, { requestId: request.id, locationId: location.id, typeId: type.id }, visitor.now);
      await auditPatient(trx, database, visitor, action, 'success', {
        ...aboutRequest(request),
        locationId: location.id,
      });
    });
    return reply.code(303).redirect(`/book/${token}?location=${location.slug}&status=waitlisted`);
  });

  app.post('/book/:token/waitlist/leave', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const visitor = visitorOf(req, now());
    const request = await requestFor(token, visitor, 'waitlist.leave');
    if (!request) return html(reply, OfferGonePage({ clinic: await clinic(), reason: 'invalid' }), 404);
    await database.transact(async (trx) => {
      await leaveWaitlist(trx, request.id, visitor.now);
      await auditPatient(trx, database, visitor, 'waitlist.leave', 'success', aboutRequest(request));
    });
    return reply.code(303).redirect(`/book/${token}?status=left-waitlist`);
  });

  /**
   * The offer behind an offer link, or why not: recorded as a failure of `action` ('gone': the offer was taken,
   * withdrawn or ran out). The person is named when the link is authentic (an offer belongs to one request).
   */
  async function openOffer(token: string, visitor: Visitor, action: string): Promise<Opened> {
    tooManyRefusals(app.deps, visitor);
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
    if (!check.ok || !offer) linkRefusals(app.deps).note(visitor.ip, visitor.now);
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

  app.get('/waitlist/offer/:token', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const visitor = visitorOf(req, now());
    const opened = await openOffer(token, visitor, 'waitlist.view');
    if (!opened.offer)
      return html(
        reply,
        OfferGonePage({ clinic: await clinic(), reason: opened.problem, bookingLink: opened.bookingLink }),
        opened.problem === 'invalid' ? 404 : 410,
      );
    const [c, location, request] = await Promise.all([
      clinic(),
      findLocation(db, opened.offer.location_id),
      findRequest(db, opened.offer.request_id),
    ]);
    if (!location || !request) throw new Error('offer without location or request');
    // The page greets the person by name: a view like any link page's (see booking.view).
    await auditPatientAlone(database, visitor, 'waitlist.view', 'success', opened.about, { offerId: opened.offer.id });
    return html(
      reply,
      OfferPage({
        clinic: c,
        location,
        start: opened.offer.slot_start,
        action: `/waitlist/offer/${token}`,
        firstName: request.first_name,
      }),
    );
  });

  app.post('/waitlist/offer/:token', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const visitor = visitorOf(req, now());
    const action = 'waitlist.accept';
    const opened = await openOffer(token, visitor, action);
    const c = await clinic();
    if (!opened.offer)
      return html(
        reply,
        OfferGonePage({ clinic: c, reason: opened.problem, bookingLink: opened.bookingLink }),
        opened.problem === 'invalid' ? 404 : 410,
      );
    const { offer, about } = opened;
    const [location, type] = await Promise.all([
      findLocation(db, offer.location_id),
      findAppointmentType(db, 'consultation'),
    ]);
    if (!location || !type) throw new Error('offer without location or type');
    if (type.online_bookable !== 1) {
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
      { database, clinic: c, location, type: { ...type, step_min: STAFF_TIME_STEP_MIN }, now: visitor.now },
      offer.request_id,
      offer.slot_start,
      {
        onBooked: async (trx, appt) => {
          // Booking ends the request's wait on every list, this offer's included.
          await endWait(trx, offer.request_id, visitor.now);
          await trx
            .updateTable('waitlist_offers')
            .set({ accepted_at: visitor.now })
            .where('id', '=', offer.id)
            .execute();
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
      if (outcome.reason === 'taken')
        return html(reply, OfferGonePage({ clinic: c, reason: 'taken', bookingLink: opened.bookingLink }), 409);
      return reply.code(303).redirect(opened.bookingLink);
    }
    app.deps.onOutbox?.();
    return reply.code(303).redirect(`${opened.bookingLink}?status=booked`);
  });
}
