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
          For each of your locations, by month over the last {String(props.settings.body.months)} months: sessions are
          infusions started; adverse events are side effects graded {GRADES[grade] ?? String(grade)} (grade{' '}
          {String(grade)}) or worse; alerts are the vital-sign alerts raised during a session. Each is counted in the
          month of its session. A month without sessions has no rate.{' '}
          {props.settings.unverified ? <span class="badge badge-unverified">Unverified</span> : null}
        </p>
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
