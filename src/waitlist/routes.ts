import type { FastifyInstance } from 'fastify';
import { html } from '../kernel/http/reply.ts';
import { z } from 'zod';
import { visitorOf } from '../kernel/audit/patient-audit.ts';
import { LinkProblemPage } from '../kernel/ui/link-problem.tsx';
import { acceptOffer, joinFromLink, leaveFromLink, viewOffer, type OfferGone } from './service.ts';
import { OfferGonePage, OfferPage } from './views.tsx';

const tokenParams = z.object({ token: z.string().max(600) });
/** The token from the path, or '' (which no check accepts) when it is not a short string. */
const tokenOf = (params: unknown) => tokenParams.safeParse(params).data?.token ?? '';
/** The location chosen on the booking page, or '' (which names none) when it is missing or not a string. */
const joinBody = z.object({ location: z.string().catch('') }).catch({ location: '' });

const GONE_STATUS = { invalid: 404, expired: 410, taken: 409 } as const;

/** Joining and leaving the waitlist from a booking link, and accepting an offered time. */
export async function waitlistRoutes(app: FastifyInstance): Promise<void> {
  const { now } = app.deps;
  const publicRoute = { config: { policy: 'public' as const } };

  const offerGone = ({ clinic, reason, bookingLink }: OfferGone) => OfferGonePage({ clinic, reason, bookingLink });

  app.post('/book/:token/waitlist', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const { location } = joinBody.parse(req.body);
    const outcome = await joinFromLink(app.deps, token, visitorOf(req, now()), location);
    switch (outcome.kind) {
      case 'joined':
        return reply.code(303).redirect(`/book/${token}?location=${outcome.locationSlug}&status=waitlisted`);
      case 'booked':
        return reply.code(303).redirect(`/book/${token}`);
      case 'invalid':
        return html(reply, OfferGonePage({ clinic: outcome.clinic, reason: 'invalid' }), 404);
      case 'closed':
        return html(reply, LinkProblemPage({ clinic: outcome.clinic, reason: 'closed' }), 410);
    }
  });

  app.post('/book/:token/waitlist/leave', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const outcome = await leaveFromLink(app.deps, token, visitorOf(req, now()));
    if (outcome.kind === 'invalid')
      return html(reply, OfferGonePage({ clinic: outcome.clinic, reason: 'invalid' }), 404);
    return reply.code(303).redirect(`/book/${token}?status=left-waitlist`);
  });

  app.get('/waitlist/offer/:token', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const offer = await viewOffer(app.deps, token, visitorOf(req, now()));
    if (offer.kind === 'gone') return html(reply, offerGone(offer), GONE_STATUS[offer.reason]);
    const { clinic, location, start, firstName } = offer;
    return html(reply, OfferPage({ clinic, location, start, firstName, action: `/waitlist/offer/${token}` }));
  });

  app.post('/waitlist/offer/:token', publicRoute, async (req, reply) => {
    const token = tokenOf(req.params);
    const outcome = await acceptOffer(app.deps, token, visitorOf(req, now()));
    switch (outcome.kind) {
      case 'gone':
        return html(reply, offerGone(outcome), GONE_STATUS[outcome.reason]);
      case 'already_booked':
        return reply.code(303).redirect(outcome.bookingLink);
      case 'booked':
        return reply.code(303).redirect(`${outcome.bookingLink}?status=booked`);
    }
  });
}
