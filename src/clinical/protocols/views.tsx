import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { figure } from '../dosing/dose.ts';
import { DoseWorking } from '../dosing/working-view.tsx';
import type { DosePreview, LibraryProtocol } from './library.ts';
import { ErrorSummary } from '../../kernel/ui/form.tsx';
import { orderLimits, type ExtraOrder, type Sourced } from './protocol.ts';
import { limitsValues, OrderLimitsForm, type LimitsForm } from './order-limits-view.tsx';

/** Marks a figure not confirmed against a published source, in words (never colour alone). */
function Unverified(p: { part: Sourced }) {
  return p.part.unverified ? <span class="badge badge-unverified">Unverified</span> : null;
}

function Source(p: { part: Sourced }) {
  return (
    <p class="protocol-source">
      <Unverified part={p.part} /> Source: {p.part.source}
    </p>
  );
}

/** The numbers a dose recorded during a session is checked against, or why none can be recorded. */
function OrderLimits(p: { order: ExtraOrder }) {
  const limits = orderLimits(p.order);
  return limits ? (
    <span class="protocol-order-limits">
      Checked on each dose: up to {figure(limits.doseMg, 3)} mg at a time and {figure(limits.maxMgPerSession, 3)} mg a
      session, by {limits.routes.join(' or ')}.
    </span>
  ) : (
    <strong class="protocol-order-limits">
      No numeric limits: it cannot be recorded during a session until they are set.
    </strong>
  );
}

function Fact(p: { term: string; value: string }) {
  return (
    <div>
      <dt>{p.term}</dt>
      <dd>{p.value}</dd>
    </div>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${figure(n)} ${n === 1 ? one : many}`;

function doseSummary(p: LibraryProtocol): string {
  const d = p.definition.dosing;
  const rate =
    d.startMgPerKgPerHour === d.maxMgPerKgPerHour
      ? `${figure(d.startMgPerKgPerHour, 3)} mg/kg/h`
      : `${figure(d.startMgPerKgPerHour, 3)}–${figure(d.maxMgPerKgPerHour, 3)} mg/kg/h`;
  return `${rate}, at most ${figure(d.capMgPerHour)} mg/h and ${figure(d.maxMgPerSession)} mg a session`;
}

function seriesSummary(p: LibraryProtocol): string {
  const i = p.definition.induction;
  return `${plural(i.sessions, 'session')} of ${plural(i.hoursPerSession, 'hour')}`;
}

export function ProtocolsPage(p: { staff: StaffContext; protocols: LibraryProtocol[]; notice?: string }) {
  const admin = p.staff.role === 'admin';
  return StaffLayout({
    title: 'Protocols',
    staff: p.staff,
    path: '/staff/protocols',
    children: (
      <Fragment>
        <h1>Protocols</h1>
        {p.notice ? (
          <div class="notice notice-success" role="status">
            <p>{p.notice}</p>
          </div>
        ) : null}
        <p>
          A protocol says how a course of infusions runs and how it is dosed. Every figure is the clinic’s own data,
          shown with its source; a plan keeps the version it was made from. Figures marked{' '}
          <span class="badge badge-unverified">Unverified</span> are suggestions not confirmed against a published
          source: the medical director reviews them before any patient is dosed by them.
        </p>
        {p.protocols.length === 0 ? (
          <div class="card">
            <h2>No protocols yet</h2>
            {admin ? (
              <Fragment>
                <p>
                  Start from three suggestions: the published 4-hour, 10-day outpatient series for CRPS (Schwartzman
                  2009), a shorter series as many clinics run it, and a single 4-hour booster.
                </p>
                <form method="post" action="/staff/protocols/suggested" class="inline-form">
                  <Csrf token={p.staff.csrfToken} />
                  <button class="button" type="submit">
                    Add the suggested protocols
                  </button>
                </form>
              </Fragment>
            ) : (
              <p>An administrator adds the clinic’s protocols.</p>
            )}
          </div>
        ) : (
          <div class="table-scroll">
            <table class="protocols-table">
              <caption class="visually-hidden">Protocols in use, newest version of each</caption>
              <thead>
                <tr>
                  <th scope="col">Protocol</th>
                  <th scope="col">Series</th>
                  <th scope="col">Dose</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {p.protocols.map((proto) => (
                  <tr>
                    <th scope="row">
                      <a href={`/staff/protocols/${proto.code}`}>{proto.definition.name}</a>
                      {proto.unverified ? (
                        <span class="protocol-flag">
                          <span class="badge badge-unverified">Unverified</span> figures to review
                        </span>
                      ) : null}
                    </th>
                    <td>{seriesSummary(proto)}</td>
                    <td>{doseSummary(proto)}</td>
                    <td>{String(proto.version)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Fragment>
    ),
  });
}

export interface PreviewForm {
  values: Record<string, string>;
  errors: Record<string, string>;
}

function Field(p: { name: string; label: string; form: PreviewForm; hint?: string; inputmode?: string }) {
  const error = p.form.errors[p.name];
  const described = [p.hint ? `${p.name}-hint` : '', error ? `${p.name}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <span class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </span>
      ) : null}
      {error ? (
        <p class="field-error" id={`${p.name}-error`}>
          {error}
        </p>
      ) : null}
      <input
        type="text"
        inputmode={p.inputmode ?? 'decimal'}
        id={p.name}
        name={p.name}
        value={p.form.values[p.name] ?? ''}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
    </div>
  );
}

function PreviewResult(p: { preview: DosePreview }) {
  const { result } = p.preview;
  if (!result.ok) return null;
  const d = result.dose;
  return (
    <section aria-labelledby="preview-result" class="dose-preview">
      <h3 id="preview-result">
        Pump rate {figure(d.ordered.pumpRateMlPerHour, 3)} mL/h ({figure(d.ordered.mgPerHour, 2)} mg/h)
      </h3>
      <DoseWorking lines={d.lines} caption="The working, line by line" />
      {d.titration.length > 1 ? (
        <Fragment>
          <h4>Titration steps</h4>
          <table class="dose-lines">
            <thead>
              <tr>
                <th scope="col">mg/kg/h</th>
                <th scope="col">Pump rate</th>
                <th scope="col">mg/h</th>
                <th scope="col">Limited by</th>
              </tr>
            </thead>
            <tbody>
              {d.titration.map((t) => (
                <tr>
                  <td>{figure(t.mgPerKgPerHour, 3)}</td>
                  <td>{figure(t.pumpRateMlPerHour, 3)} mL/h</td>
                  <td>{figure(t.mgPerHour, 2)}</td>
                  <td>{LIMIT_NAMES[t.limit]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Fragment>
      ) : null}
    </section>
  );
}

const LIMIT_NAMES = { weight: 'the weight', cap_mg_per_hour: 'the absolute cap', session_max: 'the session maximum' };

export function ProtocolPage(p: {
  staff: StaffContext;
  protocol: LibraryProtocol;
  versions: number[];
  form: PreviewForm;
  preview?: DosePreview;
  limits?: LimitsForm;
  saved?: string;
}) {
  const { definition: d } = p.protocol;
  const m = d.maintenance;
  const problems = Object.keys(p.form.errors).length;
  return StaffLayout({
    title: d.name,
    staff: p.staff,
    path: '/staff/protocols',
    children: (
      <Fragment>
        <p class="breadcrumb">
          <a href="/staff/protocols">Protocols</a>
        </p>
        <h1>{d.name}</h1>
        {p.saved ? (
          <div class="notice notice-success" role="status">
            <p>{p.saved}</p>
          </div>
        ) : null}
        {p.limits && Object.keys(p.limits.errors).length > 0 ? <ErrorSummary errors={p.limits.errors} /> : null}
        <p>
          For: {d.indication}. Version {String(p.protocol.version)}
          {p.versions.length > 1 ? ` of ${p.versions.length}` : ''}.
        </p>
        {p.staff.role === 'admin' ? (
          <p>
            <a class="button button-secondary" href={`/staff/protocols/${p.protocol.code}/edit`}>
              Edit this protocol
            </a>
          </p>
        ) : null}

        <h2>Induction series</h2>
        <dl class="summary-list">
          <Fact
            term="Sessions"
            value={`${plural(d.induction.sessions, 'session')} of ${plural(d.induction.hoursPerSession, 'hour')}`}
          />
          <Fact
            term="Days between sessions"
            value={`${figure(d.induction.minDaysBetween)} to ${figure(d.induction.maxDaysBetween)}`}
          />
          <Fact term="All within" value={plural(d.induction.windowDays, 'day')} />
        </dl>
        <Source part={d.induction} />

        <h2>Boosters</h2>
        <dl class="summary-list">
          <Fact
            term="When"
            value={
              m.kind === 'intervals'
                ? m.intervalsDays.length === 0
                  ? 'None planned'
                  : `${m.intervalsDays.map((n) => figure(n)).join(', ')} days after the last induction session`
                : `On response, at least ${plural(m.minDaysBetween, 'day')} apart`
            }
          />
          <Fact term="Length" value={plural(m.hoursPerSession, 'hour')} />
        </dl>
        <Source part={m} />

        <h2>Dosing</h2>
        <dl class="summary-list">
          <Fact term="Starting rate" value={`${figure(d.dosing.startMgPerKgPerHour, 3)} mg/kg/h`} />
          <Fact
            term="Titration"
            value={
              d.dosing.titrationStepMgPerKgPerHour === null
                ? 'None: the rate stays at the starting rate'
                : `Steps of ${figure(d.dosing.titrationStepMgPerKgPerHour, 3)} mg/kg/h up to ${figure(d.dosing.maxMgPerKgPerHour, 3)} mg/kg/h`
            }
          />
          <Fact term="Absolute cap" value={`${figure(d.dosing.capMgPerHour)} mg/h, whatever the weight`} />
          <Fact term="Most in one session" value={`${figure(d.dosing.maxMgPerSession)} mg, any bolus included`} />
          <Fact
            term="Bolus"
            value={
              d.dosing.bolusMaxMgPerKg === null ? 'Not allowed' : `Up to ${figure(d.dosing.bolusMaxMgPerKg, 3)} mg/kg`
            }
          />
        </dl>
        <Source part={d.dosing} />

        <h2>Standard bag</h2>
        <dl class="summary-list">
          <Fact
            term="Contents"
            value={`${figure(d.bag.drugMg)} mg in ${figure(d.bag.volumeMl)} mL (${figure(d.bag.drugMg / d.bag.volumeMl, 3)} mg/mL)`}
          />
        </dl>
        <Source part={d.bag} />

        <h2>Monitoring</h2>
        <dl class="summary-list">
          <Fact
            term="Vital signs"
            value={`Every ${plural(d.monitoring.firstHourEveryMinutes, 'minute')} in the first hour, then every ${plural(d.monitoring.thenEveryMinutes, 'minute')}`}
          />
        </dl>
        <Source part={d.monitoring} />

        <h2>Other orders</h2>
        {d.extraOrders.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul class="protocol-orders">
            {d.extraOrders.map((o) => (
              <li>
                {o.drug} {o.dose} ({o.route}){o.asNeeded ? ', as needed' : ''}; at most {o.maxPerSession} a session.{' '}
                <OrderLimits order={o} />
              </li>
            ))}
          </ul>
        )}
        <Source part={d.extraOrdersSource} />
        <OrderLimitsForm
          staff={p.staff}
          protocol={p.protocol}
          form={p.limits ?? { values: limitsValues(p.protocol), errors: {} }}
        />

        <h2>Discharge</h2>
        <dl class="summary-list">
          <Fact
            term="Observation after the infusion"
            value={`At least ${plural(d.discharge.minObservationMinutes, 'minute')}`}
          />
          <Fact term="Modified Aldrete score" value={`${figure(d.discharge.aldreteAtLeast)} or more`} />
          <Fact
            term="Escort home"
            value={d.discharge.escortRequired ? 'An adult must take the patient home' : 'Not required'}
          />
        </dl>
        <Source part={d.discharge} />

        <h2 id="calculator">Try the dose calculator</h2>
        <p>
          See what this protocol gives for a weight, before any patient is dosed by it. Nothing is saved and no patient
          is involved; a dose order is written from a patient’s plan, with a measured weight, and checked by a second
          person.
        </p>
        {problems > 0 ? (
          <div class="notice notice-error" role="alert">
            <p>
              {problems === 1 ? 'One figure needs' : `${problems} figures need`} changing: see{' '}
              {Object.keys(p.form.errors).map((k, i) => (
                <Fragment>
                  {i > 0 ? ', ' : ''}
                  <a href={`#${k}`}>{FIELD_NAMES[k] ?? k}</a>
                </Fragment>
              ))}
              .
            </p>
          </div>
        ) : null}
        <form method="get" action={`/staff/protocols/${p.protocol.code}#calculator`} class="dose-form">
          <Field name="weight" label="Weight" form={p.form} hint="For example 72.5" />
          <fieldset class="field" aria-describedby={p.form.errors.unit ? 'unit-error' : undefined}>
            <legend>Unit</legend>
            {p.form.errors.unit ? (
              <p class="field-error" id="unit-error">
                {p.form.errors.unit}
              </p>
            ) : null}
            {(['kg', 'lb'] as const).map((unit, i) => (
              <label class="radio">
                <input
                  type="radio"
                  name="unit"
                  value={unit}
                  id={i === 0 ? 'unit' : undefined}
                  checked={(p.form.values.unit ?? 'kg') === unit}
                />{' '}
                {unit === 'kg' ? 'kilograms' : 'pounds'}
              </label>
            ))}
          </fieldset>
          <Field
            name="hours"
            label="Hours"
            form={p.form}
            hint={`The protocol’s session is ${plural(d.induction.hoursPerSession, 'hour')}`}
          />
          <Field
            name="rate"
            label="Rate (mg/kg/h)"
            form={p.form}
            hint={`From ${figure(d.dosing.startMgPerKgPerHour, 3)} to ${figure(d.dosing.maxMgPerKgPerHour, 3)}`}
          />
          {d.dosing.bolusMaxMgPerKg === null ? null : (
            <Field
              name="bolus"
              label="Bolus (mg/kg)"
              form={p.form}
              hint={`0 for none; at most ${figure(d.dosing.bolusMaxMgPerKg, 3)}`}
            />
          )}
          <button class="button" type="submit">
            Calculate
          </button>
        </form>
        {p.preview ? <PreviewResult preview={p.preview} /> : null}
      </Fragment>
    ),
  });
}

export const FIELD_NAMES: Record<string, string> = {
  weight: 'Weight',
  unit: 'Unit',
  hours: 'Hours',
  rate: 'Rate',
  bolus: 'Bolus',
};
