import { h, Fragment } from '../kernel/ui/jsx.ts';
import type { Location } from '../kernel/clinic.ts';
import { Layout } from '../kernel/ui/site-layout.tsx';
import { cutoffSpan, formatDateTime, formatDay, formatTime, untilCutoff, zoneName } from '../kernel/time/format.ts';
import type { Slot } from '../scheduling/slots.ts';
import type { CancelData, ManageData, ManageNotice, PickerData, PickerNotice, TakenData } from './service.ts';

const tel = (phone: string) => `tel:${phone.replace(/[^+\d]/g, '')}`;

type Notice = { kind: 'warning' | 'success'; text: string };

/** What just happened (after a redirect), or the state of the link. */
const NOTICES: Record<ManageNotice | Exclude<PickerNotice, 'paused'>, Notice> = {
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

const pickerNotice = (notice: PickerNotice, location: Location): Notice =>
  notice === 'paused'
    ? {
        kind: 'warning',
        text: `Online booking is paused at the moment. Please call ${location.name} at ${location.phone} and we will find a time with you.`,
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

/** Slots grouped by local day; each time is a submit button, so picking a time books it. */
export function SlotList(props: { slots: Slot[]; location: Location; action: string; verb: string }) {
  const zone = props.location.time_zone;
  const days = new Map<string, Slot[]>();
  for (const slot of props.slots) {
    const day = formatDay(slot.start, zone);
    const list = days.get(day);
    if (list) list.push(slot);
    else days.set(day, [slot]);
  }
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="location" value={props.location.slug} />
      <div class="slot-days">
        {[...days.entries()].map(([day, slots]) => (
          <section class="slot-day" aria-label={day}>
            <h3>{day}</h3>
            <ul class="slot-list">
              {slots.map((s) => (
                <li>
                  <button
                    class="slot-button"
                    type="submit"
                    name="slot"
                    value={String(s.start)}
                    aria-label={`${props.verb} ${day} at ${formatTime(s.start, zone)}`}
                  >
                    {formatTime(s.start, zone)}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </form>
  );
}

export function SlotPickerPage(p: PickerData) {
  const action = p.mode === 'book' ? p.base : `${p.base}/reschedule`;
  const title = p.mode === 'book' ? 'Choose your consultation time' : 'Choose a new time';
  return (
    <Layout title={title} clinic={p.clinic} hideCta>
      <div class="wrap">
        <h1>{title}</h1>
        <p class="lead">
          Hello {p.firstName}. Pick any open time below and it is booked for you at once. The consultation lasts about{' '}
          {p.durationMin} minutes.
        </p>
        {p.notice ? <NoticeBox notice={pickerNotice(p.notice, p.location)} /> : null}
        <h2>{p.location.name}</h2>
        <address>
          {p.location.address_line}, {p.location.city}, {p.location.region} {p.location.postal_code}
        </address>
        <ZoneNote location={p.location} now={p.now} />
        <p class="hint">
          You can reschedule or cancel online {untilCutoff(p.clinic.cancelCutoffMin)}; after that, please call us.
        </p>
        <LocationSwitch action={action} locations={p.locations} current={p.location} />
        {p.slots.length > 0 ? (
          <SlotList
            slots={p.slots}
            location={p.location}
            action={action}
            verb={p.mode === 'book' ? 'Book' : 'Move to'}
          />
        ) : (
          <div class="notice notice-warning">
            <p>
              There are no open consultation times at {p.location.name} in this period. Try later dates
              {p.locations.length > 1 ? ' or another location' : ''}, or call us at{' '}
              <a href={tel(p.location.phone)}>{p.location.phone}</a> and we will find a time with you.
            </p>
          </div>
        )}
        <nav class="pager" aria-label="More dates">
          {p.prev ? <a href={p.prev}>Earlier dates</a> : null}
          {p.next ? <a href={p.next}>Later dates</a> : null}
        </nav>
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
            slots={p.alternatives}
            location={p.location}
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
