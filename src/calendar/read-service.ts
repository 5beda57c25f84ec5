// What the calendar's pages show: the day grid and week list, an appointment, and the two booking forms. Each read
// of patients' data writes its audit event; a location or record this person may not see is refused here.
import { findLocation, getClinic, type Clinic } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { AppointmentType } from '../scheduling/availability.ts';
import { auditAlone, patientFor, visibleLocations, type Actor, type StaffLocation } from '../patients/service.ts';
import type { Patient } from '../patients/service.ts';
import {
  appointmentDetail,
  appointmentsBetween,
  appointmentTypes,
  bookableRequests,
  calendarColumns,
  locationHours,
  locationResources,
  type AppointmentDetail,
  type BookableRequest,
  type CalendarAppointment,
  type CalendarColumn,
} from './repository.ts';
import { ANY_PROVIDER, type BookPrefill, type CalendarQuery } from './schema.ts';
import { appointmentFor } from './service.ts';
import { addDays, dayBounds, today, weekdayOf, weekStart } from '../kernel/time/wall-clock.ts';
import { dayRows, type Row } from '../kernel/time/day-rows.ts';

const noLocation = () =>
  new Refusal('no_location', 'You are not assigned to a location yet. Please ask an administrator.');

/** The clinic's settings, which every booking, move and cancellation needs (set-up creates them first). */
export async function clinicOrFail(database: Database): Promise<Clinic> {
  const clinic = await getClinic(database.db);
  if (!clinic) throw new Error('clinic is not set up');
  return clinic;
}

/** The location asked for, if this person may see it; anything else is a 400 with a 'denied' event. */
async function chosenLocation(
  database: Database,
  actor: Actor,
  key: string | undefined,
  action: string,
): Promise<{ location: StaffLocation; visible: StaffLocation[] }> {
  const visible = await visibleLocations(database.db, actor);
  const found = key === undefined ? visible[0] : visible.find((l) => l.slug === key || l.id === key);
  if (found) return { location: found, visible };
  if (key === undefined) throw noLocation();
  const elsewhere = await findLocation(database.db, key);
  await auditAlone(database, actor, action, 'denied', { locationId: elsewhere?.id ?? null, patientRef: null });
  throw new Refusal('invalid_request', 'Choose a location from the list.', {
    location: 'Choose a location from the list.',
  });
}

export interface CalendarDay {
  rows: Row[];
  providers: CalendarColumn[];
  nurses: CalendarColumn[];
  rooms: CalendarColumn[];
  appointments: CalendarAppointment[];
  closure: string | undefined;
}

/** `clinicians`: providers then nurses; each appointment is listed under its provider, or its nurse when it has none. */
export interface CalendarWeek {
  days: Array<{
    date: string;
    closure: string | undefined;
    clinicians: CalendarColumn[];
    appointments: CalendarAppointment[];
  }>;
}

export interface CalendarView {
  location: StaffLocation;
  /** Every location this person may see, for the switcher. */
  visible: StaffLocation[];
  date: string;
  day?: CalendarDay;
  week?: CalendarWeek;
}

/** The day grid or week list of a location (the first visible one unless asked), with a 'calendar.view' event. */
export async function calendarView(database: Database, actor: Actor, q: CalendarQuery): Promise<CalendarView> {
  const db = database.db;
  const { location, visible } = await chosenLocation(database, actor, q.location, 'calendar.view');
  const zone = location.time_zone;
  const date = q.date ?? today(actor.now, zone);
  const showCancelled = q.cancelled === 'show';
  const { byWeekday, closures } = await locationHours(db, location.id);
  const view: CalendarView = { location, visible, date };
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
    view.day = { rows, ...columns, appointments, closure: closures.get(date) };
    count = appointments.length;
  } else {
    const monday = weekStart(date);
    const dates = [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(monday, n));
    const bounds = dates.map((d) => dayBounds(zone, d));
    const appointments = await appointmentsBetween(db, location.id, bounds[0]!.start, bounds[6]!.end, showCancelled);
    const { providers, nurses } = await calendarColumns(db, location.id, undefined, appointments);
    const clinicians = [...providers, ...nurses];
    view.week = {
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
  return view;
}

/** An appointment's page: the appointment if this person may see it, with an 'appointment.view' event. */
export async function viewAppointment(database: Database, actor: Actor, rawId: unknown): Promise<AppointmentDetail> {
  const appt = await appointmentFor(database, actor, rawId, 'appointment.view');
  await auditAlone(
    database,
    actor,
    'appointment.view',
    'success',
    { locationId: appt.location_id, patientRef: appt.patient_id ?? appt.request_id },
    { appointmentId: appt.id },
  );
  return appt;
}

/** The appointment as it is now, to show again with a refused action (whose event is written already). */
export async function appointmentAgain(database: Database, id: string): Promise<AppointmentDetail> {
  const appt = await appointmentDetail(database.db, id);
  if (!appt) throw new Refusal('not_found', 'We could not find that page.');
  return appt;
}

/** Who and what a booking form offers at a location: its providers, nurses, and chairs and rooms. */
export interface BookingChoices {
  providers: CalendarColumn[];
  nurses: CalendarColumn[];
  rooms: CalendarColumn[];
}

export interface BookFormData extends BookingChoices {
  location: StaffLocation;
  requests: BookableRequest[];
  /** The day the form suggests: tomorrow at the location. */
  date: string;
  /** What a calendar cell filled in (time, and the provider, nurse, or chair or room of its column). */
  values: Record<string, string>;
}

/**
 * A calendar cell's time and column as form values, once each id is known to belong to the location: a forged one
 * is a 400 naming its field, so the form never shows a choice it would refuse.
 */
export function prefillValues(choices: BookingChoices, q: BookPrefill | undefined): Record<string, string> {
  if (!q) return {};
  const values: Record<string, string> = {};
  const check = (field: 'provider' | 'nurse' | 'room', list: CalendarColumn[], what: string) => {
    const id = q[field];
    if (id === undefined || (field === 'provider' && id === ANY_PROVIDER)) return;
    if (!list.some((c) => c.id === id))
      throw new Refusal('invalid_request', `Choose a ${what} at this location.`, {
        [field]: `Choose a ${what} from the list.`,
      });
    values[field] = id;
  };
  check('provider', choices.providers, 'provider');
  check('nurse', choices.nurses, 'nurse');
  check('room', choices.rooms, 'chair or room');
  if (q.date) values.date = q.date;
  if (q.time) values.time = q.time;
  return values;
}

async function bookFormAt(
  database: Database,
  actor: Actor,
  location: StaffLocation,
  prefill?: BookPrefill,
): Promise<BookFormData> {
  const [requests, choices] = await Promise.all([
    bookableRequests(database.db, location.id),
    locationResources(database.db, location.id),
  ]);
  const values: Record<string, string> = { ...prefillValues(choices, prefill), location: location.slug };
  // A lead booked or closed since its page was shown is simply not chosen: the form still opens.
  if (prefill?.request !== undefined && requests.some((r) => r.id === prefill.request))
    values.request = prefill.request;
  await auditAlone(
    database,
    actor,
    'calendar.book_form',
    'success',
    { locationId: location.id, patientRef: null },
    { requests: requests.length },
  );
  return { location, requests, ...choices, values, date: addDays(today(actor.now, location.time_zone), 1) };
}

/**
 * The form to book a consultation for a request, at the location asked for (else the first this person sees),
 * filled in with a calendar cell's time and column when it links here.
 */
export async function bookForm(database: Database, actor: Actor, prefill: BookPrefill): Promise<BookFormData> {
  const { location } = await chosenLocation(database, actor, prefill.location, 'calendar.book_form');
  return bookFormAt(database, actor, location, prefill);
}

/** The same form again after a refused booking, at the location typed in; undefined when this person cannot see it. */
export async function bookFormAgain(
  database: Database,
  actor: Actor,
  key: string | undefined,
): Promise<BookFormData | undefined> {
  const location = (await visibleLocations(database.db, actor)).find((l) => l.slug === key || l.id === key);
  return location && bookFormAt(database, actor, location);
}

export interface PatientBookFormData extends BookingChoices {
  patient: Patient;
  locations: StaffLocation[];
  /** The location whose providers are listed (the chosen one, else the patient's home or the first visible). */
  location: StaffLocation;
  types: AppointmentType[];
  date: string;
  /** What a calendar cell filled in (time, and the provider, nurse, or chair or room of its column). */
  values: Record<string, string>;
}

/**
 * The form to book any kind of appointment for a known patient. `refused` when showing it again after a refused
 * booking, with the location typed in: that booking has its own event already (one event per request).
 */
export async function patientBookFormFor(
  database: Database,
  actor: Actor,
  patient: Patient,
  where: { locationId: string; patientRef: string },
  refused?: { location: string | undefined },
  prefill?: BookPrefill,
): Promise<PatientBookFormData> {
  const locations = await visibleLocations(database.db, actor);
  const wanted = refused?.location ?? prefill?.location;
  if (prefill?.location !== undefined && !locations.some((l) => l.slug === wanted))
    throw new Refusal('invalid_request', 'Choose a location from the list.', {
      location: 'Choose a location from the list.',
    });
  const location =
    locations.find((l) => l.slug === wanted) ?? locations.find((l) => l.id === patient.location_id) ?? locations[0];
  if (!location) throw noLocation();
  const [types, choices] = await Promise.all([
    appointmentTypes(database.db),
    locationResources(database.db, location.id),
  ]);
  const values = prefillValues(choices, prefill);
  if (!refused) await auditAlone(database, actor, 'appointment.book_form', 'success', where);
  const date = addDays(today(actor.now, location.time_zone), 1);
  return { patient, locations, location, types, ...choices, date, values };
}

/** The patient booking form for the patient behind `rawId`, if this person may see them, filled in from a cell. */
export async function patientBookForm(
  database: Database,
  actor: Actor,
  rawId: unknown,
  prefill?: BookPrefill,
): Promise<PatientBookFormData> {
  const { patient, where } = await patientFor(database, actor, rawId, 'appointment.book_form');
  return patientBookFormFor(database, actor, patient, where, undefined, prefill);
}

/** The patient behind `rawId` for a booking, if this person may see them (else the plain 404). */
export function patientToBook(database: Database, actor: Actor, rawId: unknown) {
  return patientFor(database, actor, rawId, 'appointment.book');
}
