import { DateTime } from 'luxon';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { Errors, Values } from './forms.ts';
import type { ConflictRow } from './impact.ts';
import { Input, SetupFrame, WeekTable } from './ui.tsx';

interface LocationRef {
  id: string;
  name: string;
  time_zone: string;
}

export const OPENING_WORDS = { off: 'Closed', from: 'opening', to: 'closing' };

export interface HoursPageProps {
  staff: StaffContext;
  location: LocationRef;
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}

export function OpeningHoursPage(p: HoursPageProps) {
  return SetupFrame({
    staff: p.staff,
    title: `Opening hours: ${p.location.name}`,
    back: { href: `/staff/setup/locations/${p.location.id}`, label: p.location.name },
    saved: p.saved,
    conflicts: p.conflicts,
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          Times are local to the location ({p.location.time_zone}), in 24-hour time. Online booking offers times only
          when the location is open and a provider works.
        </p>
        <form class="form form-wide" method="post" action={`/staff/setup/locations/${p.location.id}/hours`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <WeekTable
            prefix=""
            caption="Weekly opening hours"
            values={p.values}
            errors={p.errors}
            words={OPENING_WORDS}
          />
          <button class="button" type="submit">
            Save opening hours
          </button>
        </form>
      </Fragment>
    ),
  });
}

export interface ClosuresPageProps {
  staff: StaffContext;
  location: LocationRef;
  closures: Array<{ date: string; reason: string }>;
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
  /** A closure whose removal waits for a second press. */
  confirmRemove?: string;
}

export function ClosuresPage(p: ClosuresPageProps) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: `Closures: ${p.location.name}`,
    back: { href: `/staff/setup/locations/${p.location.id}`, label: p.location.name },
    saved: p.saved,
    conflicts: p.conflicts,
    errors: p.errors,
    children: (
      <Fragment>
        {p.confirmRemove ? (
          <div class="notice notice-warning" role="alert" id="confirm-remove">
            <p>
              <strong>Remove the closure on {DateTime.fromISO(p.confirmRemove).toFormat('cccc, LLLL d, yyyy')}?</strong>{' '}
              Online booking offers times on that day again at once.
            </p>
            <form method="post" action={`/staff/setup/locations/${p.location.id}/closures/remove`} class="inline-form">
              <Csrf token={p.staff.csrfToken} />
              <input type="hidden" name="date" value={p.confirmRemove} />
              <input type="hidden" name="confirm" value="yes" />
              <button class="button button-small" type="submit">
                Yes, remove it
              </button>{' '}
              <a href={`/staff/setup/locations/${p.location.id}/closures`}>Keep it</a>
            </form>
          </div>
        ) : null}
        <h2>Days the location is closed</h2>
        {p.closures.length === 0 ? (
          <p>No closures from today on.</p>
        ) : (
          <ul class="plain-list setup-rows">
            {p.closures.map((c) => (
              <li>
                <strong>{DateTime.fromISO(c.date).toFormat('cccc, LLLL d, yyyy')}</strong>: {c.reason}{' '}
                <form
                  method="post"
                  action={`/staff/setup/locations/${p.location.id}/closures/remove`}
                  class="inline-form"
                >
                  <Csrf token={p.staff.csrfToken} />
                  <input type="hidden" name="date" value={c.date} />
                  <button class="button button-small button-secondary" type="submit">
                    Remove
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
        <h2>Add a closure</h2>
        <form class="form" method="post" action={`/staff/setup/locations/${p.location.id}/closures`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="date" label="Date" hint="YYYY-MM-DD, e.g. 2026-07-03." type="date" {...f} />
          <Input name="reason" label="Reason" hint="Shown to staff, e.g. Independence Day (observed)." {...f} />
          <button class="button" type="submit">
            Add closure
          </button>
        </form>
      </Fragment>
    ),
  });
}
