import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { getClinic, type Clinic } from '../kernel/clinic.ts';
import { Refusal } from '../kernel/refusal.ts';
import { auditAlone, patientFor, visibleLocations, type Actor, type StaffLocation } from '../patients/service.ts';
import type { Patient } from '../patients/service.ts';
import { bookForPatient } from './book-for-patient.ts';
import { PatientBookPage } from './book-for-patient-view.tsx';
import { AppointmentPage, BookPage, type FormProblem } from './appointment-view.tsx';
import {
  appointmentDetail,
  appointmentsBetween,
  bookableRequests,
  calendarColumns,
  locationHours,
  locationProviders,
} from './repository.ts';
import { CALENDAR_ROLES, calendarQuery, formErrors, SCHEDULING_ROLES, typedValues } from './schema.ts';
import {
  appointmentFor,
  bookOnBehalf,
  setAttendance,
  staffCancel,
  staffReschedule,
  type ActionResult,
  type Done,
} from './service.ts';
import { dayRows } from '../kernel/time/day-rows.ts';
import { addDays, dayBounds, today, weekdayOf, weekStart } from '../kernel/time/wall-clock.ts';
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
  const db = database.db;
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });
  const clinicOrFail = async (): Promise<Clinic> => {
    const clinic = await getClinic(db);
    if (!clinic) throw new Error('clinic is not set up');
    return clinic;
  };

  /** The location asked for, if this person may see it; anything else is a 400 with a 'denied' event. */
  async function chosenLocation(
    actor: Actor,
    key: string | undefined,
    action: string,
  ): Promise<{ location: StaffLocation; visible: StaffLocation[] }> {
    const visible = await visibleLocations(db, actor);
    const found = key === undefined ? visible[0] : visible.find((l) => l.slug === key || l.id === key);
    if (found) return { location: found, visible };
    if (key === undefined)
      throw new Refusal('no_location', 'You are not assigned to a location yet. Please ask an administrator.');
    const elsewhere = await db
      .selectFrom('locations')
      .select('id')
      .where((eb) => eb.or([eb('slug', '=', key), eb('id', '=', key)]))
      .executeTakeFirst();
    await auditAlone(database, actor, action, 'denied', { locationId: elsewhere?.id ?? null, patientRef: null });
    throw new Refusal('invalid_request', 'Choose a location from the list.', {
      location: 'Choose a location from the list.',
    });
  }

  app.get('/staff/calendar', { config: { policy: { roles: CALENDAR_ROLES } } }, async (req, reply) => {
    const actor = actorOf(req);
    // Parsed here rather than by a route schema, so that sign-in and role come first.
    const parsed = calendarQuery.safeParse(req.query ?? {});
    if (!parsed.success)
      throw new Refusal('invalid_request', 'Some of the choices are not valid.', formErrors(parsed.error));
    const q = parsed.data;
    const { location, visible } = await chosenLocation(actor, q.location, 'calendar.view');
    const zone = location.time_zone;
    const date = q.date ?? today(actor.now, zone);
    const showCancelled = q.cancelled === 'show';
    const { byWeekday, closures } = await locationHours(db, location.id);
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
      showCancelled,
      href,
      prev: href({ date: addDays(date, -step) }),
      next: href({ date: addDays(date, step) }),
      today: href({ date: today(actor.now, zone) }),
    };
    let count: number;
    if (q.view === 'day') {
      const { start, end } = dayBounds(zone, date);
      const appointments = await appointmentsBetween(db, location.id, start, end, showCancelled);
      const spans = closures.has(date) ? [] : (byWeekday.get(weekdayOf(date)) ?? []);
      const rows = dayRows(
        zone,
        date,
        spans,
        appointments.map((a) => ({ start: a.starts_at, end: a.ends_at })),
      );
      const columns = await calendarColumns(db, location.id, weekdayOf(date), appointments);
      props.day = { rows, ...columns, appointments, closure: closures.get(date) };
      count = appointments.length;
    } else {
      const monday = weekStart(date);
      const dates = [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(monday, n));
      const bounds = dates.map((d) => dayBounds(zone, d));
      const appointments = await appointmentsBetween(db, location.id, bounds[0]!.start, bounds[6]!.end, showCancelled);
      const { providers, nurses } = await calendarColumns(db, location.id, undefined, appointments);
      const clinicians = [...providers, ...nurses];
      props.week = {
        days: dates.map((d, i) => ({
          date: d,
          closure: closures.get(d),
          clinicians,
          appointments: appointments.filter((a) => a.starts_at >= bounds[i]!.start && a.starts_at < bounds[i]!.end),
        })),
      };
      count = appointments.length;
    }
    await auditAlone(
      database,
      actor,
      'calendar.view',
      'success',
      { locationId: location.id, patientRef: null },
      { view: q.view, date, appointments: count, cancelled: showCancelled },
    );
    return html(reply, CalendarPage(props));
  });

  async function appointmentPage(actor: Actor, id: string, extra: { notice?: string; refusal?: FormProblem } = {}) {
    const appt = await appointmentDetail(db, id);
    if (!appt) throw new Refusal('not_found', 'We could not find that page.');
    return AppointmentPage({ staff: actor.staff, appt, now: actor.now, ...extra });
  }

  app.get<Params & { Querystring: { done?: string } }>(
    '/staff/calendar/appointments/:id',
    { config: { policy: { roles: CALENDAR_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const appt = await appointmentFor(database, actor, req.params.id, 'appointment.view');
      await auditAlone(
        database,
        actor,
        'appointment.view',
        'success',
        { locationId: appt.location_id, patientRef: appt.patient_id ?? appt.request_id },
        { appointmentId: appt.id },
      );
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
        const refusal: FormProblem = {
          status: result.status,
          message: result.message,
          values: typedValues(req.body),
          ...(result.errors ? { errors: result.errors } : {}),
        };
        return html(reply, await appointmentPage(actor, appt.id, { refusal }), result.status);
      },
    );

  action('attendance', CALENDAR_ROLES, 'appointment.attendance', (actor, appt, body) =>
    setAttendance(database, actor, appt, body),
  );
  action('cancel', SCHEDULING_ROLES, 'appointment.cancel', async (actor, appt) =>
    staffCancel(database, actor, appt, await clinicOrFail()),
  );
  action('reschedule', SCHEDULING_ROLES, 'appointment.reschedule', async (actor, appt, body) =>
    staffReschedule(database, actor, appt, await clinicOrFail(), body),
  );

  async function bookPage(actor: Actor, location: StaffLocation, refusal?: FormProblem) {
    const [requests, providers] = await Promise.all([
      bookableRequests(db, location.id),
      locationProviders(db, location.id),
    ]);
    await auditAlone(
      database,
      actor,
      'calendar.book_form',
      'success',
      { locationId: location.id, patientRef: null },
      { requests: requests.length },
    );
    return BookPage({
      staff: actor.staff,
      location,
      requests,
      providers,
      date: addDays(today(actor.now, location.time_zone), 1),
      ...(refusal ? { refusal } : {}),
    });
  }

  app.get<{ Querystring: { location?: string } }>(
    '/staff/calendar/book',
    { config: { policy: { roles: SCHEDULING_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const key =
        typeof req.query.location === 'string' && req.query.location !== ''
          ? req.query.location.slice(0, 64)
          : undefined;
      const { location } = await chosenLocation(actor, key, 'calendar.book_form');
      return html(reply, await bookPage(actor, location));
    },
  );

  app.post('/staff/calendar/book', { config: { policy: { roles: SCHEDULING_ROLES } } }, async (req, reply) => {
    const actor = actorOf(req);
    const result = await bookOnBehalf(database, actor, await clinicOrFail(), req.body);
    if (result.ok) {
      app.deps.onOutbox?.();
      return reply.code(303).redirect(`/staff/calendar/appointments/${result.appointmentId}?done=${result.done}`);
    }
    const values = typedValues(req.body);
    const location = (await visibleLocations(db, actor)).find(
      (l) => l.slug === values.location || l.id === values.location,
    );
    if (!location) throw new Refusal('invalid_request', result.message, result.errors);
    const refusal: FormProblem = {
      status: result.status,
      message: result.message,
      values,
      ...(result.errors ? { errors: result.errors } : {}),
      ...(result.alternatives ? { alternatives: result.alternatives } : {}),
    };
    return html(reply, await bookPage(actor, location, refusal), result.status);
  });

  // ---- Any kind of appointment for a known patient (infusions, boosters, follow-ups, consultations) ----
  async function patientBookPage(
    actor: Actor,
    patient: Patient,
    where: { locationId: string; patientRef: string },
    refusal?: FormProblem,
  ) {
    const locations = await visibleLocations(db, actor);
    const wanted = refusal?.values?.location;
    const location =
      locations.find((l) => l.slug === wanted) ?? locations.find((l) => l.id === patient.location_id) ?? locations[0];
    if (!location)
      throw new Refusal('no_location', 'You are not assigned to a location yet. Please ask an administrator.');
    const [types, providers] = await Promise.all([
      db.selectFrom('appointment_types').selectAll().orderBy('name').execute(),
      locationProviders(db, location.id),
    ]);
    // A refused booking has its own event already; one event per request.
    if (!refusal) await auditAlone(database, actor, 'appointment.book_form', 'success', where);
    const date = addDays(today(actor.now, location.time_zone), 1);
    return PatientBookPage({
      staff: actor.staff,
      patient,
      locations,
      location,
      types,
      providers,
      date,
      ...(refusal ? { refusal } : {}),
    });
  }

  app.get<Params>(
    '/staff/patients/:id/book',
    { config: { policy: { roles: SCHEDULING_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const { patient, where } = await patientFor(database, actor, req.params.id, 'appointment.book_form');
      return html(reply, await patientBookPage(actor, patient, where));
    },
  );

  app.post<Params>(
    '/staff/patients/:id/book',
    { config: { policy: { roles: SCHEDULING_ROLES } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const { patient, where } = await patientFor(database, actor, req.params.id, 'appointment.book');
      const result = await bookForPatient(database, actor, await clinicOrFail(), patient, req.body);
      if (result.ok) {
        app.deps.onOutbox?.();
        return reply.code(303).redirect(`/staff/calendar/appointments/${result.appointmentId}?done=booked`);
      }
      const refusal: FormProblem = {
        status: result.status,
        message: result.message,
        values: typedValues(req.body),
        ...(result.errors ? { errors: result.errors } : {}),
        ...(result.alternatives ? { alternatives: result.alternatives } : {}),
      };
      return html(reply, await patientBookPage(actor, patient, where, refusal), result.status);
    },
  );
}
