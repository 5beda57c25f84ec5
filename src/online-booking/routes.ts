import { cutoffSpan } from '../kernel/time/format.ts';
import { html } from '../kernel/http/reply.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { findLocation, getClinic, listLocations, type Clinic, type Location } from '../kernel/clinic.ts';
import {
  bookRequest,
  findRequest,
  requestForNewLink,
  visitCancelled,
  type ConsultationRequest,
} from '../requests/service.ts';
import { Refusal, badRequest } from '../kernel/refusal.ts';
import { linkRefusals, tooManyRefusals } from '../kernel/http/refusals.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { findAppointmentType } from '../scheduling/availability.ts';
import { appointmentIcs } from '../scheduling/ics.ts';
import { latestAppointmentForRequest, patientVisitsBetween, type Appointment } from '../scheduling/repository.ts';
import { patientOfRequest } from '../patients/service.ts';
import type { Slot } from '../scheduling/slots.ts';
import {
  availability,
  beforeCutoff,
  cancelAppointment,
  rescheduleAppointment,
  type BookingContext,
} from '../scheduling/booking-service.ts';
import { CancelConfirmPage, ManagePage, SlotPickerPage, TakenPage } from './views.tsx';
import { LinkProblemPage } from '../kernel/ui/link-problem.tsx';
import { calendarEvent } from '../scheduling/calendar-event.ts';
import { endWait, offerFreedTime, waitingEntriesFor } from '../waitlist/service.ts';
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
import type { AuditDetail } from '../kernel/audit/audit.ts';

const DAY = 24 * 3_600_000;
const PAGE_DAYS = 14;

const tokenParams = z.object({ token: z.string().max(600) });
const pickerQuery = z.object({
  location: z.string().max(64).optional(),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates look like 2026-03-10.')
    .refine((v) => DateTime.fromISO(v).isValid, 'That date does not exist.')
    .optional(),
  status: z.enum(['booked', 'moved', 'cancelled', 'waitlisted', 'left-waitlist']).optional(),
});
const slotBody = z.object({
  slot: z
    .string({ error: 'Choose a time.' })
    .regex(/^\d{12,14}$/, 'Choose a time from the list.')
    .transform(Number),
  location: z.string({ error: 'Choose a location.' }).max(64),
});

const UNKNOWN_LOCATION = 'That location could not be found. Please choose one from the list.';

interface LinkContext {
  clinic: Clinic;
  request: ConsultationRequest;
  appointment: Appointment | undefined;
  defaultLocationId: string;
  base: string;
  visitor: Visitor;
}

/** An appointment's events are filed under its location and the person (patient once known, else request). */
const aboutAppointment = (link: LinkContext, appt: { location_id: string; patient_id?: string | null }): About => ({
  locationId: appt.location_id,
  patientRef: appt.patient_id ?? link.request.patient_id ?? link.request.id,
});

export async function bookingRoutes(app: FastifyInstance): Promise<void> {
  const { database, tokens, now } = app.deps;
  const db = database.db;
  const typed = app.withTypeProvider<ZodTypeProvider>();

  async function clinicOrFail(): Promise<Clinic> {
    const clinic = await getClinic(db);
    if (!clinic) throw new Error('clinic is not set up');
    return clinic;
  }

  /**
   * Resolves a booking link, or answers with a friendly page offering a new link. A refused link is recorded as a
   * failure of `action` (what the person tried), naming the person only when the link is authentic.
   */
  async function openLink(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    action: string,
  ): Promise<LinkContext | undefined> {
    const clinic = await clinicOrFail();
    const visitor = visitorOf(req, now());
    tooManyRefusals(app.deps, visitor);
    const refused = (about: About, reason: 'invalid' | 'expired' | 'unknown' | 'closed') => {
      if (reason !== 'closed') linkRefusals(app.deps).note(visitor.ip, visitor.now);
      return auditPatientAlone(database, visitor, action, 'failure', about, { reason });
    };
    const check = tokens.verify(token, 'book', visitor.now);
    if (!check.ok) {
      await refused(await aboutRequestId(db, refusedLinkRef(tokens, token, 'book', check)), check.reason);
      await html(reply, LinkProblemPage({ clinic, reason: check.reason }), check.reason === 'expired' ? 410 : 404);
      return undefined;
    }
    const request = await findRequest(db, check.claims.ref);
    if (!request) {
      await refused(NOBODY, 'unknown');
      await html(reply, LinkProblemPage({ clinic, reason: 'unknown' }), 404);
      return undefined;
    }
    const appointment = await latestAppointmentForRequest(db, request.id);
    if ((request.status === 'not_candidate' || request.status === 'closed') && appointment?.status !== 'booked') {
      // The clinic closed this request after talking with the person: online booking stops, a call still works.
      await refused(aboutRequest(request), 'closed');
      await html(reply, LinkProblemPage({ clinic, reason: 'closed' }), 410);
      return undefined;
    }
    return { clinic, request, appointment, defaultLocationId: check.claims.location, base: `/book/${token}`, visitor };
  }

  /** Records a refused self-service action (which rule refused it, never what was typed). */
  const refuse = (
    link: LinkContext,
    action: string,
    reason: string,
    detail: AuditDetail = {},
    about = aboutRequest(link.request),
  ) => auditPatientAlone(database, link.visitor, action, 'failure', about, { reason, ...detail });

  /**
   * Every page of a link shows the person's record (at least the first name; the manage, cancel and .ics pages
   * the appointment's time and place), to whoever holds the link, without signing in. As staff looks are, each view
   * is recorded before the page is sent (if the event cannot be written, the page is not shown): one small write,
   * and the trail then answers "who opened this person's link, from where, when" if a link leaks.
   */
  function viewed(link: LinkContext, page: 'book' | 'manage' | 'reschedule' | 'cancel' | 'ics', appt?: Appointment) {
    const about = appt ? aboutAppointment(link, appt) : aboutRequest(link.request);
    return auditPatientAlone(database, link.visitor, 'booking.view', 'success', about, {
      page,
      ...(appt ? { appointmentId: appt.id } : {}),
    });
  }

  async function bookingContext(clinic: Clinic, locationKey: string): Promise<BookingContext | undefined> {
    const [location, type] = await Promise.all([
      findLocation(db, locationKey),
      findAppointmentType(db, 'consultation'),
    ]);
    if (!type) throw new Error('the consultation appointment type is missing');
    return location ? { database, clinic, location, type, now: now() } : undefined;
  }

  async function picker(
    reply: FastifyReply,
    link: LinkContext,
    mode: 'book' | 'reschedule',
    query: z.infer<typeof pickerQuery>,
    notice?: { kind: 'warning' | 'error' | 'success'; text: string },
  ) {
    const ctx = await bookingContext(
      link.clinic,
      query.location ?? link.appointment?.location_id ?? link.defaultLocationId,
    );
    if (!ctx) throw badRequest(UNKNOWN_LOCATION);
    const zone = ctx.location.time_zone;
    const today = DateTime.fromMillis(ctx.now, { zone }).startOf('day');
    const horizonEnd = ctx.now + link.clinic.bookingHorizonDays * DAY;
    let from = query.from ? DateTime.fromISO(query.from, { zone }).startOf('day') : today;
    if (from < today) from = today;
    const to = from.plus({ days: PAGE_DAYS });
    // An administrator can take consultations off online booking (clinic set-up): then no times, and a way to call.
    const online = ctx.type.online_bookable === 1;
    const offered = online
      ? await availability(
          ctx,
          Math.max(from.toMillis(), ctx.now),
          Math.min(to.toMillis(), horizonEnd),
          link.appointment?.id,
        )
      : [];
    // Not the times when this person is already at another visit (say an infusion the clinic booked for them).
    const person = offered.length ? await patientOfRequest(db, link.request) : undefined;
    const own = person
      ? await patientVisitsBetween(db, person, offered[0]!.start, offered.at(-1)!.end, link.appointment?.id)
      : [];
    const slots = own.length
      ? offered.filter((x) => !own.some((v) => v.starts_at < x.end && x.start < v.ends_at))
      : offered;
    if (!online)
      notice = {
        kind: 'warning',
        text: `Online booking is paused at the moment. Please call ${ctx.location.name} at ${ctx.location.phone} and we will find a time with you.`,
      };
    const path = mode === 'book' ? link.base : `${link.base}/reschedule`;
    const pageUrl = (d: DateTime) =>
      `${path}?${new URLSearchParams({ location: ctx.location.slug, from: d.toISODate()! }).toString()}`;
    const [locations, waiting] = await Promise.all([
      listLocations(db),
      mode === 'book' ? waitingEntriesFor(db, link.request.id) : [],
    ]);
    await viewed(link, mode, mode === 'reschedule' ? link.appointment : undefined);
    return html(
      reply,
      SlotPickerPage({
        clinic: link.clinic,
        location: ctx.location,
        locations,
        slots,
        now: ctx.now,
        base: link.base,
        mode,
        firstName: link.request.first_name,
        notice,
        prev: from > today ? pageUrl(DateTime.max(today, from.minus({ days: PAGE_DAYS }))) : undefined,
        next: to.toMillis() < horizonEnd ? pageUrl(to) : undefined,
        durationMin: ctx.type.duration_min,
        waitlistJoined: mode === 'book' ? waiting.some((w) => w.location_id === ctx.location.id) : undefined,
      }),
    );
  }

  async function manage(
    reply: FastifyReply,
    link: LinkContext,
    appt: Appointment,
    notice?: { kind: 'success' | 'warning'; text: string },
  ) {
    const location = await findLocation(db, appt.location_id);
    if (!location) throw new Error('appointment location missing');
    await viewed(link, 'manage', appt);
    return html(
      reply,
      ManagePage({
        clinic: link.clinic,
        location,
        appointment: appt,
        base: link.base,
        now: now(),
        canChange: beforeCutoff(link.clinic, appt, now()),
        firstName: link.request.first_name,
        notice,
      }),
    );
  }

  const NOTICES = {
    booked: {
      kind: 'success',
      text: 'Your consultation is booked. A confirmation email with a calendar invitation is on its way.',
    },
    moved: { kind: 'success', text: 'Your consultation has been moved. We have emailed you the new time.' },
    cancelled: {
      kind: 'success',
      text: 'Your consultation has been cancelled and the time released. You can book a new time below whenever you are ready.',
    },
    waitlisted: { kind: 'success', text: 'You are on the waitlist. When a time opens up here, we will email you.' },
    'left-waitlist': { kind: 'success', text: 'You have left the waitlist.' },
  } as const;

  typed.get(
    '/book/:token',
    { config: { policy: 'public' }, schema: { params: tokenParams, querystring: pickerQuery } },
    async (req, reply) => {
      const link = await openLink(req, reply, req.params.token, 'booking.view');
      if (!link) return reply;
      if (link.appointment?.status === 'booked') {
        const status = req.query.status;
        return manage(
          reply,
          link,
          link.appointment,
          status === 'booked' || status === 'moved' ? NOTICES[status] : undefined,
        );
      }
      const notice =
        req.query.status === 'cancelled' || req.query.status === 'waitlisted' || req.query.status === 'left-waitlist'
          ? NOTICES[req.query.status]
          : link.appointment?.status === 'cancelled'
            ? { kind: 'warning' as const, text: 'Your earlier booking was cancelled. You can choose a new time below.' }
            : undefined;
      return picker(reply, link, 'book', req.query, notice);
    },
  );

  async function slotChosen(req: FastifyRequest, reply: FastifyReply, token: string, mode: 'book' | 'reschedule') {
    const action = mode === 'book' ? 'appointment.book' : 'appointment.reschedule';
    const link = await openLink(req, reply, token, action);
    if (!link) return reply;
    const parsed = slotBody.safeParse(req.body);
    const ctx = parsed.success ? await bookingContext(link.clinic, parsed.data.location) : undefined;
    if (!parsed.success || !ctx) {
      await refuse(link, action, 'invalid');
      throw badRequest(
        parsed.success ? UNKNOWN_LOCATION : (parsed.error.issues[0]?.message ?? 'Choose a time from the list.'),
      );
    }
    // The picker shows times up to the clinic's horizon; a posted time beyond it was never offered.
    if (parsed.data.slot >= ctx.now + link.clinic.bookingHorizonDays * DAY) {
      await refuse(link, action, 'beyond_horizon');
      throw badRequest(
        `Online booking is open for the next ${link.clinic.bookingHorizonDays} days. Choose a time from the list.`,
      );
    }
    if (ctx.type.online_bookable !== 1) {
      await refuse(link, action, 'not_online');
      throw new Refusal(
        'not_online',
        `Online booking is paused at the moment. Please call ${ctx.location.name} at ${ctx.location.phone} to book or change your consultation.`,
      );
    }
    const taken = (alternatives: Slot[]) =>
      html(
        reply,
        TakenPage({ clinic: link.clinic, location: ctx.location, alternatives, base: link.base, mode, now: ctx.now }),
        409,
      );
    if (mode === 'book') {
      // The success event is written in the booking's own transaction: no event, no booking.
      const outcome = await bookRequest(ctx, link.request.id, parsed.data.slot, {
        onBooked: async (trx, appt) => {
          await endWait(trx, link.request.id, ctx.now);
          await auditPatient(trx, database, link.visitor, action, 'success', aboutAppointment(link, appt), {
            appointmentId: appt.id,
            requestId: link.request.id,
          });
        },
      });
      if (outcome.ok) {
        app.deps.onOutbox?.();
        return reply.code(303).redirect(`${link.base}?status=booked`);
      }
      if (outcome.reason === 'already_booked') {
        await refuse(link, action, 'already_booked', { appointmentId: outcome.appointmentId });
        return reply.code(303).redirect(link.base);
      }
      await refuse(link, action, 'taken', {}, { ...aboutRequest(link.request), locationId: ctx.location.id });
      return taken(outcome.alternatives);
    }
    const current = link.appointment;
    if (current?.status !== 'booked') {
      await refuse(link, action, 'not_active', current ? { appointmentId: current.id } : {});
      throw new Refusal(
        'not_active',
        'This consultation was cancelled, so it cannot be moved. You can book a new time with your link.',
      );
    }
    const outcome = await rescheduleAppointment(ctx, current.id, parsed.data.slot, {
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
      app.deps.onOutbox?.();
      return reply.code(303).redirect(`${link.base}?status=moved`);
    }
    await refuse(link, action, outcome.reason, { appointmentId: current.id }, aboutAppointment(link, current));
    if (outcome.reason === 'taken') return taken(outcome.alternatives);
    throw changeRefused(outcome.reason, link.clinic);
  }

  typed.post('/book/:token', { config: { policy: 'public' }, schema: { params: tokenParams } }, (req, reply) =>
    slotChosen(req, reply, req.params.token, 'book'),
  );

  typed.get(
    '/book/:token/reschedule',
    { config: { policy: 'public' }, schema: { params: tokenParams, querystring: pickerQuery } },
    async (req, reply) => {
      const link = await openLink(req, reply, req.params.token, 'booking.view');
      if (!link) return reply;
      if (link.appointment?.status !== 'booked') return reply.code(303).redirect(link.base);
      if (!beforeCutoff(link.clinic, link.appointment, now())) {
        await refuse(
          link,
          'booking.view',
          'too_late',
          { page: 'reschedule', appointmentId: link.appointment.id },
          aboutAppointment(link, link.appointment),
        );
        throw changeRefused('too_late', link.clinic);
      }
      return picker(reply, link, 'reschedule', req.query);
    },
  );

  typed.post(
    '/book/:token/reschedule',
    { config: { policy: 'public' }, schema: { params: tokenParams } },
    (req, reply) => slotChosen(req, reply, req.params.token, 'reschedule'),
  );

  typed.get(
    '/book/:token/cancel',
    { config: { policy: 'public' }, schema: { params: tokenParams } },
    async (req, reply) => {
      const link = await openLink(req, reply, req.params.token, 'booking.view');
      if (!link) return reply;
      if (link.appointment?.status !== 'booked') return reply.code(303).redirect(link.base);
      const location = await findLocation(db, link.appointment.location_id);
      if (!location) throw new Error('appointment location missing');
      await viewed(link, 'cancel', link.appointment);
      return html(
        reply,
        CancelConfirmPage({ clinic: link.clinic, location, appointment: link.appointment, base: link.base }),
      );
    },
  );

  typed.post(
    '/book/:token/cancel',
    { config: { policy: 'public' }, schema: { params: tokenParams } },
    async (req, reply) => {
      const action = 'appointment.cancel';
      const link = await openLink(req, reply, req.params.token, action);
      if (!link) return reply;
      const appt = link.appointment;
      if (appt?.status !== 'booked') {
        await refuse(link, action, 'not_active', appt ? { appointmentId: appt.id } : {});
        return reply.code(303).redirect(link.base);
      }
      // The success event is written in the cancellation's own transaction: no event, no cancellation.
      const t = now();
      const outcome = await cancelAppointment(database, link.clinic, appt.id, t, {
        onFreed: (trx, freed) => offerFreedTime(trx, freed, t),
        onCancelled: async (trx, current) => {
          await visitCancelled(trx, current);
          await auditPatient(trx, database, link.visitor, action, 'success', aboutAppointment(link, current), {
            appointmentId: current.id,
            startsAt: current.starts_at,
          });
        },
      });
      if (!outcome.ok) {
        await refuse(link, action, outcome.reason, { appointmentId: appt.id }, aboutAppointment(link, appt));
        throw changeRefused(outcome.reason, link.clinic);
      }
      app.deps.onOutbox?.();
      return reply.code(303).redirect(`${link.base}?status=cancelled`);
    },
  );

  typed.get(
    '/book/:token/appointment.ics',
    { config: { policy: 'public' }, schema: { params: tokenParams } },
    async (req, reply) => {
      const link = await openLink(req, reply, req.params.token, 'booking.view');
      if (!link) return reply;
      if (!link.appointment) {
        await refuse(link, 'booking.view', 'not_found', { page: 'ics' });
        throw new Refusal('not_found', 'There is no booking for this link yet.');
      }
      const location = (await findLocation(db, link.appointment.location_id)) as Location;
      await viewed(link, 'ics', link.appointment);
      const ics = appointmentIcs(
        calendarEvent(link.clinic, location, link.appointment, now(), app.deps.config.publicUrl + link.base),
      );
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="consultation.ics"')
        .type('text/calendar; charset=utf-8')
        .send(ics);
    },
  );

  app.get('/book/new-link', { config: { policy: 'public' } }, async (_req, reply) =>
    html(reply, LinkProblemPage({ clinic: await clinicOrFail(), reason: 'invalid' })),
  );

  app.post(
    '/book/new-link',
    { config: { policy: 'public', rateLimit: { max: 5, timeWindow: 15 * 60_000 } } },
    async (req, reply) => {
      const clinic = await clinicOrFail();
      const visitor = visitorOf(req, now());
      const action = 'booking.link_request';
      const parsed = z.object({ email: z.string().trim().max(254).pipe(z.email()) }).safeParse(req.body);
      if (!parsed.success) {
        await auditPatientAlone(database, visitor, action, 'failure', NOBODY, { reason: 'invalid' });
        const typedEmail =
          typeof (req.body as { email?: unknown } | null)?.email === 'string'
            ? (req.body as { email: string }).email
            : '';
        return html(
          reply,
          LinkProblemPage({
            clinic,
            reason: 'invalid',
            error: 'Enter an email address like name@example.com.',
            email: typedEmail.slice(0, 254),
          }),
          400,
        );
      }
      const request = await requestForNewLink(db, parsed.data.email.toLowerCase());
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
            },
            t,
          );
          await auditPatient(trx, database, visitor, action, 'success', aboutRequest(request));
        });
        app.deps.onOutbox?.();
      } else {
        // An unknown address is recorded too (without it); both answers then cost one write transaction.
        await auditPatientAlone(database, visitor, action, 'failure', NOBODY, { reason: 'unknown' });
      }
      // The same answer whether or not the address is known, so the form cannot reveal who asked us for help.
      return html(reply, LinkProblemPage({ clinic, reason: 'sent' }));
    },
  );
}

function changeRefused(reason: 'not_active' | 'too_late', clinic: Clinic): Refusal {
  return reason === 'too_late'
    ? new Refusal(
        'too_late',
        `Your visit is less than ${cutoffSpan(clinic.cancelCutoffMin)} away, so it can no longer be changed online. Please call us at ${clinic.phone}.`,
      )
    : new Refusal('not_active', 'This consultation is no longer active. You can book a new time with your link.');
}
