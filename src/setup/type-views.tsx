import type { PlaceNeed } from '../kernel/db/schema.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import { resourceSummary } from '../scheduling/type-needs.ts';
import type { Errors, Values } from './forms.ts';
import type { AppointmentType } from './repository.ts';
import { Check, Input, Select, SetupFrame } from './ui.tsx';

const PLACE_OPTIONS: Array<[PlaceNeed, string]> = [
  ['none', 'No room or chair'],
  ['room', 'A consultation room'],
  ['chair', 'An infusion chair'],
];

export function TypesPage(p: { staff: StaffContext; types: AppointmentType[] }) {
  return SetupFrame({
    staff: p.staff,
    title: 'Appointment types',
    children: (
      <div class="table-scroll">
        <table class="mailbox">
          <caption>Appointment types (times in minutes)</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Duration</th>
              <th scope="col">Buffers before / after</th>
              <th scope="col">Minimum notice</th>
              <th scope="col">Time step</th>
              <th scope="col">Needs</th>
              <th scope="col">Online booking</th>
            </tr>
          </thead>
          <tbody>
            {p.types.map((t) => (
              <tr>
                <td>
                  <a href={`/staff/setup/types/${t.code}`}>{t.name}</a> <code>{t.code}</code>
                </td>
                <td>{t.duration_min}</td>
                <td>
                  {t.buffer_before_min} / {t.buffer_after_min}
                </td>
                <td>{`${Math.round((t.min_notice_min / 60) * 100) / 100} h`}</td>
                <td>{t.step_min}</td>
                <td>{resourceSummary(t)}</td>
                <td>{t.online_bookable ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    ),
  });
}

export function TypePage(p: {
  staff: StaffContext;
  type: AppointmentType;
  values: Values;
  errors: Errors;
  saved?: string;
}) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: `Appointment type: ${p.type.name}`,
    back: { href: '/staff/setup/types', label: 'Appointment types' },
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          Code <code>{p.type.code}</code> (fixed). Changes apply to new bookings; booked visits keep their times.
        </p>
        <form class="form" method="post" action={`/staff/setup/types/${p.type.code}`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input
            name="duration"
            label="Duration (minutes)"
            hint="A multiple of 5, up to 720."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="buffer_before"
            label="Buffer before (minutes)"
            hint="Preparation time: a multiple of 5, up to 120."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="buffer_after"
            label="Buffer after (minutes)"
            hint="Clean-up time: a multiple of 5, up to 120."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="notice"
            label="Minimum notice (hours)"
            hint="How soon patients can book online: 0 to 336 hours."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="step"
            label="Time step (minutes)"
            hint="Distance between offered start times: a multiple of 5, up to 240."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <fieldset class="field" aria-describedby="needs-hint">
            <legend>What one appointment holds for its whole time</legend>
            <p class="hint" id="needs-hint">
              The database never books a provider, nurse, room or chair twice at once. Infusions usually need a nurse
              and a chair; consultations a provider and a room.
            </p>
            <Check name="needs_provider" label="A provider (prescriber)" values={p.values} />
            <Check name="needs_nurse" label="A nurse" values={p.values} />
            <Select name="place" label="Place" options={PLACE_OPTIONS} {...f} />
          </fieldset>
          <Check
            name="online_bookable"
            label="Patients can book it online"
            hint="Online booking offers consultations; unticking it there pauses online booking. Other kinds are booked by staff."
            values={p.values}
          />
          <button class="button" type="submit">
            Save appointment type
          </button>
        </form>
      </Fragment>
    ),
  });
}
