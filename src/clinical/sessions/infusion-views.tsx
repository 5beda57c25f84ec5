import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { FieldError, Input, invalid, Select, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { formatTime } from '../../kernel/time/format.ts';
import { figure } from '../dosing/dose.ts';
import { ORDER_PROBLEMS } from './infusion-words.ts';
import type { InfusionView } from './infusion-read.ts';
import { SIDE_EFFECT_GRADES } from './infusion-settings.ts';
import type { SessionView } from './read.ts';
import { isClosed } from './state.ts';
import { sessionHref } from './views.tsx';

interface PartProps {
  staff: StaffContext;
  view: SessionView;
  values: Values;
  errors: Errors;
}

const mgh = (mg: number, concentration: number) => `${figure(mg)} mg/h (${figure(mg / concentration)} mL/h)`;
const KIND_WORDS = { start: 'Started', rate: 'Rate changed', pause: 'Paused', resume: 'Resumed', stop: 'Stopped' };

function Reason(props: { name: string; label: string; values: Values; errors: Errors; hint?: string }) {
  return Input({ ...props, extra: { maxlength: '300', autocomplete: 'off' } });
}

/** One command's form: the session version it is based on and the CSRF field, then its fields and button. */
function Command(props: { view: SessionView; staff: StaffContext; verb: string; label: string; children?: Child }) {
  const { patient, session } = props.view;
  return (
    <form method="post" action={`${sessionHref(patient.id, session.id)}/${props.verb}`} class="form infusion-form">
      <Csrf token={props.staff.csrfToken} />
      <input type="hidden" name="version" value={String(session.version)} />
      {props.children}
      <button class="button" type="submit">
        {props.label}
      </button>
    </form>
  );
}

function OrderFacts(props: { inf: InfusionView }) {
  const o = props.inf.order;
  if (!o || props.inf.orderProblem) return null;
  return (
    <dl class="summary-list">
      <div>
        <dt>Dose order</dt>
        <dd>
          {figure(o.mg_per_hour)} mg/h at {figure(o.pump_rate_ml_h)} mL/h for {figure(o.session_hours)} h, up to{' '}
          {figure(o.session_total_mg)} mg ({figure(o.mg_per_kg_h, 3)} mg/kg/h for {figure(o.weight_kg)} kg)
        </dd>
      </div>
      <div>
        <dt>Ordered bag</dt>
        <dd>
          Ketamine {figure(o.bag_mg)} mg in {figure(o.bag_ml)} mL ({figure(o.bag_mg / o.bag_ml, 3)} mg/mL)
        </dd>
      </div>
    </dl>
  );
}

function StartForm(props: PartProps & { inf: InfusionView }) {
  const { inf, values, errors } = props;
  const o = inf.order!;
  const witnesses: Array<[string, string]> = [
    ['', 'Choose who witnesses'],
    ...inf.witnesses.map((w): [string, string] => [w.id, `${w.name} (${w.role})`]),
  ];
  return (
    <Command view={props.view} staff={props.staff} verb="start" label="Start the infusion">
      <h3>Prepare and start</h3>
      <p>Record the bag as its label reads. It must match the order; a second nurse or provider witnesses the draw.</p>
      <fieldset>
        <legend>The bag</legend>
        <Input name="drug" label="Drug" values={{ drug: 'Ketamine', ...values }} errors={errors} />
        <Input name="lot" label="Lot number" values={values} errors={errors} extra={{ autocomplete: 'off' }} />
        <Input
          name="expires_on"
          label="Expiry date"
          type="date"
          values={values}
          errors={errors}
          hint="As printed on the bag; a lot past its date cannot be used."
        />
        <Input
          name="bag_mg"
          label="Ketamine in the bag (mg)"
          values={values}
          errors={errors}
          hint={`The order: ${figure(o.bag_mg)} mg`}
          extra={{ inputmode: 'decimal' }}
        />
        <Input
          name="bag_ml"
          label="Bag volume (mL)"
          values={values}
          errors={errors}
          hint={`The order: ${figure(o.bag_ml)} mL, so ${figure(o.bag_mg / o.bag_ml, 3)} mg/mL`}
          extra={{ inputmode: 'decimal' }}
        />
      </fieldset>
      <fieldset>
        <legend>Witness of the draw</legend>
        <Select name="witness" label="Witness" values={values} errors={errors} options={witnesses} />
        <Input
          name="witness_code"
          label="Witness’s authenticator code"
          values={{}}
          errors={errors}
          hint="The witness types the 6 digits their own app shows now."
          extra={{ inputmode: 'numeric', autocomplete: 'off', maxlength: '6' }}
        />
      </fieldset>
      <Input
        name="pump_rate"
        label="Pump rate (mL/h)"
        values={{ pump_rate: figure(o.pump_rate_ml_h), ...values }}
        errors={errors}
        hint={`The order’s rate: ${figure(o.pump_rate_ml_h)} mL/h = ${figure(o.mg_per_hour)} mg/h`}
        extra={{ inputmode: 'decimal' }}
      />
    </Command>
  );
}

function Running(props: PartProps & { inf: InfusionView }) {
  const { inf, view, values, errors } = props;
  const c = inf.concentration!;
  const zone = view.visit.timeZone;
  const state = view.session.state;
  const limits = inf.limits;
  const total = inf.infused;
  return (
    <Fragment>
      <dl class="summary-list infusion-now">
        <div>
          <dt>Rate now</dt>
          <dd>
            {inf.timeline.state === 'paused'
              ? 'Paused'
              : inf.timeline.state === 'stopped'
                ? 'Stopped'
                : inf.timeline.mgPerHour === null
                  ? '—'
                  : mgh(inf.timeline.mgPerHour, c)}
          </dd>
        </div>
        <div>
          <dt>Total infused</dt>
          <dd>
            <strong>{figure(total?.mg ?? 0)} mg</strong> of at most {figure(inf.limitMg ?? 0)} mg, at{' '}
            {formatTime(view.now, zone)}
            {total?.limitReachedAt ? `; the pump reached its limit at ${formatTime(total.limitReachedAt, zone)}` : ''}
          </dd>
        </div>
        <div>
          <dt>Highest rate</dt>
          <dd>{total ? mgh(total.highestMgPerHour, c) : '—'}</dd>
        </div>
        {limits ? (
          <div>
            <dt>Plan’s limits</dt>
            <dd>
              At most {mgh(limits.maxMgPerHour, c)}
              {limits.stepMgPerHour === null
                ? '; no titration: not above the order’s rate'
                : `; raise by at most ${mgh(limits.stepMgPerHour, c)} at a time`}
            </dd>
          </div>
        ) : null}
        {inf.bag ? (
          <div>
            <dt>Bag</dt>
            <dd>
              Lot {inf.bag.lot}, expires {inf.bag.expires_on}; drawn by {inf.names.get(inf.bag.drawn_by) ?? '—'},
              witnessed by {inf.names.get(inf.bag.witnessed_by) ?? '—'}
            </dd>
          </div>
        ) : null}
      </dl>
      {state === 'infusing' || state === 'paused' ? (
        <div class="infusion-commands">
          {state === 'infusing' ? (
            <Fragment>
              <Command view={view} staff={props.staff} verb="rate" label="Change the rate">
                <h3>Change the rate</h3>
                <Input
                  name="rate"
                  label="New pump rate (mL/h)"
                  values={values}
                  errors={errors}
                  hint={`${figure(c, 3)} mg/mL: each mL/h is ${figure(c, 3)} mg/h`}
                  extra={{ inputmode: 'decimal' }}
                />
                <Reason name="rate_reason" label="Reason for the change" values={values} errors={errors} />
              </Command>
              <Command view={view} staff={props.staff} verb="pause" label="Pause">
                <h3>Pause</h3>
                <Reason name="pause_reason" label="Reason for the pause" values={values} errors={errors} />
              </Command>
            </Fragment>
          ) : (
            <Command view={view} staff={props.staff} verb="resume" label="Resume">
              <h3>Resume</h3>
              <Reason name="resume_reason" label="Reason to resume" values={values} errors={errors} />
            </Command>
          )}
          <Command view={view} staff={props.staff} verb="stop" label="Stop the infusion">
            <h3>Stop</h3>
            <Reason
              name="stop_reason"
              label="Reason for stopping"
              values={values}
              errors={errors}
              hint="For example: completed, or why it ends early. Recovery begins."
            />
          </Command>
        </div>
      ) : null}
      <h3 id="timeline-caption">Timeline</h3>
      <div class="table-scroll" role="region" aria-labelledby="timeline-caption" tabindex="0">
        <table class="mailbox infusion-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Rate</th>
              <th scope="col">Reason</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {inf.events.map((e) => (
              <tr>
                <td>{formatTime(e.at, zone)}</td>
                <td>{KIND_WORDS[e.kind]}</td>
                <td>{e.mg_per_hour === null ? '' : mgh(e.mg_per_hour, c)}</td>
                <td>{e.reason ?? ''}</td>
                <td>{inf.names.get(e.recorded_by) ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Fragment>
  );
}

function SideEffects(props: PartProps & { inf: InfusionView }) {
  const { inf, view, values, errors } = props;
  const zone = view.visit.timeZone;
  const label = new Map(inf.sideEffectList.map((e) => [e.code, e.label]));
  const closed = isClosed(view.session.state);
  return (
    <section aria-labelledby="side-effects-h">
      <h2 id="side-effects-h">Side effects</h2>
      {inf.sideEffects.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <div class="table-scroll" role="region" aria-label="Side effects recorded" tabindex="0">
          <table class="mailbox infusion-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Side effect</th>
                <th scope="col">Grade</th>
                <th scope="col">Action taken</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {inf.sideEffects.map((e) => (
                <tr>
                  <td>{formatTime(e.at, zone)}</td>
                  <td>{label.get(e.effect) ?? e.effect}</td>
                  <td>{String(e.grade)}</td>
                  <td>{e.action}</td>
                  <td>{inf.names.get(e.recorded_by) ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {closed ? null : (
        <Command view={view} staff={props.staff} verb="side-effects" label="Record the side effect">
          <Select
            name="se_effect"
            label="Side effect"
            values={values}
            errors={errors}
            options={[['', 'Choose'], ...inf.sideEffectList.map((e): [string, string] => [e.code, e.label])]}
          />
          <fieldset class="radio-group" {...invalid('se_grade', errors, 'se_grade-hint')}>
            <legend>Severity</legend>
            <span class="hint" id="se_grade-hint">
              {inf.sideEffectsUnverified ? <span class="badge badge-unverified">Unverified</span> : null} Graded in the
              shape of CTCAE, 1 to 4.
            </span>
            <FieldError id="se_grade" message={errors.se_grade} />
            {SIDE_EFFECT_GRADES.map((g) => (
              <label>
                <input
                  type="radio"
                  name="se_grade"
                  value={String(g.grade)}
                  checked={(values.se_grade ?? '1') === String(g.grade)}
                />{' '}
                {g.label}
              </label>
            ))}
          </fieldset>
          <Reason name="se_action" label="Action taken" values={values} errors={errors} />
          <Input
            name="se_at"
            label="Time (optional)"
            values={values}
            errors={errors}
            hint="Leave empty for now; for a late entry, the time it happened today, such as 10:45."
            extra={{ inputmode: 'numeric', autocomplete: 'off', maxlength: '5' }}
          />
        </Command>
      )}
    </section>
  );
}

function Medications(props: PartProps & { inf: InfusionView }) {
  const { inf, view, values, errors } = props;
  const zone = view.visit.timeZone;
  const closed = isClosed(view.session.state);
  const givable = inf.orders.filter((o) => o.limits !== null);
  const routes = [...new Set(givable.flatMap((o) => o.limits!.routes))];
  return (
    <section aria-labelledby="medications-h">
      <h2 id="medications-h">Medications</h2>
      {inf.orders.length === 0 ? (
        <p>The plan’s protocol orders no other medications.</p>
      ) : (
        <ul class="infusion-orders">
          {inf.orders.map((o) => (
            <li>
              <strong>{o.order.drug}</strong> {o.order.dose}
              {o.order.asNeeded ? ', as needed' : ''}:{' '}
              {o.limits
                ? `up to ${figure(o.limits.doseMg, 3)} mg at a time, ${figure(o.limits.maxMgPerSession, 3)} mg a session (${figure(o.givenMg, 3)} mg given) by ${o.limits.routes.join(' or ')}`
                : 'no dose limits set in the protocol library, so it cannot be recorded here'}
            </li>
          ))}
        </ul>
      )}
      {inf.medications.length === 0 ? null : (
        <div class="table-scroll" role="region" aria-label="Medications given" tabindex="0">
          <table class="mailbox infusion-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Medication</th>
                <th scope="col">Dose</th>
                <th scope="col">Route</th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {inf.medications.map((m) => (
                <tr>
                  <td>{formatTime(m.at, zone)}</td>
                  <td>{m.drug}</td>
                  <td>{figure(m.dose_mg, 3)} mg</td>
                  <td>{m.route}</td>
                  <td>{m.reason}</td>
                  <td>{inf.names.get(m.recorded_by) ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {closed || givable.length === 0 ? null : (
        <Command view={view} staff={props.staff} verb="medications" label="Record the dose">
          <Select
            name="med_drug"
            label="Medication"
            values={values}
            errors={errors}
            options={[['', 'Choose'], ...givable.map((o): [string, string] => [o.order.drug, o.order.drug])]}
          />
          <Input
            name="med_dose"
            label="Dose (mg)"
            values={values}
            errors={errors}
            extra={{ inputmode: 'decimal', autocomplete: 'off' }}
          />
          <Select
            name="med_route"
            label="Route"
            values={values}
            errors={errors}
            options={routes.map((r): [string, string] => [r, r])}
          />
          <Reason name="med_reason" label="Reason for the dose" values={values} errors={errors} />
          <Input
            name="med_at"
            label="Time (optional)"
            values={values}
            errors={errors}
            hint="Leave empty for now; for a late entry, the time it was given today, such as 10:45."
            extra={{ inputmode: 'numeric', autocomplete: 'off', maxlength: '5' }}
          />
        </Command>
      )}
    </section>
  );
}

/** The infusion part of the session page: the order, the start, the running infusion, side effects, medications. */
export function InfusionPart(props: { staff: StaffContext; view: SessionView; values?: Values; errors?: Errors }) {
  const inf = props.view.infusion;
  if (!inf) return null;
  const p = { staff: props.staff, view: props.view, values: props.values ?? {}, errors: props.errors ?? {} };
  const { session } = props.view;
  const started = session.started_at !== null;
  return (
    <div class="infusion-part">
      <section aria-labelledby="infusion-h">
        <h2 id="infusion-h">Infusion</h2>
        {inf.orderProblem && !started ? (
          <div class="notice notice-warning">
            <p>{ORDER_PROBLEMS[inf.orderProblem]}</p>
          </div>
        ) : null}
        <OrderFacts inf={inf} />
        {session.state === 'ready' && !inf.orderProblem && inf.order ? <StartForm {...p} inf={inf} /> : null}
        {session.state === 'checked_in' && !inf.orderProblem ? (
          <p>The infusion can start once the pre-infusion checks are done.</p>
        ) : null}
        {started ? <Running {...p} inf={inf} /> : null}
      </section>
      <SideEffects {...p} inf={inf} />
      <Medications {...p} inf={inf} />
    </div>
  );
}
