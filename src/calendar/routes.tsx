import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { Slot } from '../scheduling/slots.ts';
import type { Actor } from '../patients/service.ts';
import { bookForPatient } from './book-for-patient.ts';
import { PatientBookPage } from './book-for-patient-view.tsx';
import { AppointmentPage, BookPage, type FormProblem } from './appointment-view.tsx';
import {
  appointmentAgain,
  bookForm,
  bookFormAgain,
  calendarView,
  clinicOrFail,
  patientBookForm,
  patientBookFormFor,
  patientToBook,
  viewAppointment,
} from './read-service.ts';
import {
  bookPrefill,
  CALENDAR_ROLES,
  calendarQuery,
  formErrors,
  patientSearch,
  SCHEDULING_ROLES,
  typedValues,
  type BookPrefill,
} from './schema.ts';
import { findPatients } from '../patients/service.ts';
import {
  appointmentFor,
  bookOnBehalf,
  setAttendance,
  staffCancel,
  staffReschedule,
  type ActionResult,
  type Done,
} from './service.ts';
import { addDays, today } from '../kernel/time/wall-clock.ts';
import { CalendarPage, type CalendarPageProps } from './views.tsx';

const NOTICES: Record<Done, string> = {
  arrived: 'Marked as arrived.',
  no_show: 'Marked as a no-show.',
  cleared: 'Attendance cleared.',
  cancelled: 'Cancelled. The time is free again at once, online too, and the patient is emailed.',
  moved: 'Moved. The patient is emailed the new time.',
  booked: 'Booked. The patient is emailed a confirmation.',
};

type Params = { Params: { id: string } };

/** The staff calendar: day grid and week list per location, an appointment's page, and the front desk's actions. */
export async function calendarRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });
  /** A refused form, to show again with what was typed (cut short) and any free times nearby. */
  const problem = (refusal: Refusal, body: unknown, alternatives?: Slot[]): FormProblem => ({
    refusal,
    values: typedValues(body),
    ...(alternatives ? { alternatives } : {}),
  });

  app.get('/staff/calendar', { config: { policy: { roles: CALENDAR_ROLES } } }, async (req, reply) => {
    const actor = actorOf(req);
    // Parsed here rather than by a route schema, so that sign-in and role come first.
    const parsed = calendarQuery.safeParse(req.query ?? {});
    if (!parsed.success)
      throw new Refusal('invalid_request', 'Some of the choices are not valid.', formErrors(parsed.error));
    const q = parsed.data;
    const { location, visible, date, day, week } = await calendarView(database, actor, q);
    const zone = location.time_zone;
    const href: CalendarPageProps['href'] = (change) => {
      const params = new URLSearchParams({
        location: location.slug,
        view: change.view ?? q.view,
        date: change.date ?? date,
      });
      if ((change.cancelled ?? q.cancelled) === 'show') params.set('cancelled', 'show');
      return `/staff/calendar?${params.toString()}`;
    };
    const step = q.view === 'day' ? 1 : 7;
    const props: CalendarPageProps = {
      staff: actor.staff,
      locations: visible,
      location,
      view: q.view,
      date,
      showCancelled: q.cancelled === 'show',
      href,
      prev: href({ date: addDays(date, -step) }),
      next: href({ date: addDays(date, step) }),
      today: href({ date: today(actor.now, zone) }),
      now: actor.now,
      ...(day ? { day } : {}),
      ...(week ? { week } : {}),
    };
    return html(reply, CalendarPage(props));
  });

  app.get<Params & { Querystring: { done?: string } }>(
    '/staff/calendar/appointments/:id',
    { config: { policy: { roles: CALENDAR_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const appt = await viewAppointment(database, actor, req.params.id);
      const done = req.query.done;
      const notice = typeof done === 'string' && done in NOTICES ? NOTICES[done as Done] : undefined;
      return html(reply, AppointmentPage({ staff: actor.staff, appt, now: actor.now, ...(notice ? { notice } : {}) }));
    },
  );

  const action = (
    path: string,
    roles: typeof CALENDAR_ROLES,
    auditAction: string,
    run: (actor: Actor, appt: Awaited<ReturnType<typeof appointmentFor>>, body: unknown) => Promise<ActionResult>,
  ) =>
    app.post<Params>(
      `/staff/calendar/appointments/:id/${path}`,
      { config: { policy: { roles } } },
      async (req, reply) => {
        const actor = actorOf(req);
        const appt = await appointmentFor(database, actor, req.params.id, auditAction);
        const result = await run(actor, appt, req.body);
        if (result.ok) {
          app.deps.onOutbox?.();
          return reply.code(303).redirect(`/staff/calendar/appointments/${appt.id}?done=${result.done}`);
        }
        const page = AppointmentPage({
          staff: actor.staff,
          appt: await appointmentAgain(database, appt.id),
          now: actor.now,
          problem: problem(result, req.body),
        });
        return html(reply, page, result.statusCode);
      },
    );

  action('attendance', CALENDAR_ROLES, 'appointment.attendance', (actor, appt, body) =>
    setAttendance(database, actor, appt, body),
  );
  action('cancel', SCHEDULING_ROLES, 'appointment.cancel', async (actor, appt) =>
    staffCancel(database, actor, appt, await clinicOrFail(database)),
  );
  action('reschedule', SCHEDULING_ROLES, 'appointment.reschedule', async (actor, appt, body) =>
    staffReschedule(database, actor, appt, await clinicOrFail(database), body),
  );

  /** A calendar cell's time and column from the address; a value that is not one is a 400 naming its field. */
  const prefillOf = (query: unknown): BookPrefill => {
    const parsed = bookPrefill.safeParse(query ?? {});
    if (!parsed.success)
      throw new Refusal('invalid_request', 'Some of the choices are not valid.', formErrors(parsed.error));
    return parsed.data;
  };

  app.get('/staff/calendar/book', { config: { policy: { roles: SCHEDULING_ROLES } } }, async (req, reply) => {
    const actor = actorOf(req);
    const form = await bookForm(database, actor, prefillOf(req.query));
    return html(reply, BookPage({ staff: actor.staff, ...form }));
  });

  // Someone already a patient, for the time a calendar cell chose: the search is posted (names stay out of addresses).
  app.post('/staff/calendar/book/patients', { config: { policy: { roles: SCHEDULING_ROLES } } }, async (req, reply) => {
    const actor = actorOf(req);
    const form = await bookForm(database, actor, prefillOf(req.body));
    const parsed = patientSearch.safeParse(req.body ?? {});
    const q = parsed.success ? parsed.data.q : '';
    if (!parsed.success || q.length < 2) {
      const error = parsed.success
        ? 'Enter at least 2 characters of a name, email or phone.'
        : 'Use at most 100 characters.';
      return html(
        reply,
        BookPage({ staff: actor.staff, ...form, found: { q: q.slice(0, 100), results: [], more: false, error } }),
        400,
      );
    }
    const { results, more } = await findPatients(database, actor, q);
    const found = {
      q,
      more,
      results: results.map((p) => ({ id: p.id, name: `${p.first_name} ${p.last_name}`, where: p.location_name })),
    };
    return html(reply, BookPage({ staff: actor.staff, ...form, found }));
  });

  app.post('/staff/calendar/book', { config: { policy: { roles: SCHEDULING_ROLES } } }, async (req, reply) => {
    const actor = actorOf(req);
    const result = await bookOnBehalf(database, actor, await clinicOrFail(database), req.body);
    if (result.ok) {
      app.deps.onOutbox?.();
      return reply.code(303).redirect(`/staff/calendar/appointments/${result.appointmentId}?done=${result.done}`);
    }
    const { refusal, alternatives } = result;
    const form = await bookFormAgain(database, actor, typedValues(req.body).location);
    if (!form) throw new Refusal('invalid_request', refusal.message, refusal.fields);
    const page = BookPage({ staff: actor.staff, ...form, problem: problem(refusal, req.body, alternatives) });
    return html(reply, page, refusal.statusCode);
  });

  // ---- Any kind of appointment for a known patient (infusions, boosters, follow-ups, consultations) ----
  app.get<Params>(
    '/staff/patients/:id/book',
    { config: { policy: { roles: SCHEDULING_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const form = await patientBookForm(database, actor, req.params.id, prefillOf(req.query));
      return html(reply, PatientBookPage({ staff: actor.staff, ...form }));
    },
  );

  app.post<Params>(
    '/staff/patients/:id/book',
    { config: { policy: { roles: SCHEDULING_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const { patient, where } = await patientToBook(database, actor, req.params.id);
      const result = await bookForPatient(database, actor, await clinicOrFail(database), patient, req.body);
      if (result.ok) {
        app.deps.onOutbox?.();
        return reply.code(303).redirect(`/staff/calendar/appointments/${result.appointmentId}?done=booked`);
      }
      const { refusal, alternatives } = result;
      const form = await patientBookFormFor(database, actor, patient, where, {
        location: typedValues(req.body).location,
      });
      const page = PatientBookPage({ staff: actor.staff, ...form, problem: problem(refusal, req.body, alternatives) });
      return html(reply, page, refusal.statusCode);
    },
  );
}
