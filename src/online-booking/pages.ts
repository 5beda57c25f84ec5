import { DateTime } from 'luxon';
import { findLocation, listLocations, type Clinic, type Location } from '../kernel/clinic.ts';
import { badRequest } from '../kernel/refusal.ts';
import { availability, beforeCutoff } from '../scheduling/booking-service.ts';
import { patientVisitsBetween, type Appointment } from '../scheduling/repository.ts';
import type { Slot } from '../scheduling/slots.ts';
import { patientOfRequest } from '../patients/service.ts';
import { waitingEntriesFor } from '../waitlist/service.ts';
import { bookingContext, viewed, type LinkContext, type LinkDeps, type LinkProblem } from './link.ts';
import type { PickerQuery } from './schema.ts';

const DAY = 24 * 3_600_000;
const PAGE_DAYS = 14;

export const UNKNOWN_LOCATION = 'That location could not be found. Please choose one from the list.';

/** What a booking page says at its top: what just happened, or the state of the link or of online booking. */
export type PickerNotice = 'cancelled' | 'waitlisted' | 'left-waitlist' | 'earlier-cancelled' | 'paused';
export type ManageNotice = 'booked' | 'moved';

/** The times to choose from, to book or to move to. */
export interface PickerData {
  clinic: Clinic;
  location: Location;
  locations: Location[];
  slots: Slot[];
  now: number;
  /** Base path of the booking link, e.g. /book/<token>. */
  base: string;
  mode: 'book' | 'reschedule';
  firstName: string;
  notice?: PickerNotice | undefined;
  prev?: string | undefined;
  next?: string | undefined;
  durationMin: number;
  /** Whether this request is on the waitlist at this location (booking mode only). */
  waitlistJoined?: boolean | undefined;
}

/** The booked visit, and whether it may still be changed online. */
export interface ManageData {
  clinic: Clinic;
  location: Location;
  appointment: Appointment;
  base: string;
  now: number;
  canChange: boolean;
  firstName: string;
  notice?: ManageNotice | undefined;
}

/** "That time was just taken", with the nearest others. */
export interface TakenData {
  clinic: Clinic;
  location: Location;
  alternatives: Slot[];
  base: string;
  mode: 'book' | 'reschedule';
  now: number;
}

export interface CancelData {
  clinic: Clinic;
  location: Location;
  appointment: Appointment;
  base: string;
}

/** What a booking link answers: a page of its own, or a redirect to another. */
export type LinkPage =
  | LinkProblem
  | { page: 'redirect'; to: string }
  | { page: 'picker'; data: PickerData }
  | { page: 'manage'; data: ManageData }
  | { page: 'cancel'; data: CancelData }
  | { page: 'taken'; data: TakenData };

export const problem = (opened: LinkContext | LinkProblem): opened is LinkProblem => 'page' in opened;
export const redirect = (to: string): LinkPage => ({ page: 'redirect', to });

/** The picker of a link, recorded as viewed. */
export async function pickerPage(
  deps: LinkDeps,
  link: LinkContext,
  mode: 'book' | 'reschedule',
  query: PickerQuery,
  notice?: PickerNotice,
): Promise<PickerData> {
  const { database } = deps;
  const db = database.db;
  const ctx = await bookingContext(
    deps,
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
  if (!online) notice = 'paused';
  const path = mode === 'book' ? link.base : `${link.base}/reschedule`;
  const pageUrl = (d: DateTime) =>
    `${path}?${new URLSearchParams({ location: ctx.location.slug, from: d.toISODate()! }).toString()}`;
  const [locations, waiting] = await Promise.all([
    listLocations(db),
    mode === 'book' ? waitingEntriesFor(db, link.request.id) : [],
  ]);
  await viewed(deps, link, mode, mode === 'reschedule' ? link.appointment : undefined);
  return {
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
  };
}

/** The booked visit's page of a link, recorded as viewed. */
export async function managePage(
  deps: LinkDeps,
  link: LinkContext,
  appt: Appointment,
  notice?: ManageNotice,
): Promise<ManageData> {
  const location = await findLocation(deps.database.db, appt.location_id);
  if (!location) throw new Error('appointment location missing');
  await viewed(deps, link, 'manage', appt);
  return {
    clinic: link.clinic,
    location,
    appointment: appt,
    base: link.base,
    now: deps.now(),
    canChange: beforeCutoff(link.clinic, appt, deps.now()),
    firstName: link.request.first_name,
    notice,
  };
}
