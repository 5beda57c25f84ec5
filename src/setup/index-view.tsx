import { h, Fragment } from '../kernel/ui/jsx.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { SetupFrame } from './ui.tsx';

export interface SetupIndexProps {
  staff: StaffContext;
  locations: Array<{ id: string; name: string }>;
  clinicians: Array<{ id: string; name: string; active: number }>;
}

/** /staff/setup: every part of the clinic's set-up, one link each. */
export function SetupIndexPage(p: SetupIndexProps) {
  return SetupFrame({
    staff: p.staff,
    title: 'Clinic set-up',
    back: { href: '/staff', label: 'Staff home' },
    children: (
      <Fragment>
        <p>
          Changes apply to online booking at once. Booked visits are never cancelled by a change here: when a change
          leaves a booking outside the new hours, you get a list of the people to contact.
        </p>
        <ul class="setup-index">
          <li>
            <h2>
              <a href="/staff/setup/clinic">Clinic settings</a>
            </h2>
            <p>Name, phone, email, reminder times, cancellation cutoff, booking horizon and booking-link lifetime.</p>
          </li>
          <li>
            <h2>
              <a href="/staff/setup/locations">Locations</a>
            </h2>
            <p>Address, time zone, opening hours, closures, and rooms and chairs.</p>
            <ul>
              {p.locations.map((l) => (
                <li>
                  {l.name}: <a href={`/staff/setup/locations/${l.id}`}>details</a>,{' '}
                  <a href={`/staff/setup/locations/${l.id}/hours`}>opening hours</a>,{' '}
                  <a href={`/staff/setup/locations/${l.id}/closures`}>closures</a>,{' '}
                  <a href={`/staff/setup/locations/${l.id}/rooms`}>rooms and chairs</a>
                </li>
              ))}
            </ul>
          </li>
          <li>
            <h2>
              <a href="/staff/setup/types">Appointment types</a>
            </h2>
            <p>
              Durations, buffers, minimum notice, time steps, what each needs (provider, nurse, room or chair) and
              online booking.
            </p>
          </li>
          <li>
            <h2>
              <a href="/staff/setup/clinicians">Clinicians: schedules and time off</a>
            </h2>
            <ul>
              {p.clinicians.map((pr) => (
                <li>
                  {pr.name}
                  {pr.active ? '' : ' (inactive)'}:{' '}
                  <a href={`/staff/setup/clinicians/${pr.id}/hours`}>weekly schedule</a>,{' '}
                  <a href={`/staff/setup/clinicians/${pr.id}/time-off`}>time off</a>
                </li>
              ))}
            </ul>
          </li>
          <li>
            <h2>
              <a href="/staff/clinical-settings/consent">Consent documents</a>
            </h2>
            <p>The documents patients sign before treatment, and their versions.</p>
          </li>
        </ul>
      </Fragment>
    ),
  });
}
