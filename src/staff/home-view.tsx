import { h, Fragment } from '../lib/jsx.ts';
import { StaffLayout } from './layout.tsx';
import { ROLE_LABELS, type StaffContext } from './policy.ts';

/** The landing page for roles without a work queue yet (nurses: clinical screens come with the next issues). */
export function StaffHome(props: { staff: StaffContext; locations: string[] }) {
  return StaffLayout({
    title: 'Welcome',
    staff: props.staff,
    path: '/staff',
    children: (
      <Fragment>
        <h1>Welcome, {props.staff.name}</h1>
        <p>
          You are signed in as {ROLE_LABELS[props.staff.role]} at {props.locations.join(' and ') || 'no location yet'}.
        </p>
        <p>
          Screening, infusion sessions and monitoring for nurses are not in this release yet. Consultation requests are
          handled by the front desk and the providers of your location.
        </p>
      </Fragment>
    ),
  });
}
