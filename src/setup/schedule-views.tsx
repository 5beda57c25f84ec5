import { h, Fragment } from '../kernel/ui/jsx.ts';
import { formatDateTime } from '../kernel/time/format.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { Errors, Values } from './forms.ts';
import type { ConflictRow } from './impact.ts';
import { SCHEDULE_WORDS, schedulePrefix } from './schedule-schema.ts';
import { Input, Select, SetupFrame, WeekTable } from './ui.tsx';

interface ClinicianRef {
  id: string;
  name: string;
  credentials: string;
  active: number;
}
interface LocationRef {
  id: string;
  name: string;
  time_zone: string;
}

export interface SchedulePageProps {
  staff: StaffContext;
  clinician: ClinicianRef;
  locations: LocationRef[];
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}

export function SchedulePage(p: SchedulePageProps) {
  return SetupFrame({
    staff: p.staff,
    title: `Weekly schedule: ${p.clinician.name}`,
    back: { href: '/staff/setup/clinicians', label: 'Clinicians' },
    saved: p.saved,
    conflicts: p.conflicts,
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          Per location, the hours this clinician works, in that location's local time (24-hour). Times outside the
          location's opening hours are not offered.{' '}
          <a href={`/staff/setup/clinicians/${p.clinician.id}/time-off`}>Time off</a> is set separately.
        </p>
        <form
          class="form form-wide"
          method="post"
          action={`/staff/setup/clinicians/${p.clinician.id}/hours`}
          novalidate
        >
          <Csrf token={p.staff.csrfToken} />
          {p.locations.map((l) => (
            <WeekTable
              prefix={schedulePrefix(l.id)}
              caption={`${l.name} (${l.time_zone})`}
              values={p.values}
              errors={p.errors}
              words={SCHEDULE_WORDS}
            />
          ))}
          <button class="button" type="submit">
            Save schedule
          </button>
        </form>
      </Fragment>
    ),
  });
}

export interface TimeOffPageProps {
  staff: StaffContext;
  clinician: ClinicianRef;
  locations: LocationRef[];
  /** The zone the list is shown in (the clinician's main location). */
  zone: string;
  timeOff: Array<{ id: string; starts_at: number; ends_at: number; reason: string }>;
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}

export function TimeOffPage(p: TimeOffPageProps) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: `Time off: ${p.clinician.name}`,
    back: { href: '/staff/setup/clinicians', label: 'Clinicians' },
    saved: p.saved,
    conflicts: p.conflicts,
    errors: p.errors,
    children: (
      <Fragment>
        <h2>Planned time off</h2>
        {p.timeOff.length === 0 ? (
          <p>None planned.</p>
        ) : (
          <ul class="plain-list setup-rows">
            {p.timeOff.map((t) => (
              <li>
                From {formatDateTime(t.starts_at, p.zone)} to {formatDateTime(t.ends_at, p.zone)}
                {t.reason ? `: ${t.reason}` : ''}{' '}
                <form
                  method="post"
                  action={`/staff/setup/clinicians/${p.clinician.id}/time-off/${t.id}/remove`}
                  class="inline-form"
                >
                  <Csrf token={p.staff.csrfToken} />
                  <button class="button button-small button-secondary" type="submit">
                    Remove
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
        <h2>Add time off</h2>
        <p>
          This clinician is not offered for booking anywhere during this time. For whole days, start at 00:00 and end at
          00:00 on the day after.
        </p>
        <form class="form" method="post" action={`/staff/setup/clinicians/${p.clinician.id}/time-off`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Select
            name="location"
            label="Times are in the local time of"
            options={p.locations.map((l) => [l.id, `${l.name} (${l.time_zone})`])}
            {...f}
          />
          <Input name="start_date" label="Start date" hint="YYYY-MM-DD" type="date" {...f} />
          <Input name="start_time" label="Start time" hint="HH:MM, 24-hour" type="time" {...f} />
          <Input name="end_date" label="End date" hint="YYYY-MM-DD" type="date" {...f} />
          <Input name="end_time" label="End time" hint="HH:MM, 24-hour" type="time" {...f} />
          <Input
            name="reason"
            label="Note for staff (optional)"
            hint="e.g. Conference. Do not write patient details here."
            {...f}
          />
          <button class="button" type="submit">
            Add time off
          </button>
        </form>
      </Fragment>
    ),
  });
}
