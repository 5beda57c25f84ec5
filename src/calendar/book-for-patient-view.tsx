import { h, Fragment } from '../lib/jsx.ts';
import type { AppointmentType } from '../booking/availability.ts';
import { formatDateTime } from '../lib/time.ts';
import type { StaffLocation } from '../patients/access.ts';
import type { Patient } from '../patients/repository.ts';
import { resourceSummary } from '../booking/type-needs.ts';
import { Csrf, StaffLayout } from '../staff/layout.tsx';
import type { StaffContext } from '../staff/policy.ts';
import { DateTimeFields, HELP_NO_OVERRIDE, Problem, type Refusal } from './appointment-view.tsx';
import { ANY_PROVIDER } from './book-for-patient.ts';
import type { CalendarColumn } from './repository.ts';

export interface PatientBookPageProps {
  staff: StaffContext;
  patient: Patient;
  locations: StaffLocation[];
  /** The location whose providers are listed (the chosen one, else the patient's home or the first visible). */
  location: StaffLocation;
  types: AppointmentType[];
  providers: CalendarColumn[];
  date: string;
  refusal?: Refusal;
}

/** A labelled select with its hint and, after a refusal, its own message, both tied to it for screen readers. */
function Choice(props: { id: string; label: string; hint?: string; error: string | undefined; children?: unknown }) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
      <select id={props.id} name={props.id} required aria-invalid={props.error ? 'true' : undefined} aria-describedby={described || undefined}>
        {props.children as JSX.Element}
      </select>
    </div>
  );
}

/** Staff book any kind of visit for a known patient: what it needs is found free by the same engine as online. */
export function PatientBookPage(props: PatientBookPageProps) {
  const { staff, patient, location } = props;
  const errors = props.refusal?.errors ?? {};
  const v = props.refusal?.values ?? {};
  const alternatives = props.refusal?.alternatives ?? [];
  const name = `${patient.first_name} ${patient.last_name}`;
  return StaffLayout({
    title: `${props.refusal ? 'Error: ' : ''}Book an appointment for ${name}`,
    staff,
    path: '/staff/patients',
    children: (
      <Fragment>
        <p>
          <a href={`/staff/patients/${patient.id}`}>Back to {name}</a>
        </p>
        <h1>Book an appointment for {name}</h1>
        <p>
          The provider, nurse, chair or room each kind of appointment needs is found free for its whole time, with its
          preparation and clean-up. The patient is emailed the time and place (not the kind of visit). {HELP_NO_OVERRIDE}
        </p>
        <Problem refusal={props.refusal} />
        {alternatives.length ? (
          <Fragment>
            <h2>Free times nearby</h2>
            <ul>
              {alternatives.map((s) => (
                <li>
                  <time datetime={new Date(s.start).toISOString()}>{formatDateTime(s.start, location.time_zone)}</time>
                </li>
              ))}
            </ul>
          </Fragment>
        ) : null}
        <form class="form" method="post" action={`/staff/patients/${patient.id}/book`}>
          <Csrf token={staff.csrfToken} />
          <Choice id="type" label="Kind of appointment" error={errors.type}>
            {props.types.map((t) => (
              <option value={t.code} selected={(v.type ?? 'infusion') === t.code}>
                {t.name} ({t.duration_min} min; needs: {resourceSummary(t).toLowerCase()})
              </option>
            ))}
          </Choice>
          <Choice id="location" label="Location" hint="Times are in this location's local time." error={errors.location}>
            {props.locations.map((l) => (
              <option value={l.slug} selected={(v.location ?? location.slug) === l.slug}>
                {l.name} ({l.time_zone})
              </option>
            ))}
          </Choice>
          <Choice id="provider" label="Provider" hint={`For kinds that need a provider. Providers listed work at ${location.name}.`} error={errors.provider}>
            <option value={ANY_PROVIDER} selected={(v.provider ?? ANY_PROVIDER) === ANY_PROVIDER}>
              Any available provider
            </option>
            {props.providers.map((p) => (
              <option value={p.id} selected={v.provider === p.id}>
                {p.name}
              </option>
            ))}
          </Choice>
          <DateTimeFields date={v.date ?? props.date} time={v.time ?? '09:00'} errors={errors} />
          <button class="button" type="submit">
            Book appointment
          </button>
        </form>
      </Fragment>
    ),
  });
}
