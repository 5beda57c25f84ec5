import { h, Fragment } from '../kernel/ui/jsx.ts';
import { timeRange, zoned } from '../kernel/time/format.ts';
import { exactWallInstant } from '../kernel/time/wall-clock.ts';
import type { StaffLocation } from '../patients/service.ts';
import { StaffLayout } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { CalendarAppointment, CalendarColumn } from './repository.ts';
import type { CalendarDay, CalendarWeek } from './read-service.ts';
import { SCHEDULING_ROLES } from '../kernel/http/policy.ts';
import { ATTENDANCE_LABELS, TYPE_KIND_LABELS } from '../kernel/ui/labels.ts';
import type { Row } from '../kernel/time/day-rows.ts';

export interface CalendarPageProps {
  staff: StaffContext;
  locations: StaffLocation[];
  location: StaffLocation;
  view: 'day' | 'week';
  date: string;
  showCancelled: boolean;
  /** Links for the same view with another date, view or toggle. */
  href: (change: { date?: string; view?: 'day' | 'week'; cancelled?: 'show' | 'hide' }) => string;
  prev: string;
  next: string;
  today: string;
  day?: CalendarDay;
  week?: CalendarWeek;
  /** The request's instant: free cells before it are not offered for booking. */
  now: number;
}

/** A CSS class per kind of appointment (colours in site.css), so a clinic's own types look like their kind. */
export const typeClass = (kind: string) => `appt-type-${kind.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

/** "Arrived", "No-show", "Cancelled", or "" while simply booked. */
export function stateText(a: { status: string; attendance: string | null }): string {
  if (a.status === 'cancelled') return 'Cancelled';
  return a.attendance ? ATTENDANCE_LABELS[a.attendance as keyof typeof ATTENDANCE_LABELS] : '';
}

const stateClass = (a: CalendarAppointment) =>
  a.status === 'cancelled'
    ? 'appt-cancelled'
    : a.attendance === 'arrived'
      ? 'appt-arrived'
      : a.attendance === 'no_show'
        ? 'appt-no-show'
        : 'appt-booked';

const who = (a: { first_name: string | null; last_name: string | null }) =>
  a.first_name
    ? `${a.first_name} ${a.last_name ? `${[...a.last_name][0]!.toUpperCase()}.` : ''}`.trim()
    : 'No patient name';

/** The full text of an appointment: time, type, patient (first name and last initial), and its state. */
export function ApptLink(props: { a: CalendarAppointment; zone: string; withProvider?: boolean }) {
  const { a, zone } = props;
  const state = stateText(a);
  return (
    <a class={`appt ${typeClass(a.type_kind)} ${stateClass(a)}`} href={`/staff/calendar/appointments/${a.id}`}>
      <span class="appt-time">{timeRange(a.starts_at, a.ends_at, zone)}</span>{' '}
      <span class="appt-type">{a.type_name}</span> <span class="appt-who">{who(a)}</span>
      {props.withProvider && (a.provider_name ?? a.nurse_name) ? (
        <span class="appt-provider"> with {a.provider_name ?? a.nurse_name}</span>
      ) : null}
      {state ? <strong class="appt-state"> ({state})</strong> : null}
    </a>
  );
}

function Toolbar(props: CalendarPageProps) {
  const unit = props.view === 'day' ? 'day' : 'week';
  return (
    <Fragment>
      <form class="form filters" method="get" action="/staff/calendar" aria-label="Choose what the calendar shows">
        <div class="field">
          <label for="location">Location</label>
          <select id="location" name="location">
            {props.locations.map((l) => (
              <option value={l.slug} selected={l.id === props.location.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="view">View</label>
          <select id="view" name="view">
            <option value="day" selected={props.view === 'day'}>
              Day
            </option>
            <option value="week" selected={props.view === 'week'}>
              Week
            </option>
          </select>
        </div>
        <div class="field">
          <label for="date">Date</label>
          <input id="date" name="date" type="date" value={props.date} />
        </div>
        {props.showCancelled ? <input type="hidden" name="cancelled" value="show" /> : null}
        <button class="button" type="submit">
          Show
        </button>
      </form>
      <nav aria-label="Calendar dates">
        <ul class="cal-nav">
          <li>
            <a href={props.prev} rel="prev">
              Previous {unit}
            </a>
          </li>
          <li>
            <a href={props.today}>Today</a>
          </li>
          <li>
            <a href={props.next} rel="next">
              Next {unit}
            </a>
          </li>
          <li>
            <a href={props.href({ cancelled: props.showCancelled ? 'hide' : 'show' })}>
              {props.showCancelled ? 'Hide cancelled appointments' : 'Show cancelled appointments'}
            </a>
          </li>
          {SCHEDULING_ROLES.includes(props.staff.role) ? (
            <li>
              <a href={`/staff/calendar/book?location=${encodeURIComponent(props.location.slug)}`}>
                Book a consultation for a request
              </a>
            </li>
          ) : null}
        </ul>
      </nav>
    </Fragment>
  );
}

/** Appointments per column, each at the row it starts in; later rows it covers are shaded only. */
function placeByColumn(
  rows: Row[],
  appointments: CalendarAppointment[],
  key: (a: CalendarAppointment) => string | null,
) {
  const starts = new Map<string, CalendarAppointment[]>(); // `${column}|${row}`
  const covered = new Map<string, string>(); // `${column}|${row}` -> type class
  for (const a of appointments) {
    const column = key(a);
    if (column === null) continue;
    let first = rows.findIndex((r) => a.starts_at < r.end);
    if (first < 0) first = rows.length - 1;
    const k = `${column}|${first}`;
    starts.set(k, [...(starts.get(k) ?? []), a]);
    if (a.status !== 'booked') continue;
    for (let i = first + 1; i < rows.length && rows[i]!.start < a.ends_at; i++)
      covered.set(`${column}|${i}`, typeClass(a.type_kind));
  }
  return { starts, covered };
}

/** The query a free cell links to the booking form with: its location, wall-clock time, and its column. */
function cellBooking(slug: string, zone: string, start: number, column: CalendarColumn): string | undefined {
  const local = zoned(start, zone);
  const date = local.toISODate()!;
  const time = local.toFormat('HH:mm');
  // The repeated hour of a fall-back night has no words of its own: its cells are not offered.
  if (exactWallInstant(zone, date, time) !== start) return undefined;
  const field = column.kind === 'chair' ? 'room' : column.kind;
  return `/staff/calendar/book?${new URLSearchParams({ location: slug, date, time, [field]: column.id }).toString()}`;
}

interface DayGridProps {
  zone: string;
  slug: string;
  date: string;
  day: NonNullable<CalendarPageProps['day']>;
  /** Free cells link to the booking form when this person books, from this instant on. */
  bookFrom: number | undefined;
}

function DayGrid(props: DayGridProps) {
  const { rows, providers, nurses, rooms, appointments } = props.day;
  if (rows.length === 0)
    return (
      <p role="status">
        {props.day.closure
          ? `Closed: ${props.day.closure}.`
          : 'The location is closed on this day and nothing is booked.'}
      </p>
    );
  const byProvider = placeByColumn(rows, appointments, (a) => a.provider_id);
  const byNurse = placeByColumn(rows, appointments, (a) => a.nurse_id);
  const byRoom = placeByColumn(rows, appointments, (a) => a.room_id);
  const cell = (column: CalendarColumn, i: number, placed: ReturnType<typeof placeByColumn>) => {
    const here = placed.starts.get(`${column.id}|${i}`);
    const shade = placed.covered.get(`${column.id}|${i}`);
    if (here)
      return (
        <td>
          {here.map((a) => (
            <ApptLink a={a} zone={props.zone} />
          ))}
        </td>
      );
    if (shade) return <td class={`cal-cont ${shade}`}></td>;
    const row = rows[i]!;
    // Only free cells within opening hours and still ahead are offered, so the grid's tab stops stay few.
    const href =
      props.bookFrom !== undefined && !row.closed && row.start >= props.bookFrom
        ? cellBooking(props.slug, props.zone, row.start, column)
        : undefined;
    return (
      <td>
        {href ? (
          <a class="cal-free" href={href}>
            <span class="visually-hidden">
              Book {row.label} with {column.name}
            </span>
            <span aria-hidden="true">+</span>
          </a>
        ) : null}
      </td>
    );
  };
  const heading = zoned(rows[0]!.start, props.zone).toFormat('cccc, LLLL d, yyyy');
  return (
    <Fragment>
      <Legend bookable={props.bookFrom !== undefined} />
      {props.bookFrom !== undefined ? (
        <a class="skip-grid" href="#cal-after">
          Skip past the day’s grid
        </a>
      ) : null}
      <div class="table-scroll cal-scroll" role="region" aria-labelledby="cal-caption" tabindex="0">
        <table class="cal-grid">
          <caption id="cal-caption">
            {heading}: appointments by provider, nurse and chair or room, every 15 minutes ({props.zone})
          </caption>
          <colgroup span="1" />
          {providers.length ? <colgroup span={String(providers.length)} class="cal-providers" /> : null}
          {nurses.length ? <colgroup span={String(nurses.length)} class="cal-nurses" /> : null}
          {rooms.length ? <colgroup span={String(rooms.length)} class="cal-rooms" /> : null}
          <thead>
            <tr>
              <td class="cal-corner"></td>
              {providers.length ? (
                <th scope="colgroup" colspan={String(providers.length)}>
                  Providers
                </th>
              ) : null}
              {nurses.length ? (
                <th scope="colgroup" colspan={String(nurses.length)}>
                  Nurses
                </th>
              ) : null}
              {rooms.length ? (
                <th scope="colgroup" colspan={String(rooms.length)}>
                  Chairs and rooms
                </th>
              ) : null}
            </tr>
            <tr>
              <th scope="col" class="cal-corner">
                Time
              </th>
              {providers.map((p) => (
                <th scope="col">{p.name}</th>
              ))}
              {nurses.map((n) => (
                <th scope="col">{n.name}</th>
              ))}
              {rooms.map((r) => (
                <th scope="col">{r.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr class={row.closed ? 'cal-closed' : undefined}>
                <th scope="row">
                  <time datetime={new Date(row.start).toISOString()}>{row.label}</time>
                  {row.closed ? <span class="visually-hidden"> (outside opening hours)</span> : null}
                </th>
                {providers.map((p) => cell(p, i, byProvider))}
                {nurses.map((n) => cell(n, i, byNurse))}
                {rooms.map((r) => cell(r, i, byRoom))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p id="cal-after" class="hint" tabindex="-1">
        End of the day’s grid.
      </p>
    </Fragment>
  );
}

/** What each colour and pattern of the day's grid means, in words beside a sample of it (never colour alone). */
function Legend(props: { bookable: boolean }) {
  // Colours follow a type's kind, so the key names kinds (a clinic's own types take their kind's colour).
  const types = Object.entries(TYPE_KIND_LABELS);
  const item = (swatch: string, text: string, mark = '') => (
    <li>
      <span class={`cal-swatch ${swatch}`} aria-hidden="true">
        {mark}
      </span>{' '}
      {text}
    </li>
  );
  return (
    <section class="cal-legend" aria-labelledby="cal-legend-heading">
      <h2 id="cal-legend-heading" class="visually-hidden">
        Key to the grid
      </h2>
      <ul>
        {types.map(([kind, name]) => item(`appt ${typeClass(kind)}`, name))}
        {item('appt appt-arrived', 'Arrived (green outline, “Arrived”)')}
        {item('appt appt-no-show', 'No-show (red dashed outline, “No-show”)')}
        {item('appt appt-cancelled', 'Cancelled (struck through, “Cancelled”)')}
        {item('cal-swatch-cont appt-type-infusion', 'Rest of a visit’s time')}
        {item('cal-swatch-closed', 'Outside opening hours')}
        {props.bookable ? item('cal-swatch-free', 'Free: select to book', '+') : null}
      </ul>
    </section>
  );
}

/** A day's appointments under the clinician who leads each (provider, else nurse); empty groups left out. */
function groupByClinician(d: NonNullable<CalendarPageProps['week']>['days'][number]) {
  const lead = (a: CalendarAppointment) => a.provider_id ?? a.nurse_id;
  const groups: Array<{ column: CalendarColumn | null; appointments: CalendarAppointment[] }> = d.clinicians.map(
    (column) => ({ column, appointments: d.appointments.filter((a) => lead(a) === column.id) }),
  );
  groups.push({ column: null, appointments: d.appointments.filter((a) => lead(a) === null) });
  return groups.filter((g) => g.appointments.length > 0);
}

function WeekList(props: {
  zone: string;
  week: NonNullable<CalendarPageProps['week']>;
  href: CalendarPageProps['href'];
}) {
  return (
    <ol class="cal-week">
      {props.week.days.map((d) => {
        const label = zoned(Date.parse(`${d.date}T12:00:00Z`), 'UTC').toFormat('cccc, LLLL d');
        return (
          <li class="cal-day">
            <h2>
              <a href={props.href({ date: d.date, view: 'day' })}>{label}</a>
            </h2>
            {d.closure ? <p>Closed: {d.closure}.</p> : null}
            {d.appointments.length === 0 ? <p class="hint">No appointments.</p> : null}
            {groupByClinician(d).map(({ column, appointments }) => (
              <Fragment>
                <h3>{column ? column.name : 'Chair or room only'}</h3>
                <ul class="cal-list">
                  {appointments.map((a) => (
                    <li>
                      <ApptLink a={a} zone={props.zone} />
                    </li>
                  ))}
                </ul>
              </Fragment>
            ))}
          </li>
        );
      })}
    </ol>
  );
}

export function CalendarPage(props: CalendarPageProps) {
  const zone = props.location.time_zone;
  return StaffLayout({
    title: `Calendar · ${props.location.name}`,
    staff: props.staff,
    path: '/staff/calendar',
    children: (
      <Fragment>
        <h1>Calendar: {props.location.name}</h1>
        <Toolbar {...props} />
        <p class="hint">
          Times are {props.location.name} local time. Open an appointment to mark arrival or a no-show, move or cancel
          it. Double booking is not possible: a time is refused when the provider, nurse, chair or room is already busy,
          and there is no override in this release.
        </p>
        {props.day ? (
          <DayGrid
            zone={zone}
            slug={props.location.slug}
            date={props.date}
            day={props.day}
            bookFrom={SCHEDULING_ROLES.includes(props.staff.role) ? props.now : undefined}
          />
        ) : null}
        {props.week ? <WeekList zone={zone} week={props.week} href={props.href} /> : null}
      </Fragment>
    ),
  });
}
