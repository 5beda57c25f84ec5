import { h, Fragment } from '../kernel/ui/jsx.ts';
import type { AppointmentType } from '../scheduling/availability.ts';
import type { StaffLocation } from '../patients/service.ts';
import type { Patient } from '../patients/service.ts';
import { resourceSummary } from '../scheduling/type-needs.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import {
  Choice,
  ChosenCell,
  DateTimeFields,
  HELP_NO_OVERRIDE,
  NearbyTimes,
  NurseChoice,
  PlaceChoice,
  Problem,
  ProviderChoice,
  type FormProblem,
} from './appointment-view.tsx';
import type { CalendarColumn } from './repository.ts';

export interface PatientBookPageProps {
  staff: StaffContext;
  patient: Patient;
  locations: StaffLocation[];
  /** The location whose providers are listed (the chosen one, else the patient's home or the first visible). */
  location: StaffLocation;
  types: AppointmentType[];
  providers: CalendarColumn[];
  nurses: CalendarColumn[];
  rooms: CalendarColumn[];
  date: string;
  /** What a calendar cell filled in. */
  values: Record<string, string>;
  problem?: FormProblem;
}

/** Staff book any kind of visit for a known patient: what it needs is found free by the same engine as online. */
export function PatientBookPage(props: PatientBookPageProps) {
  const { staff, patient, location } = props;
  const errors = props.problem?.refusal.fields ?? {};
  const v = props.problem?.values ?? props.values;
  // From a chair's or nurse's column the visit is most likely an infusion; from a room's or provider's, a follow-up.
  // Types are the clinic's data, so the form picks the first type still in use of that kind.
  const chair = props.rooms.find((r) => r.id === v.room)?.kind === 'chair';
  const likely = v.nurse || chair ? 'infusion' : v.provider || v.room ? 'follow-up' : 'infusion';
  const chosen = v.type ?? (props.types.find((t) => t.kind === likely) ?? props.types[0])?.code;
  const name = `${patient.first_name} ${patient.last_name}`;
  return StaffLayout({
    title: `${props.problem ? 'Error: ' : ''}Book an appointment for ${name}`,
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
          preparation and clean-up. The patient is emailed the time and place (not the kind of visit).{' '}
          {HELP_NO_OVERRIDE}
        </p>
        {props.values.time ? (
          <ChosenCell values={props.values} columns={[...props.providers, ...props.nurses, ...props.rooms]} />
        ) : null}
        <Problem problem={props.problem} />
        <NearbyTimes
          heading="Free times nearby: book one"
          slots={props.problem?.alternatives}
          zone={location.time_zone}
          action={`/staff/patients/${patient.id}/book`}
          csrf={staff.csrfToken}
          values={props.problem?.values ?? {}}
        />
        <form class="form" method="post" action={`/staff/patients/${patient.id}/book`}>
          <Csrf token={staff.csrfToken} />
          <Choice id="type" label="Kind of appointment" error={errors.type}>
            {props.types.map((t) => (
              <option value={t.code} selected={chosen === t.code}>
                {t.name} ({t.duration_min} min; needs: {resourceSummary(t).toLowerCase()})
              </option>
            ))}
          </Choice>
          <Choice
            id="location"
            label="Location"
            hint="Times are in this location's local time."
            error={errors.location}
          >
            {props.locations.map((l) => (
              <option value={l.slug} selected={(v.location ?? location.slug) === l.slug}>
                {l.name} ({l.time_zone})
              </option>
            ))}
          </Choice>
          <ProviderChoice
            providers={props.providers}
            chosen={v.provider}
            error={errors.provider}
            hint={`For kinds that need a provider. Providers listed work at ${location.name}.`}
          />
          {props.nurses.length ? <NurseChoice nurses={props.nurses} chosen={v.nurse} error={errors.nurse} /> : null}
          {props.rooms.length ? <PlaceChoice rooms={props.rooms} chosen={v.room} error={errors.room} /> : null}
          <DateTimeFields date={v.date ?? props.date} time={v.time ?? '09:00'} errors={errors} />
          <button class="button" type="submit">
            Book appointment
          </button>
        </form>
      </Fragment>
    ),
  });
}
