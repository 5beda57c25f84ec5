import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { findLocation, getClinic, type Clinic } from '../clinic/repository.ts';
import { findRequest } from '../consultations/repository.ts';
import { findAppointmentType } from '../booking/availability.ts';
import { bookConsultation } from '../booking/service.ts';
import { badRequest } from '../lib/errors.ts';
import { renderDocument, type Html } from '../lib/jsx.ts';
import { findOffer, joinWaitlist, leaveWaitlist } from './repository.ts';
import { OfferGonePage, OfferPage } from './views.tsx';

const DAY = 24 * 3_600_000;
const html = (reply: FastifyReply, page: Html, status = 200) =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderDocument(page));
const tokenParams = z.object({ token: z.string().max(600) });
/** The token from the path, or '' (which no check accepts) when it is not a short string. */
const tokenOf = (params: unknown) => tokenParams.safeParse(params).data?.token ?? '';

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

  /** The request behind a booking link, or a 404 page. */
  async function requestFor(token: string) {
    const check = tokens.verify(token, 'book', now());
    if (!check.ok) return undefined;
    return findRequest(db, check.claims.ref);
  }

  app.post('/book/:token/waitlist', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const request = await requestFor(token);
    if (!request) return html(reply, OfferGonePage({ clinic: await clinic(), reason: 'invalid' }), 404);
    const raw = (req.body as { location?: unknown } | undefined)?.location;
    const slug = typeof raw === 'string' ? raw : '';
    const [location, type] = await Promise.all([findLocation(db, slug.slice(0, 64)), findAppointmentType(db, 'consultation')]);
    if (!location || !type) throw badRequest('That location could not be found. Please choose one from the list.');
    await joinWaitlist(db, { requestId: request.id, locationId: location.id, typeId: type.id }, now());
    return reply.code(303).redirect(`/book/${token}?location=${location.slug}&status=waitlisted`);
  });

  app.post('/book/:token/waitlist/leave', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const request = await requestFor(token);
    if (!request) return html(reply, OfferGonePage({ clinic: await clinic(), reason: 'invalid' }), 404);
    await leaveWaitlist(db, request.id, now());
    return reply.code(303).redirect(`/book/${token}?status=left-waitlist`);
  });

  async function openOffer(token: string) {
    const check = tokens.verify(token, 'offer', now());
    if (!check.ok) return { problem: check.reason === 'expired' ? ('expired' as const) : ('invalid' as const) };
    const offer = await findOffer(db, check.claims.ref);
    if (!offer) return { problem: 'invalid' as const };
    const bookingLink = `/book/${tokens.sign({ purpose: 'book', ref: offer.request_id, location: offer.location_id, expiresAt: now() + 14 * DAY })}`;
    if (offer.expires_at <= now() || offer.slot_start <= now() || offer.accepted_at !== null || offer.status !== 'waiting') {
      return { problem: 'expired' as const, bookingLink };
    }
    return { offer, bookingLink };
  }

  app.get('/waitlist/offer/:token', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const opened = await openOffer(token);
    if (!opened.offer) return html(reply, OfferGonePage({ clinic: await clinic(), reason: opened.problem, bookingLink: opened.bookingLink }), opened.problem === 'invalid' ? 404 : 410);
    const [c, location, request] = await Promise.all([clinic(), findLocation(db, opened.offer.location_id), findRequest(db, opened.offer.request_id)]);
    if (!location || !request) throw new Error('offer without location or request');
    return html(reply, OfferPage({ clinic: c, location, start: opened.offer.slot_start, action: `/waitlist/offer/${token}`, firstName: request.first_name }));
  });

  app.post('/waitlist/offer/:token', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const opened = await openOffer(token);
    const c = await clinic();
    if (!opened.offer) return html(reply, OfferGonePage({ clinic: c, reason: opened.problem, bookingLink: opened.bookingLink }), opened.problem === 'invalid' ? 404 : 410);
    const { offer } = opened;
    const [location, type] = await Promise.all([findLocation(db, offer.location_id), findAppointmentType(db, 'consultation')]);
    if (!location || !type) throw new Error('offer without location or type');
    // The same path as any booking: the claim table decides who was first.
    const outcome = await bookConsultation({ database, clinic: c, location, type, now: now() }, offer.request_id, offer.slot_start);
    if (!outcome.ok && outcome.reason === 'taken') return html(reply, OfferGonePage({ clinic: c, reason: 'taken', bookingLink: opened.bookingLink }), 409);
    if (!outcome.ok) return reply.code(303).redirect(opened.bookingLink);
    await database.transact(async (trx) => {
      await trx.updateTable('waitlist_offers').set({ accepted_at: now() }).where('id', '=', offer.id).execute();
      await trx.updateTable('waitlist_entries').set({ status: 'booked', updated_at: now() }).where('request_id', '=', offer.request_id).where('status', '=', 'waiting').execute();
    });
    app.deps.onOutbox?.();
    return reply.code(303).redirect(`${opened.bookingLink}?status=booked`);
  });
}
