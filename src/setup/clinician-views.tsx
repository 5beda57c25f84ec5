import type { ClinicianKind } from '../kernel/db/schema.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { Errors, Values } from './forms.ts';
import type { ConflictRow } from './impact.ts';
import type { ClinicianSummary as Clinician } from './repository.ts';
import { Check, Input, Select, SetupFrame } from './ui.tsx';

export const KIND_LABELS: Record<ClinicianKind, string> = { provider: 'Provider (prescriber)', nurse: 'Nurse' };
const KIND_OPTIONS = Object.entries(KIND_LABELS) as Array<[ClinicianKind, string]>;

export function ClinicianListPage(p: {
  staff: StaffContext;
  clinicians: Clinician[];
  values: Values;
  errors: Errors;
  saved?: string;
}) {
  return SetupFrame({
    staff: p.staff,
    title: 'Clinicians: schedules and time off',
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          Providers and nurses are booked by appointment type (see Appointment types). Each works the hours of their
          weekly schedule.
        </p>
        <ul class="plain-list setup-rows">
          {p.clinicians.map((c) => (
            <li>
              <strong>{c.name}</strong>
              {c.credentials ? `, ${c.credentials}` : ''} — {KIND_LABELS[c.kind]}
              {c.kind === 'nurse'
                ? `, up to ${c.watches_at_once} infusion${c.watches_at_once === 1 ? '' : 's'} at once`
                : `, supervises up to ${c.supervises_at_once} infusion${c.supervises_at_once === 1 ? '' : 's'} at once`}
              {c.active ? '' : ' (inactive: not offered for booking)'} —{' '}
              <a href={`/staff/setup/clinicians/${c.id}`}>details</a> ·{' '}
              <a href={`/staff/setup/clinicians/${c.id}/hours`}>weekly schedule</a> ·{' '}
              <a href={`/staff/setup/clinicians/${c.id}/time-off`}>time off</a>
            </li>
          ))}
        </ul>
        <h2>Add a clinician</h2>
        <form class="form" method="post" action="/staff/setup/clinicians" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input
            name="name"
            label="Name"
            hint="As patients and colleagues know them, e.g. Dr. Amara Okafor."
            values={p.values}
            errors={p.errors}
          />
          <Input
            name="credentials"
            label="Credentials (optional)"
            hint="e.g. MD, RN or CRNA."
            values={p.values}
            errors={p.errors}
          />
          <Select name="kind" label="Role in appointments" options={KIND_OPTIONS} values={p.values} errors={p.errors} />
          <button class="button" type="submit">
            Add clinician
          </button>
        </form>
      </Fragment>
    ),
  });
}

export function ClinicianEditPage(p: {
  staff: StaffContext;
  clinician: Clinician;
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}) {
  return SetupFrame({
    staff: p.staff,
    title: `Clinician: ${p.clinician.name}`,
    back: { href: '/staff/setup/clinicians', label: 'Clinicians' },
    saved: p.saved,
    conflicts: p.conflicts,
    errors: p.errors,
    children: (
      <Fragment>
        <p>{KIND_LABELS[p.clinician.kind]}. The role is fixed once added: add a new clinician for a different role.</p>
        <form class="form" method="post" action={`/staff/setup/clinicians/${p.clinician.id}`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Name" values={p.values} errors={p.errors} />
          <Input name="credentials" label="Credentials (optional)" values={p.values} errors={p.errors} />
          {p.clinician.kind === 'nurse' ? (
            <Input
              name="watches_at_once"
              label="Infusions this nurse watches at once"
              hint="1 to 6. Each infusion also needs a free chair. Lowering it keeps bookings and lists those beyond it."
              extra={{ inputmode: 'numeric' }}
              values={p.values}
              errors={p.errors}
            />
          ) : (
            <Input
              name="supervises_at_once"
              label="Infusions this provider supervises at once"
              hint="1 to 12. Every infusion needs a provider on site for all of it; this is how many chairs one provider oversees at the same time. Lowering it keeps bookings already made."
              extra={{ inputmode: 'numeric' }}
              values={p.values}
              errors={p.errors}
            />
          )}
          <Check
            name="active"
            label="Active: offered for booking"
            hint="Inactive clinicians keep their bookings, which are then listed to be moved."
            values={p.values}
          />
          <button class="button" type="submit">
            Save
          </button>
        </form>
      </Fragment>
    ),
  });
}

export const clinicianValues = (c: Clinician): Values => ({
  name: c.name,
  credentials: c.credentials,
  active: c.active ? 'yes' : '',
  watches_at_once: String(c.watches_at_once),
  supervises_at_once: String(c.supervises_at_once),
});
