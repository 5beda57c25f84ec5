import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { FieldError, Input, Select, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { clockLabels, formatDateTime } from '../../kernel/time/format.ts';
import { ClinicalFrame } from '../patient-frame.tsx';
import { figure } from '../dosing/dose.ts';
import type { LibraryProtocol } from './library.ts';
import type { PlanSessionView } from './plan-repository.ts';
import { STATUS_LABEL, STATUS_VERB, TRANSITIONS } from './plan-rules.ts';
import type { Plan } from './plans.ts';
import type { SeriesProposal, SeriesCandidate } from './series-proposal.ts';
import { spacingMessage } from './spacing-words.ts';

type PatientName = { id: string; first_name: string; last_name: string };
type LocationChoice = { slug: string; name: string; time_zone: string; id: string };

export interface PlanPageProps {
  staff: StaffContext;
  patient: PatientName;
  /** The open plan (draft, active or paused), else the newest closed one. */
  plan: Plan | undefined;
  sessions: PlanSessionView[];
  /** Clinicians see the plan's figures; the front desk sees only the series and its booking. */
  clinical: boolean;
  protocols: LibraryProtocol[];
  locations: LocationChoice[];
  zoneOf: (locationId: string) => string;
  values: Values;
  errors: Errors;
  saved?: string | undefined;
  today: string;
}

const may = (staff: StaffContext, roles: string[]) => roles.includes(staff.role);

export function PlanPage(p: PlanPageProps) {
  const { plan } = p;
  const prescriber = p.staff.role === 'provider';
  const open = plan && ['draft', 'active', 'paused'].includes(plan.status);
  return ClinicalFrame({
    staff: p.staff,
    patient: p.patient,
    tab: 'plan',
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        {plan ? <PlanStatus plan={plan} clinical={p.clinical} /> : <p>No treatment plan yet.</p>}
        {plan && p.clinical ? <PlanFigures plan={plan} /> : null}
        {plan && prescriber && plan.status === 'draft' ? <SignForm {...p} plan={plan} /> : null}
        {plan && prescriber && TRANSITIONS[plan.status].length > 0 ? <StatusForm {...p} plan={plan} /> : null}
        {plan ? <Sessions {...p} plan={plan} /> : null}
        {plan?.status === 'active' && may(p.staff, ['provider', 'front_desk']) ? (
          <SeriesStart {...p} plan={plan} />
        ) : null}
        {!open && prescriber ? <CreateForm {...p} /> : null}
        {!open && !prescriber && p.clinical ? (
          <p>A provider writes the plan from a signed, eligible screening.</p>
        ) : null}
      </Fragment>
    ),
  });
}

function PlanStatus(p: { plan: Plan; clinical: boolean }) {
  return (
    <section class="card" aria-labelledby="plan-status">
      <h2 id="plan-status">{p.clinical ? p.plan.definition.name : 'The plan'}</h2>
      <dl class="summary-list">
        <div>
          <dt>Status</dt>
          <dd>
            {STATUS_LABEL[p.plan.status]}
            {p.plan.statusReason && p.clinical ? <span class="hint"> · Reason: {p.plan.statusReason}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{String(p.plan.version)}</dd>
        </div>
      </dl>
    </section>
  );
}

function PlanFigures(p: { plan: Plan }) {
  const d = p.plan.definition;
  const i = d.induction;
  const rate = (n: number) => `${figure(n, 3)} mg/kg/h`;
  return (
    <section aria-labelledby="plan-figures">
      <h2 id="plan-figures">The plan’s figures</h2>
      <dl class="summary-list">
        <div>
          <dt>Induction</dt>
          <dd>
            {figure(i.sessions)} sessions of {figure(i.hoursPerSession)} h, {figure(i.minDaysBetween)} to{' '}
            {figure(i.maxDaysBetween)} days apart, within {figure(i.windowDays)} days
            {i.unverified ? <span class="badge badge-unverified">Unverified</span> : null}
          </dd>
        </div>
        <div>
          <dt>Dosing</dt>
          <dd>
            Start {rate(d.dosing.startMgPerKgPerHour)}, at most {rate(d.dosing.maxMgPerKgPerHour)},{' '}
            {figure(d.dosing.capMgPerHour)} mg/h and {figure(d.dosing.maxMgPerSession)} mg a session
            {d.dosing.unverified ? <span class="badge badge-unverified">Unverified</span> : null}
          </dd>
        </div>
        <div>
          <dt>Boosters</dt>
          <dd>
            {d.maintenance.kind === 'intervals'
              ? `${d.maintenance.intervalsDays.map((n) => figure(n)).join(', ')} days after the last session`
              : `On response, at least ${figure(d.maintenance.minDaysBetween)} days apart`}
          </dd>
        </div>
      </dl>
      {p.plan.deviations.length > 0 ? (
        <Fragment>
          <h3>Past the protocol’s limits</h3>
          <ul>
            {p.plan.deviations.map((x) => (
              <li>
                {DEVIATION_LABEL[x.field]}: {figure(x.planned, 3)} (protocol’s limit {figure(x.limit, 3)}). Reason:{' '}
                {x.reason}
              </li>
            ))}
          </ul>
        </Fragment>
      ) : null}
    </section>
  );
}

const DEVIATION_LABEL = {
  sessions: 'Sessions',
  hoursPerSession: 'Hours per session',
  startMgPerKgPerHour: 'Starting rate',
};

function SignForm(p: PlanPageProps & { plan: Plan }) {
  return (
    <form method="post" action={`/staff/patients/${p.patient.id}/plan/${p.plan.id}/sign`} class="card">
      <h2>Sign the plan</h2>
      <p>Signing makes the plan active. Its figures cannot change afterwards: a change is a new plan.</p>
      <Csrf token={p.staff.csrfToken} />
      <input type="hidden" name="version" value={String(p.plan.version)} />
      <FieldError id="version" message={p.errors.version} />
      <Input
        name="code"
        label="Code from your authenticator app"
        values={{}}
        errors={p.errors}
        extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
      />
      <button class="button" type="submit">
        Sign and activate
      </button>
    </form>
  );
}

function StatusForm(p: PlanPageProps & { plan: Plan }) {
  const steps = TRANSITIONS[p.plan.status];
  return (
    <form method="post" action={`/staff/patients/${p.patient.id}/plan/${p.plan.id}/status`} class="card">
      <h2>Change the plan’s status</h2>
      <Csrf token={p.staff.csrfToken} />
      <input type="hidden" name="version" value={String(p.plan.version)} />
      <Select
        name="status"
        label="What to do"
        values={p.values}
        errors={p.errors}
        options={steps.map((s) => [
          s,
          p.plan.status === 'draft' && s === 'stopped' ? 'Drop this draft' : STATUS_VERB[s],
        ])}
      />
      <Input name="reason" label="Reason" hint="Kept with the plan." values={p.values} errors={p.errors} />
      <button class="button button-secondary" type="submit">
        Change status
      </button>
    </form>
  );
}

function Sessions(p: PlanPageProps & { plan: Plan }) {
  if (p.sessions.length === 0) return <p class="plan-sessions-actions">No session is booked yet.</p>;
  const mayChange = may(p.staff, ['provider', 'front_desk']);
  const label = (s: PlanSessionView) => `${s.kind === 'induction' ? 'Session' : 'Booster'} ${s.number}`;
  const when = (s: PlanSessionView) => formatDateTime(s.starts_at, p.zoneOf(s.location_id));
  const movable = p.sessions.filter((s) => s.status === 'booked');
  return (
    <section aria-labelledby="plan-sessions">
      <h2 id="plan-sessions">Sessions</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Session</th>
              <th scope="col">When</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {p.sessions.map((s) => (
              <tr>
                <th scope="row">{label(s)}</th>
                <td>{when(s)}</td>
                <td>{s.status === 'booked' ? 'Booked' : 'Cancelled'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {mayChange && movable.length > 0 ? (
        <Fragment>
          <form method="post" action={`/staff/patients/${p.patient.id}/plan/sessions/move`} class="card">
            <h3>Move a session</h3>
            <p>The new day must keep the plan’s spacing; if it does not, Relief says which rule it breaks.</p>
            <Csrf token={p.staff.csrfToken} />
            <Select
              name="session"
              label="Session"
              values={p.values}
              errors={p.errors}
              options={movable.map((s) => [s.appointment_id, `${label(s)}, ${when(s)}`])}
            />
            <Input name="move_date" label="New date" type="date" values={p.values} errors={p.errors} />
            <Input name="move_time" label="New time" type="time" values={p.values} errors={p.errors} />
            <button class="button button-secondary" type="submit">
              Move
            </button>
          </form>
          <form
            method="post"
            action={`/staff/patients/${p.patient.id}/plan/series/cancel`}
            class="inline-form plan-sessions-actions"
          >
            <Csrf token={p.staff.csrfToken} />
            <input type="hidden" name="version" value={String(p.plan.version)} />
            <button class="button button-secondary" type="submit">
              Cancel every session ahead
            </button>
          </form>
        </Fragment>
      ) : null}
    </section>
  );
}

function SeriesStart(p: PlanPageProps & { plan: Plan }) {
  const induction = p.sessions.filter((s) => s.kind === 'induction' && s.status === 'booked');
  const values = { location: p.locations[0]?.slug ?? '', date: p.today, time: '09:00', ...p.values };
  const inductionBooked = induction.length >= p.plan.definition.induction.sessions;
  return (
    <section class="card" aria-labelledby="series-start">
      <h2 id="series-start">{inductionBooked ? 'Book the boosters' : 'Book the series'}</h2>
      {inductionBooked && p.plan.definition.maintenance.kind === 'on_response' ? (
        <p>Boosters are given on response: book each one when the provider decides.</p>
      ) : (
        <form method="get" action={`/staff/patients/${p.patient.id}/plan/${inductionBooked ? 'boosters' : 'series'}`}>
          <p>
            {inductionBooked
              ? 'Relief proposes each booster from the last session’s day, at the time you prefer.'
              : `Relief proposes all ${p.plan.definition.induction.sessions} sessions within the plan’s spacing, each with a nurse and a chair.`}
          </p>
          <Select
            name="location"
            label="Location"
            values={values}
            errors={p.errors}
            options={p.locations.map((l) => [l.slug, l.name])}
          />
          {inductionBooked ? null : (
            <Input name="date" label="Start date" type="date" values={values} errors={p.errors} />
          )}
          <Input name="time" label="Preferred time" type="time" values={values} errors={p.errors} />
          <button class="button" type="submit">
            Propose times
          </button>
        </form>
      )}
    </section>
  );
}

function CreateForm(p: PlanPageProps) {
  if (p.protocols.length === 0)
    return <p>The protocol library is empty: an administrator adds the clinic’s protocols.</p>;
  const values: Values = { protocol: p.protocols[0]!.definition.code, ...p.values };
  const own = 'Leave empty for the protocol’s own figure.';
  return (
    <form method="post" action={`/staff/patients/${p.patient.id}/plan`} class="card">
      <h2>Write a treatment plan</h2>
      <p>
        From a signed, eligible screening. Figures within the protocol’s limits need nothing more; past a limit, give
        the reason.
      </p>
      <Csrf token={p.staff.csrfToken} />
      <Select
        name="protocol"
        label="Protocol"
        values={values}
        errors={p.errors}
        options={p.protocols.map((x) => [x.code, protocolLine(x)])}
      />
      <Input
        name="sessions"
        label="Induction sessions"
        hint={own}
        values={values}
        errors={p.errors}
        extra={{ inputmode: 'numeric' }}
      />
      <Input
        name="hours"
        label="Hours per session"
        hint={own}
        values={values}
        errors={p.errors}
        extra={{ inputmode: 'decimal' }}
      />
      <Input
        name="rate"
        label="Starting rate (mg/kg/h)"
        hint={own}
        values={values}
        errors={p.errors}
        extra={{ inputmode: 'decimal' }}
      />
      <div class="field">
        <label for="reason">Reason for any figure past the protocol’s limits</label>
        <FieldError id="reason" message={p.errors.reason} />
        <textarea id="reason" name="reason" rows="3" {...invalid('reason', p.errors)}>
          {values.reason ?? ''}
        </textarea>
      </div>
      <button class="button" type="submit">
        Save as a draft
      </button>
    </form>
  );
}

/** A protocol in the list with the figures a plan starts from. */
function protocolLine(x: LibraryProtocol): string {
  const i = x.definition.induction;
  return `${x.definition.name} (version ${x.version}): ${figure(i.sessions)} × ${figure(i.hoursPerSession)} h, from ${figure(x.definition.dosing.startMgPerKgPerHour, 3)} mg/kg/h`;
}

export interface SeriesPageProps {
  staff: StaffContext;
  patient: PatientName;
  plan: Plan;
  kind: 'induction' | 'booster';
  proposal: SeriesProposal;
  form: { location: string; date: string; time: string };
  zone: string;
  locationName: string;
  nameOf: (id: string | null) => string;
  /** What each session holds: the plan's minutes of infusion, and the type's time before and after it. */
  length: { infusionMin: number; beforeMin: number; afterMin: number };
  errors: Errors;
}

/** "4 h", "2 h 30 min", "45 min". */
function duration(min: number): string {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}

/** The proposed series: each session placed (a hidden choice) or, when it could not be, its alternatives as radios. */
export function SeriesPage(p: SeriesPageProps) {
  const path = p.kind === 'induction' ? 'series' : 'boosters';
  const label = p.kind === 'induction' ? 'Session' : 'Booster';
  const when = (c: SeriesCandidate) =>
    `${formatDateTime(c.start, p.zone)} until ${clockLabels(c.start + p.length.infusionMin * 60_000, p.zone).full}`;
  const around = [
    p.length.beforeMin ? `${duration(p.length.beforeMin)} before` : '',
    p.length.afterMin ? `${duration(p.length.afterMin)} after` : '',
  ].filter(Boolean);
  const what = (c: SeriesCandidate) =>
    [p.nameOf(c.resources.roomId), p.nameOf(c.resources.nurseId)].filter(Boolean).join(', ');
  return ClinicalFrame({
    staff: p.staff,
    patient: p.patient,
    tab: 'plan',
    title: p.kind === 'induction' ? 'Book the series' : 'Book the boosters',
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          At {p.locationName}, preferred time {p.form.time}
          {p.kind === 'induction' ? `, from ${p.form.date}` : ''}. Nothing is booked until you book the whole series.
        </p>
        <p class="series-length">
          Each {label.toLowerCase()} is {duration(p.length.infusionMin)} of infusion, as the plan gives
          {around.length > 0 ? `, and holds its nurse and chair ${around.join(' and ')}` : ''}.
        </p>
        {p.proposal.problems.length > 0 ? (
          <div class="notice notice-error" role="status">
            <ul>
              {p.proposal.problems.map((x) => (
                <li>{spacingMessage(x)}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <form method="post" action={`/staff/patients/${p.patient.id}/plan/${path}`}>
          <Csrf token={p.staff.csrfToken} />
          <input type="hidden" name="version" value={String(p.plan.version)} />
          <input type="hidden" name="location" value={p.form.location} />
          <input type="hidden" name="date" value={p.form.date} />
          <input type="hidden" name="time" value={p.form.time} />
          <div class="series-list">
            {p.proposal.sessions.map((s) => {
              const name = `s${s.number}`;
              const options =
                s.placed && !s.picked ? [s.placed, ...s.alternatives] : s.placed ? [s.placed] : s.alternatives;
              return (
                <fieldset class="radio-group" {...invalid(name, p.errors)}>
                  <legend>
                    {label} {String(s.number)}
                    {s.placed ? '' : ': no free time within the spacing rules'}
                  </legend>
                  <FieldError id={name} message={p.errors[name]} />
                  {s.placed === null || s.picked ? <input type="hidden" name={`a${s.number}`} value="1" /> : null}
                  {s.placed === null && options.length === 0 ? (
                    <p>No free time nearby. Try another start date.</p>
                  ) : null}
                  {(s.placed ? options.slice(0, 1) : options).map((c, i) => (
                    <label class="radio">
                      <input type="radio" name={name} value={String(c.start)} checked={s.placed !== null && i === 0} />{' '}
                      <span>
                        {when(c)}
                        <span class="hint series-where">{what(c)}</span>
                      </span>
                    </label>
                  ))}
                  {s.placed === null ? (
                    <p class="hint">Nearest free times: choose one, then check the spacing.</p>
                  ) : null}
                </fieldset>
              );
            })}
          </div>
          <div class="button-row">
            <button
              class="button button-secondary"
              type="submit"
              formaction={`/staff/patients/${p.patient.id}/plan/${path}/check`}
            >
              Check the times again
            </button>
            <button class="button" type="submit">
              Book all {String(p.proposal.sessions.length)}
            </button>
          </div>
        </form>
        <p>
          <a href={`/staff/patients/${p.patient.id}/plan`}>Back to the plan</a>
        </p>
      </Fragment>
    ),
  });
}
