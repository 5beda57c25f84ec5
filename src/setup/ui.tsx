import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import { formatDateTime, WEEKDAYS } from '../kernel/time/format.ts';
import { StaffLayout } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { REASON_TEXT } from './conflicts.ts';
import { dayKey, WEEKDAY_NUMBERS, type Errors, type Values, type WeekWords } from './forms.ts';
import type { ConflictRow } from './impact.ts';
import { ErrorSummary, FieldError, invalid, Saved } from '../kernel/ui/form.tsx';

export { Check, ErrorSummary, FieldError, Input, invalid, Saved, Select } from '../kernel/ui/form.tsx';

/**
 * The frame of every set-up page: staff layout, a way back, the heading, then what the last action left to say: saved,
 * the bookings a change now conflicts with, the form's errors.
 */
export function SetupFrame(props: {
  staff: StaffContext;
  title: string;
  back?: { href: string; label: string };
  saved?: string | undefined;
  conflicts?: ConflictRow[] | undefined;
  errors?: Errors;
  children?: Child;
}) {
  return StaffLayout({
    title: props.title,
    staff: props.staff,
    path: '/staff/setup',
    children: (
      <Fragment>
        <p class="setup-back">
          <a href={props.back?.href ?? '/staff/setup'}>← {props.back?.label ?? 'Clinic set-up'}</a>
        </p>
        <h1>{props.title}</h1>
        <Saved message={props.saved} />
        <ConflictList conflicts={props.conflicts} />
        <ErrorSummary errors={props.errors ?? {}} />
        {props.children}
      </Fragment>
    ),
  });
}

/**
 * After a change that can leave booked visits outside the new set-up: who to contact. Nothing is cancelled;
 * staff decide with each person. `undefined` shows nothing (not a result page).
 */
export function ConflictList(props: { conflicts: ConflictRow[] | undefined }) {
  const { conflicts } = props;
  if (!conflicts) return null;
  if (conflicts.length === 0) {
    return (
      <div class="notice" role="status">
        <p>No booked visits are affected by this change.</p>
      </div>
    );
  }
  return (
    <section class="notice notice-warning conflicts" aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">These bookings now conflict — please contact these people</h2>
      <p>They are still booked: nothing was cancelled. Move or cancel each one with the person.</p>
      <ul>
        {conflicts.map((c) => (
          <li>
            <time datetime={new Date(c.startsAt).toISOString()}>{formatDateTime(c.startsAt, c.zone)}</time>
            {' — '}
            {c.requestId ? (
              <a href={`/staff/leads/${c.requestId}`}>{c.firstName ?? 'Consultation request'}</a>
            ) : (
              <a href={`/staff/calendar/appointments/${c.id}`}>{c.firstName ?? 'Booking'}</a>
            )}
            {`, ${withWhom(c)}at ${c.locationName}: `}
            {c.reasons.map((r) => REASON_TEXT[r]).join('; ')}.
          </li>
        ))}
      </ul>
    </section>
  );
}

const withWhom = (c: ConflictRow) => {
  const names = [c.providerName, c.nurseName].filter((n): n is string => n !== null);
  const supervised = c.supervisorName ? `supervised by ${c.supervisorName} ` : '';
  return (names.length ? `with ${names.join(' and ')}${supervised ? ', ' : ' '}` : '') + supervised;
};

/** One week of hours as a table: per day an "off" checkbox and from–to times, each day with its own message. */
export function WeekTable(props: {
  prefix: string;
  caption: string;
  values: Values;
  errors: Errors;
  words: WeekWords;
}) {
  const { prefix, values, errors, words } = props;
  return (
    <div class="table-scroll">
      <table class="hours-table week-form">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">{words.off}</th>
            <th scope="col">{`${words.from[0]!.toUpperCase()}${words.from.slice(1)} (HH:MM)`}</th>
            <th scope="col">{`${words.to[0]!.toUpperCase()}${words.to.slice(1)} (HH:MM)`}</th>
          </tr>
        </thead>
        <tbody>
          {WEEKDAY_NUMBERS.map((wd) => {
            const key = dayKey(prefix, wd);
            const day = WEEKDAYS[wd - 1]!;
            const aria = invalid(key, errors);
            const row = (
              <tr>
                <th scope="row">{day}</th>
                <td>
                  <input
                    type="checkbox"
                    id={`${key}-off`}
                    name={`${key}-off`}
                    value="yes"
                    checked={values[`${key}-off`] === 'yes'}
                    aria-label={`${day}: ${words.off}`}
                  />
                </td>
                <td>
                  <input
                    type="time"
                    id={`${key}-from`}
                    name={`${key}-from`}
                    value={values[`${key}-from`] ?? ''}
                    aria-label={`${day}: ${words.from}`}
                    {...aria}
                  />
                </td>
                <td>
                  <input
                    type="time"
                    id={`${key}-to`}
                    name={`${key}-to`}
                    value={values[`${key}-to`] ?? ''}
                    aria-label={`${day}: ${words.to}`}
                    {...aria}
                  />
                </td>
              </tr>
            );
            if (!errors[key]) return row;
            // The message gets its own row under the day, so it reads in full and precedes the next day.
            return (
              <Fragment>
                {row}
                <tr class="week-error">
                  <td colspan="4">
                    <FieldError id={key} message={errors[key]} />
                  </td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
