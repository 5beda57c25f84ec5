import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { Definition } from '../definitions/store.ts';
import { RatesChart } from './rates-chart.tsx';
import type { LocationRates } from './rates-service.ts';
import type { RateSettings } from './rates-settings.ts';

const GRADES = ['', 'mild', 'moderate', 'severe', 'life-threatening'];

export function RatesPage(props: {
  staff: StaffContext;
  locations: LocationRates[];
  settings: Definition<RateSettings>;
}) {
  const grade = props.settings.body.adverseGradeFrom;
  return StaffLayout({
    title: 'Safety rates',
    staff: props.staff,
    path: '/staff/safety',
    children: (
      <Fragment>
        <p class="setup-back">
          <a href="/staff/safety">← Safety worklist</a>
        </p>
        <h1>Adverse events and alerts per 100 sessions</h1>
        <p>
          For each of your locations, by month over the last {String(props.settings.body.months)} months, two separate
          series, each per 100 sessions given in that month.{' '}
          {props.settings.unverified ? <span class="badge badge-unverified">Unverified</span> : null}
        </p>
        <ul>
          <li>
            <strong>Sessions</strong> are infusions started.
          </li>
          <li>
            <strong>Adverse events</strong> are side effects graded {GRADES[grade] ?? String(grade)} (grade{' '}
            {String(grade)}) or worse, each counted once, in the month of its session.
          </li>
          <li>
            <strong>Alerts</strong> are the vital-sign alerts raised during a session (in the month of its session),
            plus every alert and safety flag raised on the worklist (thoughts of self-harm, dose escalation, urinary
            symptoms, liver results, missed follow-ups, substance use), in the month it was raised.
          </li>
        </ul>
        <p>A month without sessions has no rate; its counts are still listed.</p>
        {props.locations.map((l) => (
          <section aria-labelledby={`rates-${l.id}-heading`}>
            <h2 id={`rates-${l.id}-heading`}>{l.name}</h2>
            <RatesChart id={`rates-${l.id}`} name={l.name} months={l.months} />
          </section>
        ))}
      </Fragment>
    ),
  });
}
