import { h, Fragment } from '../kernel/ui/jsx.ts';
import type { Clinic, Location } from '../kernel/clinic.ts';
import { Layout } from '../kernel/ui/site-layout.tsx';
import {
  cutoffSpan,
  formatDate,
  formatDateTime,
  formatDay,
  formatTime,
  untilCutoff,
  zoneName,
} from '../kernel/time/format.ts';
import { addDays } from '../kernel/time/wall-clock.ts';
import type {
  CancelData,
  ManageData,
  ManageNotice,
  OfferedTime,
  PickerData,
  PickerDay,
  PickerNotice,
  TakenData,
  TooLateData,
} from './service.ts';

const tel = (phone: string) => `tel:${phone.replace(/[^+\d]/g, '')}`;

type Notice = { kind: 'warning' | 'success'; text: string };

/** What just happened (after a redirect), or the state of the link. */
const NOTICES: Record<ManageNotice | Exclude<PickerNotice, 'paused' | 'day-out-of-range'>, Notice> = {
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
  'earlier-cancelled': {
    kind: 'warning',
    text: 'Your earlier booking was cancelled. You can choose a new time below.',
  },
};

const pickerNotice = (notice: PickerNotice, location: Location, clinic: Clinic): Notice =>
  notice === 'paused'
    ? {
        kind: 'warning',
        text: `Online booking is paused at the moment. Please call ${location.name} at ${location.phone} and we will find a time with you.`,
      }
    : notice === 'day-out-of-range'
      ? {
          kind: 'warning',
          text: `That day cannot be booked online (online booking is open from today for the next ${clinic.bookingHorizonDays} days), so the first day with open times is shown.`,
        }
      : NOTICES[notice];

function NoticeBox(props: { notice: Notice }) {
  return (
    <div class={`notice notice-${props.notice.kind}`} role={props.notice.kind === 'success' ? 'status' : 'alert'}>
      <p>{props.notice.text}</p>
    </div>
  );
}

function ZoneNote(props: { location: Location; now: number }) {
  return (
    <p class="zone-note">
      All times are local time at {props.location.name}:{' '}
      <strong>{zoneName(props.location.time_zone, props.now)}</strong> ({props.location.time_zone}).
    </p>
  );
}

function LocationSwitch(props: { action: string; locations: Location[]; current: Location }) {
  if (props.locations.length < 2) return <Fragment />;
  return (
    <form class="location-switch" method="get" action={props.action}>
      <label for="switch-location">Location</label>
      <select id="switch-location" name="location">
        {props.locations.map((l) => (
          <option value={l.slug} selected={l.id === props.current.id}>
            {l.name} ({l.city}, {l.region})
          </option>
        ))}
      </select>
      <button class="button button-secondary button-small" type="submit">
        Show times
      </button>
    </form>
  );
}

/** One free time as a submit button, so picking it books it; a time inside the change cutoff says so in words. */
function TimeButton(props: { time: OfferedTime; day: string; zone: string; verb: string }) {
  const clock = formatTime(props.time.start, props.zone);
  const label = `${props.verb} ${props.day} at ${clock}`;
  return (
    <li>
      <button
        class={props.time.locked ? 'slot-button slot-locked' : 'slot-button'}
        type="submit"
        name="slot"
        value={String(props.time.start)}
        aria-label={props.time.locked ? `${label}, ${LOCKED}` : label}
      >
        {props.time.locked ? (
          <Fragment>
            <span class="slot-time">{clock}</span> <span class="slot-note">{LOCKED}</span>
          </Fragment>
        ) : (
          clock
        )}
      </button>
    </li>
  );
}

const LOCKED = "can't be changed online once booked";

/** Said before the times when some of them start inside the online change cutoff. */
function LockedHint(props: { times: OfferedTime[]; clinic: Clinic; location: Location }) {
  if (!props.times.some((t) => t.locked)) return <Fragment />;
  return (
    <p class="hint slot-locked-hint">
      Times marked &ldquo;{LOCKED}&rdquo; start less than {cutoffSpan(props.clinic.cancelCutoffMin)} from now, inside
      the time when online changes close. You can book one, but to move or cancel it you would call{' '}
      {props.location.name} at <a href={tel(props.location.phone)}>{props.location.phone}</a>.
    </p>
  );
}

/** Times grouped by local day (the "just taken" answer, whose nearest times may fall on several days). */
export function SlotList(props: {
  times: OfferedTime[];
  location: Location;
  clinic: Clinic;
  action: string;
  verb: string;
}) {
  const zone = props.location.time_zone;
  const days = new Map<string, OfferedTime[]>();
  for (const time of props.times) {
    const day = formatDay(time.start, zone);
    const list = days.get(day);
    if (list) list.push(time);
    else days.set(day, [time]);
  }
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="location" value={props.location.slug} />
      <div class="slot-days">
        {[...days.entries()].map(([day, times]) => (
          <section class="slot-day" aria-label={day}>
            <h3>{day}</h3>
            <ul class="slot-list">
              {times.map((t) => (
                <TimeButton time={t} day={day} zone={zone} verb={props.verb} />
              ))}
            </ul>
          </section>
        ))}
      </div>
      <LockedHint times={props.times} clinic={props.clinic} location={props.location} />
    </form>
  );
}

/**
 * A month of days: a grid on wide screens, a strip to swipe on phones (the same list, laid out by site.css). Days
 * with free times are links; the others are shown, as text. The chosen day carries aria-current.
 */
function DayChooser(p: { month: PickerDay[]; prevMonth?: string | undefined; nextMonth?: string | undefined }) {
  const first = p.month[0]!.date;
  const neighbour = (href: string | undefined, inMonth: string, rel: 'prev' | 'next') =>
    href ? (
      <a class={`month-step month-${rel}`} href={href}>
        {rel === 'prev' ? <span aria-hidden="true">&lsaquo;&nbsp;</span> : null}
        {formatDate(inMonth, 'monthName')}
        {rel === 'next' ? <span aria-hidden="true">&nbsp;&rsaquo;</span> : null}
      </a>
    ) : (
      <span class="month-step" />
    );
  return (
    <nav class="day-chooser" aria-labelledby="month-heading">
      <div class="month-bar">
        {neighbour(p.prevMonth, addDays(first, -1), 'prev')}
        <h2 id="month-heading">{formatDate(first, 'month')}</h2>
        {neighbour(p.nextMonth, addDays(p.month.at(-1)!.date, 1), 'next')}
      </div>
      <div class="day-grid-head" aria-hidden="true">
        {['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].map((d) => (
          <span>{d}</span>
        ))}
      </div>
      <ol class="day-grid">
        {p.month.map((d, i) => {
          // The week starts on Sunday, as on US calendars; the first date sits in its weekday's column.
          const column = i === 0 ? ` col-${(d.weekday % 7) + 1}` : '';
          const face = (
            <Fragment>
              <span class="day-dow">{formatDate(d.date, 'weekday')}</span>{' '}
              <span class="visually-hidden">{formatDate(d.date, 'monthName')} </span>
              <span class="day-num">{d.date.slice(8).replace(/^0/, '')}</span>
            </Fragment>
          );
          return (
            <li class={`day day-${d.state}${d.selected ? ' day-selected' : ''}${column}`}>
              {d.href ? (
                <a href={d.href} aria-current={d.selected ? 'date' : undefined}>
                  {face}
                </a>
              ) : (
                <span aria-current={d.selected ? 'date' : undefined}>
                  {face}
                  <span class="visually-hidden">
                    {d.state === 'full' ? ', no open times' : ', not open for online booking'}
                  </span>
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

export function SlotPickerPage(p: PickerData) {
  const action = p.mode === 'book' ? p.base : `${p.base}/reschedule`;
  const title = p.mode === 'book' ? 'Choose your consultation time' : 'Choose a new time';
  const zone = p.location.time_zone;
  const dayName = formatDate(p.day);
  const verb = p.mode === 'book' ? 'Book' : 'Move to';
  return (
    <Layout title={title} clinic={p.clinic} hideCta script="booking.js">
      <div class="wrap">
        <h1>{title}</h1>
        <p class="lead picker-lead">
          Hello {p.firstName}. Pick a day, then a time at {p.location.name}: it is booked for you at once. The
          consultation lasts about {p.durationMin} minutes.
        </p>
        {p.notice ? <NoticeBox notice={pickerNotice(p.notice, p.location, p.clinic)} /> : null}
        {p.anyTimes ? (
          <div class="picker">
            <DayChooser month={p.month} prevMonth={p.prevMonth} nextMonth={p.nextMonth} />
            <section class="day-times" aria-labelledby="day-heading">
              <h2 id="day-heading">{dayName}</h2>
              <p class="day-zone">
                Times in {zoneName(zone, p.now)} ({zone})
              </p>
              {p.times.length > 0 ? (
                <form method="post" action={action}>
                  <input type="hidden" name="location" value={p.location.slug} />
                  <ul class="slot-list">
                    {p.times.map((t) => (
                      <TimeButton time={t} day={dayName} zone={zone} verb={verb} />
                    ))}
                  </ul>
                  <LockedHint times={p.times} clinic={p.clinic} location={p.location} />
                </form>
              ) : (
                <p>There are no open times on this day. Days with open times are links in the calendar.</p>
              )}
            </section>
          </div>
        ) : (
          <div class="notice notice-warning">
            <p>
              There are no open consultation times at {p.location.name} in the coming{' '}
              {Math.round(p.clinic.bookingHorizonDays / 7)} weeks. Try{' '}
              {p.locations.length > 1 ? 'another location, ' : ''}
              the waitlist below, or call us at <a href={tel(p.location.phone)}>{p.location.phone}</a> and we will find
              a time with you.
            </p>
          </div>
        )}
        <section class="picker-place" aria-labelledby="place-heading">
          <h2 id="place-heading">{p.location.name}</h2>
          <address>
            {p.location.address_line}, {p.location.city}, {p.location.region} {p.location.postal_code}
          </address>
          <ZoneNote location={p.location} now={p.now} />
          <p class="hint">
            You can reschedule or cancel online {untilCutoff(p.clinic.cancelCutoffMin)}; after that, please call{' '}
            <a href={tel(p.location.phone)}>{p.location.phone}</a>.
          </p>
          <LocationSwitch action={action} locations={p.locations} current={p.location} />
        </section>
        {p.mode === 'book' && p.waitlistJoined !== undefined ? (
          <WaitlistBlock base={p.base} location={p.location} joined={p.waitlistJoined} />
        ) : null}
      </div>
    </Layout>
  );
}

/** The waitlist block at the foot of the booking page. */
export function WaitlistBlock(p: { base: string; location: Location; joined: boolean }) {
  return (
    <section class="card" aria-labelledby="waitlist-heading">
      <h2 id="waitlist-heading">None of these times work?</h2>
      {p.joined ? (
        <form method="post" action={`${p.base}/waitlist/leave`}>
          <p>
            You are on the waitlist for {p.location.name}. When a time opens up, we email you; the first to accept gets
            it.
          </p>
          <button class="button button-secondary button-small" type="submit">
            Leave the waitlist
          </button>
        </form>
      ) : (
        <form method="post" action={`${p.base}/waitlist`}>
          <input type="hidden" name="location" value={p.location.slug} />
          <p>
            Join the waitlist for {p.location.name}. When a time opens up, we email you and a few others who are
            waiting; the first to accept it gets it.
          </p>
          <button class="button button-secondary button-small" type="submit">
            Join the waitlist
          </button>
        </form>
      )}
    </section>
  );
}

export function ManagePage(p: ManageData) {
  const zone = p.location.time_zone;
  return (
    <Layout title="Your consultation" clinic={p.clinic} hideCta>
      <div class="wrap narrow">
        {p.notice ? <NoticeBox notice={NOTICES[p.notice]} /> : null}
        <h1>Your consultation</h1>
        <dl class="summary-list">
          <dt>When</dt>
          <dd>{formatDateTime(p.appointment.starts_at, zone)}</dd>
          <dt>Time zone</dt>
          <dd>{zoneName(zone, p.appointment.starts_at)}</dd>
          <dt>Where</dt>
          <dd>
            {p.location.name}
            <br />
            {p.location.address_line}, {p.location.city}, {p.location.region} {p.location.postal_code}
            <br />
            <a href={p.location.directions_url}>Directions</a>
          </dd>
          <dt>Phone</dt>
          <dd>
            <a href={tel(p.location.phone)}>{p.location.phone}</a>
          </dd>
        </dl>
        <p>
          <a class="button button-secondary" href={`${p.base}/appointment.ics`}>
            Add to my calendar (.ics)
          </a>
        </p>
        <h2>What to expect</h2>
        <ul>
          <li>
            Please arrive 10 minutes early. Bring a photo ID, your insurance card if you have one, and a list of your
            medicines.
          </li>
          <li>Bring any records about your pain diagnosis and past treatments that you have at hand.</li>
          <li>
            A physician will talk with you about your pain and history and whether infusion therapy may suit you. No
            infusion is given at this visit.
          </li>
        </ul>
        <h2>Need to change plans?</h2>
        {p.canChange ? (
          <Fragment>
            <p>You can change or cancel online {untilCutoff(p.clinic.cancelCutoffMin)}.</p>
            <p class="actions">
              <a class="button button-secondary" href={`${p.base}/reschedule`}>
                Choose another time
              </a>{' '}
              <a class="button button-secondary" href={`${p.base}/cancel`}>
                Cancel this consultation
              </a>
            </p>
          </Fragment>
        ) : (
          <p>
            Your visit is less than {cutoffSpan(p.clinic.cancelCutoffMin)} away, so it can no longer be changed online.
            Please call <a href={tel(p.location.phone)}>{p.location.phone}</a>.
          </p>
        )}
      </div>
    </Layout>
  );
}

export function CancelConfirmPage(p: CancelData) {
  return (
    <Layout title="Cancel your consultation" clinic={p.clinic} hideCta>
      <div class="wrap narrow">
        <h1>Cancel your consultation?</h1>
        <p class="lead">
          {formatDateTime(p.appointment.starts_at, p.location.time_zone)} at {p.location.name}.
        </p>
        <p>The time is released for someone else straight away. You can book a new time later with the same link.</p>
        <form method="post" action={`${p.base}/cancel`}>
          <button class="button" type="submit">
            Yes, cancel it
          </button>{' '}
          <a href={p.base}>No, keep my consultation</a>
        </form>
      </div>
    </Layout>
  );
}

export function TakenPage(p: TakenData) {
  const action = p.mode === 'book' ? p.base : `${p.base}/reschedule`;
  return (
    <Layout title="That time was just taken" clinic={p.clinic} hideCta>
      <div class="wrap">
        <h1>That time was just taken</h1>
        <p class="lead">Someone booked it a moment before you.</p>
        <h2>Nearest open times at {p.location.name}</h2>
        <ZoneNote location={p.location} now={p.now} />
        {p.alternatives.length > 0 ? (
          <SlotList
            times={p.alternatives}
            location={p.location}
            clinic={p.clinic}
            action={action}
            verb={p.mode === 'book' ? 'Book' : 'Move to'}
          />
        ) : (
          <p>There are no other open times nearby.</p>
        )}
        <p>
          <a href={p.mode === 'book' ? p.base : `${p.base}/reschedule`}>See all open times</a>
        </p>
      </div>
    </Layout>
  );
}

/** A visit inside the online change cutoff: why it cannot be changed here, and its own location's number. */
export function TooLatePage(p: TooLateData) {
  const span = cutoffSpan(p.clinic.cancelCutoffMin);
  return (
    <Layout title="Too close to change online" clinic={p.clinic} hideCta>
      <div class="wrap narrow">
        <h1>Too close to change online</h1>
        <p class="lead">
          Your consultation is on {formatDateTime(p.appointment.starts_at, p.location.time_zone)} at {p.location.name},
          less than {span} from now.
        </p>
        <p>
          Online changes close {span} before a visit. Closer to the day, the team at {p.location.name} makes any change
          with you by phone.
        </p>
        <p class="call-line">
          To move or cancel this consultation, please call {p.location.name} at{' '}
          <a href={tel(p.location.phone)}>{p.location.phone}</a>.
        </p>
        <p>
          <a href={p.base}>See your consultation</a>
        </p>
      </div>
    </Layout>
  );
}
