import type { PlaceNeed } from '../kernel/db/schema.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { TYPE_KIND_LABELS } from '../kernel/ui/labels.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import { resourceSummary } from '../scheduling/type-needs.ts';
import type { Errors, Values } from './forms.ts';
import type { AppointmentType } from './repository.ts';
import type { TypeChange } from './type-service.ts';
import { Check, FieldError, Input, invalid, Select, SetupFrame } from './ui.tsx';

const PLACE_OPTIONS: Array<[PlaceNeed, string]> = [
  ['none', 'No room or chair'],
  ['room', 'A consultation room'],
  ['chair', 'An infusion chair'],
];

const KIND_OPTIONS: Array<[string, string]> = [
  ['', 'Choose a kind'],
  ...Object.entries(TYPE_KIND_LABELS).map(([value, label]): [string, string] => [value, label]),
];

const kindLabel = (t: AppointmentType) => TYPE_KIND_LABELS[t.kind] ?? t.kind;

export function TypesPage(p: { staff: StaffContext; types: AppointmentType[]; saved?: string | undefined }) {
  return SetupFrame({
    staff: p.staff,
    title: 'Appointment types',
    saved: p.saved,
    children: (
      <Fragment>
        <p>
          Each type has a kind: online booking offers the consultation marked for it, and the calendar colours visits by
          kind. Retired types are no longer offered; visits already booked keep their type.
        </p>
        <div class="table-scroll">
          <table class="mailbox types-table">
            <caption>Appointment types (times in minutes)</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Kind</th>
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
                    <a href={`/staff/setup/types/${t.code}`}>{t.name}</a>
                    {t.retired_at !== null ? ' (retired)' : ''}
                  </td>
                  <td>{kindLabel(t)}</td>
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
        <p>
          <a class="button" href="/staff/setup/types/new">
            Add an appointment type
          </a>
        </p>
      </Fragment>
    ),
  });
}

/** The settings every type has, for the new type's form and each type's own. */
function TypeFields(p: { staff: StaffContext; values: Values; errors: Errors }) {
  const f = { values: p.values, errors: p.errors };
  return (
    <Fragment>
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
          The database never books a provider, nurse, room or chair twice at once. Infusions usually need a nurse and a
          chair; consultations a provider and a room.
        </p>
        <Check name="needs_provider" label="A provider (prescriber)" values={p.values} />
        <Check name="needs_nurse" label="A nurse" values={p.values} />
        <Select name="place" label="Place" options={PLACE_OPTIONS} {...f} />
      </fieldset>
      {p.errors.online_bookable ? (
        <p class="field-error" id="online_bookable-error">
          <span class="visually-hidden">Error: </span>
          {p.errors.online_bookable}
        </p>
      ) : null}
      <Check
        name="online_bookable"
        label="Patients can book it online"
        hint="For one consultation type: online booking offers it, and unticking it pauses online booking. Other kinds are booked by staff."
        values={p.values}
      />
      <div class="field">
        <label for="preparation">Before the visit</label>
        <span class="hint" id="preparation-hint">
          Put in the confirmation and reminder emails, with the time, the place and how long to allow: food and drink
          beforehand, who takes the patient home. Emails can be read by others: name no condition or treatment.
        </span>
        <FieldError id="preparation" message={p.errors.preparation} />
        <textarea
          id="preparation"
          name="preparation"
          rows="4"
          {...invalid('preparation', p.errors, 'preparation-hint')}
        >
          {p.values.preparation ?? ''}
        </textarea>
      </div>
    </Fragment>
  );
}

export function NewTypePage(p: { staff: StaffContext; values: Values; errors: Errors }) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: 'Add an appointment type',
    back: { href: '/staff/setup/types', label: 'Appointment types' },
    errors: p.errors,
    children: (
      <form class="form" method="post" action="/staff/setup/types" novalidate>
        <Csrf token={p.staff.csrfToken} />
        <Input name="name" label="Name" hint="As staff and the calendar show it, e.g. Extended infusion." {...f} />
        <Select
          name="kind"
          label="Kind"
          hint="What the booking flow treats it as. It cannot be changed later."
          options={KIND_OPTIONS}
          {...f}
        />
        <TypeFields staff={p.staff} {...f} />
        <button class="button" type="submit">
          Add appointment type
        </button>
      </form>
    ),
  });
}

export function TypePage(p: {
  staff: StaffContext;
  type: AppointmentType;
  inUse: boolean;
  values: Values;
  errors: Errors;
  saved?: string | undefined;
  problem?: string | undefined;
}) {
  const f = { values: p.values, errors: p.errors };
  const base = `/staff/setup/types/${p.type.code}`;
  const retired = p.type.retired_at !== null;
  return SetupFrame({
    staff: p.staff,
    title: `Appointment type: ${p.type.name}`,
    back: { href: '/staff/setup/types', label: 'Appointment types' },
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        {p.problem ? (
          <div class="notice notice-error" role="alert">
            <p>{p.problem}</p>
          </div>
        ) : null}
        <p>
          Kind: {kindLabel(p.type)} (fixed). {retired ? 'Retired: not offered for booking. ' : ''}Changes apply to new
          bookings; booked visits keep their times.
        </p>
        <form class="form" method="post" action={base} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Name" hint="As staff and the calendar show it." {...f} />
          <TypeFields staff={p.staff} {...f} />
          <button class="button" type="submit">
            Save appointment type
          </button>
        </form>
        <section aria-labelledby="use-title">
          <h2 id="use-title">{retired ? 'Put back in use' : 'Retire or delete'}</h2>
          <p>
            {retired
              ? 'Putting it back in use offers it for booking again (online booking stays off until you tick it).'
              : 'Retiring stops offering it for booking, online and by staff. Visits already booked stay booked and keep their type.'}{' '}
            {p.inUse
              ? retired
                ? 'It has bookings, so it is kept, never deleted.'
                : 'It has bookings, so it can be retired but never deleted.'
              : 'It has never been booked, so it can also be deleted.'}
          </p>
          <div class="actions">
            <form class="inline-form" method="post" action={`${base}/${retired ? 'restore' : 'retire'}`}>
              <Csrf token={p.staff.csrfToken} />
              <button class="button button-secondary" type="submit">
                {retired ? 'Put back in use' : 'Retire this type'}
              </button>
            </form>
            {p.inUse ? null : (
              <form class="inline-form" method="post" action={`${base}/delete`}>
                <Csrf token={p.staff.csrfToken} />
                <button class="button button-secondary" type="submit">
                  Delete this type
                </button>
              </form>
            )}
          </div>
        </section>
      </Fragment>
    ),
  });
}

export function typeChangeMessage(done: TypeChange): string {
  const name = done.type.name;
  if (done.action === 'deleted') return `“${name}” deleted.`;
  if (done.action === 'restored') return `“${name}” is in use again and can be booked.`;
  return done.wasOnline
    ? `“${name}” retired. Online booking is paused until you tick “Patients can book it online” on another consultation type.`
    : `“${name}” retired. It is no longer offered; booked visits keep it.`;
}
