import { findLocation, listLocations, type Clinic, type Location } from '../kernel/clinic.ts';
import { badRequest } from '../kernel/refusal.ts';
import { availability, beforeCutoff, changeableAt } from '../scheduling/booking-service.ts';
import { patientVisitsBetween, type Appointment } from '../scheduling/repository.ts';
import type { Slot } from '../scheduling/slots.ts';
import { patientOfRequest } from '../patients/service.ts';
import { waitingEntriesFor } from '../waitlist/service.ts';
import { bookingContext, viewed, type LinkContext, type LinkDeps, type LinkProblem } from './link.ts';
import type { PickerQuery } from './schema.ts';
import { chooseDay, type ChooserDay } from './day-chooser.ts';

const DAY = 24 * 3_600_000;

export const UNKNOWN_LOCATION = 'That location could not be found. Please choose one from the list.';

/** What a booking page says at its top: what just happened, or the state of the link or of online booking. */
export type PickerNotice =
  'cancelled' | 'waitlisted' | 'left-waitlist' | 'earlier-cancelled' | 'paused' | 'day-out-of-range';
export type ManageNotice = 'booked' | 'moved';

/** A free time as offered: `locked` when it starts inside the online change cutoff. */
export interface OfferedTime {
  start: number;
  locked: boolean;
}

/** A date of the day chooser; `href` opens it (days with free times only). */
export interface PickerDay extends ChooserDay {
  href?: string | undefined;
  selected: boolean;
}

/** The times to choose from, to book or to move to: a month of days, and the chosen day's times. */
export interface PickerData {
  clinic: Clinic;
  location: Location;
  locations: Location[];
  /** The chosen day ('YYYY-MM-DD' in the location's zone) and its free times. */
  day: string;
  times: OfferedTime[];
  /** Every date of the chosen day's month, and links to the neighbouring months. */
  month: PickerDay[];
  prevMonth?: string | undefined;
  nextMonth?: string | undefined;
  /** Whether any day up to the booking horizon has a free time. */
  anyTimes: boolean;
  now: number;
  /** Base path of the booking link, e.g. /book/<token>. */
  base: string;
  mode: 'book' | 'reschedule';
  firstName: string;
  notice?: PickerNotice | undefined;
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
  alternatives: OfferedTime[];
  base: string;
  mode: 'book' | 'reschedule';
  now: number;
}

/** A visit inside the online change cutoff: why it cannot be changed here, and its location's number to call. */
export interface TooLateData {
  clinic: Clinic;
  location: Location;
  appointment: Appointment;
  base: string;
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
  | { page: 'taken'; data: TakenData }
  | { page: 'too-late'; data: TooLateData };

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
  const horizonEnd = ctx.now + link.clinic.bookingHorizonDays * DAY;
  // An administrator can take consultations off online booking (clinic set-up): then no times, and a way to call.
  const online = ctx.type.online_bookable === 1;
  // The whole booking window at once: the chooser marks every day with a free time, not only the one shown.
  const offered = online ? await availability(ctx, ctx.now, horizonEnd, link.appointment?.id) : [];
  // Not the times when this person is already at another visit (say an infusion the clinic booked for them).
  const person = offered.length ? await patientOfRequest(db, link.request) : undefined;
  const own = person
    ? await patientVisitsBetween(db, person, offered[0]!.start, offered.at(-1)!.end, link.appointment?.id)
    : [];
  const free = own.length
    ? offered.filter((x) => !own.some((v) => v.starts_at < x.end && x.start < v.ends_at))
    : offered;
  const times = free.map((x) => offeredTime(link.clinic, x, ctx.now));
  const choice = chooseDay(times, ctx.location.time_zone, ctx.now, horizonEnd, query.day);
  if (!online) notice = 'paused';
  else if (choice.outOfRange) notice = 'day-out-of-range';
  const path = mode === 'book' ? link.base : `${link.base}/reschedule`;
  const dayUrl = (day: string) => `${path}?${new URLSearchParams({ location: ctx.location.slug, day }).toString()}`;
  const [locations, waiting] = await Promise.all([
    listLocations(db),
    mode === 'book' ? waitingEntriesFor(db, link.request.id) : [],
  ]);
  await viewed(deps, link, mode, mode === 'reschedule' ? link.appointment : undefined);
  return {
    clinic: link.clinic,
    location: ctx.location,
    locations,
    day: choice.selected,
    times: choice.times,
    month: choice.month.map((d) => ({
      ...d,
      href: d.state === 'open' ? dayUrl(d.date) : undefined,
      selected: d.date === choice.selected,
    })),
    prevMonth: choice.prevMonth ? dayUrl(choice.prevMonth) : undefined,
    nextMonth: choice.nextMonth ? dayUrl(choice.nextMonth) : undefined,
    anyTimes: times.length > 0,
    now: ctx.now,
    base: link.base,
    mode,
    firstName: link.request.first_name,
    notice,
    durationMin: ctx.type.duration_min,
    waitlistJoined: mode === 'book' ? waiting.some((w) => w.location_id === ctx.location.id) : undefined,
  };
}

/** A free time as the picker offers it, marked when booking it would leave it too close to change online. */
export const offeredTime = (clinic: Clinic, slot: Slot, now: number): OfferedTime => ({
  start: slot.start,
  locked: !changeableAt(clinic, slot.start, now),
});

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

/** The answer to moving or cancelling a visit inside the online cutoff (the refusal is audited by the caller). */
export async function tooLatePage(deps: LinkDeps, link: LinkContext, appt: Appointment): Promise<LinkPage> {
  const location = await findLocation(deps.database.db, appt.location_id);
  if (!location) throw new Error('appointment location missing');
  return { page: 'too-late', data: { clinic: link.clinic, location, appointment: appt, base: link.base } };
}
