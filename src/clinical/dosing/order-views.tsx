import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { FieldError, Input, Select, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDateTime } from '../../kernel/time/format.ts';
import { ClinicalFrame, clinicalHref } from '../patient-frame.tsx';
import { figure, KG_PER_LB, type DoseCalculation, type DoseLine } from './dose.ts';
import { DoseWorking } from './working-view.tsx';
import type { OrderSession } from './order-dose.ts';
import type { PlanSessionRow } from './order-repository.ts';
import type { OrderDetail, OrderState, SessionSummary, VoidedSummary } from './orders.ts';

type PatientName = { id: string; first_name: string; last_name: string };

const ordersHref = (patientId: string) => clinicalHref(patientId, 'orders');
export const orderHref = (patientId: string, orderId: string) => `${ordersHref(patientId)}/${orderId}`;
export const sessionHref = (patientId: string, appointmentId: string) =>
  `${ordersHref(patientId)}/sessions/${appointmentId}`;

export const sessionName = (s: Pick<PlanSessionRow, 'kind' | 'number'>) =>
  s.kind === 'booster' ? `Booster ${s.number}` : `Infusion ${s.number} of the series`;

const when = (s: PlanSessionRow) => `${formatDateTime(s.starts_at, s.time_zone)}, ${s.location_name}`;

const STATE_TEXT: Record<OrderState | 'void', string> = {
  none: 'No order yet',
  ordered: 'Ordered — awaiting the double check',
  mismatch: 'Mismatch — re-check or void',
  verified: 'Verified',
  void: 'Void',
};

function State(p: { state: OrderState | 'void' }) {
  return <span class={`order-state order-state-${p.state}`}>{STATE_TEXT[p.state]}</span>;
}

export function DoseOrdersPage(p: {
  staff: StaffContext;
  patient: PatientName;
  sessions: SessionSummary[];
  voided: VoidedSummary[];
}) {
  const prescriber = p.staff.role === 'provider';
  return ClinicalFrame({
    staff: p.staff,
    patient: p.patient,
    tab: 'orders',
    children: (
      <Fragment>
        <p class="order-intro">
          Each dose is ordered by a provider for one session, and checked by a second clinician before it is given. An
          order holds for its session only: a new weight or a change to the plan voids it.
        </p>
        <h2>Sessions to come</h2>
        {p.sessions.length === 0 ? (
          <p>No infusion or booster of an active plan is booked for this patient.</p>
        ) : (
          <div class="table-scroll">
            <table class="mailbox orders-table">
              <caption class="visually-hidden">Sessions of the treatment plan and their dose orders</caption>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">When and where</th>
                  <th scope="col">Dose order</th>
                </tr>
              </thead>
              <tbody>
                {p.sessions.map((s) => (
                  <tr>
                    <th scope="row">{sessionName(s.session)}</th>
                    <td>{when(s.session)}</td>
                    <td>
                      <State state={s.state} />
                      <br />
                      {s.orderId ? (
                        <a href={orderHref(p.patient.id, s.orderId)}>
                          Open the order<span class="visually-hidden"> for {sessionName(s.session)}</span>
                        </a>
                      ) : prescriber && s.session.plan_status === 'active' ? (
                        <a href={sessionHref(p.patient.id, s.session.appointment_id)}>
                          Order the dose<span class="visually-hidden"> for {sessionName(s.session)}</span>
                        </a>
                      ) : s.session.plan_status !== 'active' ? (
                        'Plan paused'
                      ) : (
                        'Awaiting a provider’s order'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {p.voided.length > 0 ? (
          <Fragment>
            <h2>Void orders</h2>
            <ul class="voided-orders">
              {p.voided.map((v) => (
                <li>
                  <a href={orderHref(p.patient.id, v.orderId)}>
                    {v.session ? sessionName(v.session) : 'A session'}
                    {v.session ? `, ${formatDateTime(v.session.starts_at, v.session.time_zone)}` : ''}
                  </a>
                  : {v.reason}
                </li>
              ))}
            </ul>
          </Fragment>
        ) : null}
      </Fragment>
    ),
  });
}

function Working(p: { lines: DoseLine[]; caption: string }) {
  return (
    <div class="order-working">
      <DoseWorking lines={p.lines} caption={p.caption} />
    </div>
  );
}

function Unverified(p: { on: boolean }) {
  return p.on ? <span class="badge badge-unverified">Unverified</span> : null;
}

function Sources(p: { ctx: OrderSession }) {
  const { dosing, settings } = p.ctx;
  const unverified = dosing.rule.unverified || dosing.bag.unverified || settings.unverified;
  return (
    <details class="order-sources">
      <summary>
        Where these figures come from
        {unverified ? (
          <Fragment>
            {' '}
            <span class="badge badge-unverified">Unverified</span> defaults among them
          </Fragment>
        ) : null}
      </summary>
      <dl class="summary-list">
        <div>
          <dt>Dosing rule</dt>
          <dd>
            <Unverified on={dosing.rule.unverified} /> {dosing.rule.source}
          </dd>
        </div>
        <div>
          <dt>Standard bag</dt>
          <dd>
            {figure(dosing.bag.drugMg)} mg in {figure(dosing.bag.volumeMl)} mL <Unverified on={dosing.bag.unverified} />{' '}
            {dosing.bag.source}
          </dd>
        </div>
        <div>
          <dt>Calculator settings</dt>
          <dd>
            {settings.version === 0 ? 'Shipped defaults' : `Version ${settings.version}`}{' '}
            <Unverified on={settings.unverified} />
            <ul>
              {settings.source.split('; ').map((part) => (
                <li>{part}</li>
              ))}
            </ul>
          </dd>
        </div>
      </dl>
    </details>
  );
}

function Headline(p: { dose: Pick<DoseCalculation, 'ordered' | 'sessionTotalMg' | 'bolus'> }) {
  const { ordered, sessionTotalMg, bolus } = p.dose;
  return (
    <p class="order-headline">
      <strong>
        Pump rate {figure(ordered.pumpRateMlPerHour, 3)} mL/h ({figure(ordered.mgPerHour, 2)} mg/h)
      </strong>
      {bolus ? `, after a bolus of ${figure(bolus.ml, 3)} mL (${figure(bolus.mg, 2)} mg)` : ''}; session total{' '}
      {figure(sessionTotalMg, 2)} mg.
    </p>
  );
}

/** Refusals of the order form that concern the session, its plan or its weight rather than a control. */
const PAGE_FIELDS = ['form', 'plan', 'session', 'weight'];

/** The order form for one session: the working, the choices, and the signature. */
export function OrderSessionPage(p: { staff: StaffContext; ctx: OrderSession; values: Values; errors: Errors }) {
  const { ctx, values, errors } = p;
  const { session, dosing, weight } = ctx;
  const action = sessionHref(ctx.patient.id, session.appointment_id);
  const canSign = ctx.blocks.length === 0 && !ctx.liveOrderId && ctx.dose !== null;
  return ClinicalFrame({
    staff: p.staff,
    patient: ctx.patient,
    tab: 'orders',
    title: `Order the dose: ${sessionName(session)}`,
    errors,
    children: (
      <Fragment>
        <p class="setup-back">
          <a href={ordersHref(ctx.patient.id)}>← All sessions</a>
        </p>
        <dl class="summary-list">
          <div>
            <dt>Session</dt>
            <dd>
              {when(session)} · {figure(ctx.sessionHours)} hours
            </dd>
          </div>
          <div>
            <dt>Latest weight</dt>
            <dd>
              {weight
                ? `${figure(weight.kg, 2)} kg (${figure(weight.kg / KG_PER_LB, 1)} lb), measured ${formatDateTime(weight.measured_at, session.time_zone)}`
                : 'None on record'}
            </dd>
          </div>
        </dl>
        {/* Where the error summary's links land for refusals that name no form control. */}
        {PAGE_FIELDS.map((key) => (
          <FieldError id={key} message={errors[key]} />
        ))}
        {ctx.liveOrderId ? (
          <div class="notice notice-warning">
            <p>
              This session already has a dose order. <a href={orderHref(ctx.patient.id, ctx.liveOrderId)}>Open it</a>;
              to order again, a provider voids it first.
            </p>
          </div>
        ) : null}
        {ctx.blocks.length > 0 ? (
          <div class="notice notice-error" role="alert">
            <h2>No dose can be ordered yet</h2>
            <ul>
              {ctx.blocks.map((b) => (
                <li>{b.message}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {ctx.dose ? (
          <section aria-labelledby="working" class="dose-preview">
            <h2 id="working">The working</h2>
            <Headline dose={ctx.dose} />
            <Working lines={ctx.dose.lines} caption="The dose worked out line by line" />
            <p class="hint">
              Rounding: the pump rate is rounded down to {figure(ctx.settings.body.pumpRateStepMlPerHour, 3)} mL/h
              {ctx.dose.bolus ? ` and the bolus to ${figure(ctx.settings.body.bolusStepMl, 3)} mL` : ''}, once, at the
              end; every figure before it keeps its full precision.
            </p>
          </section>
        ) : null}
        <Sources ctx={ctx} />
        {ctx.blocks.length === 0 && !ctx.liveOrderId ? (
          <form method="post" action={action} class="dose-form order-form">
            <Csrf token={p.staff.csrfToken} />
            <input type="hidden" name="weight_id" value={weight?.id ?? ''} />
            <input type="hidden" name="plan_id" value={session.plan_id} />
            <input type="hidden" name="plan_version" value={String(session.plan_version)} />
            <h2>Choices</h2>
            <Input
              name="bag_mg"
              label="Ketamine in the bag (mg)"
              values={values}
              errors={errors}
              hint={`The plan’s bag: ${figure(dosing.bag.drugMg)} mg`}
            />
            <Input
              name="bag_ml"
              label="Bag volume (mL)"
              values={values}
              errors={errors}
              hint={`The plan’s bag: ${figure(dosing.bag.volumeMl)} mL`}
            />
            <Input
              name="rate"
              label="Rate (mg/kg/h)"
              values={values}
              errors={errors}
              hint={`From ${figure(dosing.rule.startMgPerKgPerHour, 3)} (the start) to ${figure(dosing.rule.maxMgPerKgPerHour, 3)}`}
            />
            {dosing.rule.bolusMaxMgPerKg === null ? null : (
              <Input
                name="bolus"
                label="Bolus (mg/kg)"
                values={values}
                errors={errors}
                hint={`0 for none; at most ${figure(dosing.rule.bolusMaxMgPerKg, 3)}`}
              />
            )}
            <button class="button button-secondary" type="submit" name="intent" value="preview">
              Work it out again
            </button>
            <h2>Sign the order</h2>
            {canSign ? (
              <Fragment>
                <p>Check the working above, then sign with the code from your authenticator app.</p>
                <Input
                  name="code"
                  label="Authenticator code"
                  values={{}}
                  errors={errors}
                  hint="6 digits"
                  extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
                />
                <button class="button" type="submit" name="intent" value="sign">
                  Sign and order
                </button>
              </Fragment>
            ) : (
              <p>Correct the choices and work the dose out again before signing.</p>
            )}
          </form>
        ) : null}
      </Fragment>
    ),
  });
}

/** One order: its figures for whoever may see them, the check for whoever may enter it, and voiding. */
export function OrderPage(p: {
  staff: StaffContext;
  detail: OrderDetail;
  values: Values;
  errors: Errors;
  saved?: string | undefined;
}) {
  const { detail: d, values, errors } = p;
  const base = orderHref(d.patient.id, d.order.id);
  const live = d.order.status !== 'void';
  const mayVoid = live && p.staff.role === 'provider';
  return ClinicalFrame({
    staff: p.staff,
    patient: d.patient,
    tab: 'orders',
    title: `Dose order: ${sessionName(d.session)}`,
    saved: p.saved,
    errors,
    children: (
      <Fragment>
        <p class="setup-back">
          <a href={ordersHref(d.patient.id)}>← All sessions</a>
        </p>
        <dl class="summary-list">
          <div>
            <dt>Session</dt>
            <dd>{when(d.session)}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              <State state={d.state} />
            </dd>
          </div>
          <div>
            <dt>Ordered</dt>
            <dd>
              {d.orderedBy}, {formatDateTime(d.order.ordered_at, d.session.time_zone)}
            </dd>
          </div>
          {d.verifiedBy && d.order.verified_at !== null ? (
            <div>
              <dt>Checked and verified</dt>
              <dd>
                {d.verifiedBy}, {formatDateTime(d.order.verified_at, d.session.time_zone)}
              </dd>
            </div>
          ) : null}
          {d.order.status === 'void' ? (
            <div>
              <dt>Voided</dt>
              <dd>
                {d.order.voided_at !== null ? formatDateTime(d.order.voided_at, d.session.time_zone) : ''}:{' '}
                {d.order.void_reason}
              </dd>
            </div>
          ) : null}
        </dl>
        <FieldError id="form" message={errors.form} />
        {d.lastCheck && !d.lastCheck.match && d.order.status === 'ordered' ? (
          <div class="notice notice-error" role="alert">
            <p>
              The last check, by {d.lastCheck.by} at {formatDateTime(d.lastCheck.at, d.session.time_zone)}, did not
              match the order: {d.lastCheck.mismatches.map((m) => MISMATCH[m] ?? m).join(' and ')}. The order cannot be
              given. Weigh and read the bag again and enter a new check, or ask a provider to void the order.
            </p>
          </div>
        ) : null}
        {d.figures ? (
          <section aria-labelledby="figures" class="dose-preview">
            <h2 id="figures">The order</h2>
            <p class="order-headline">
              <strong>
                Pump rate {figure(d.order.pump_rate_ml_h, 3)} mL/h ({figure(d.order.mg_per_hour, 2)} mg/h)
              </strong>{' '}
              for {figure(d.order.session_hours)} hours; session total {figure(d.order.session_total_mg, 2)} mg. Bag{' '}
              {figure(d.order.bag_mg)} mg in {figure(d.order.bag_ml)} mL; weight {figure(d.order.weight_kg, 2)} kg.
            </p>
            {d.order.status === 'ordered' ? (
              <p class="notice notice-warning">
                Not to be given yet: another clinician checks the weight and the bag first. You ordered it, so you
                cannot check it yourself.
              </p>
            ) : null}
            <Working lines={d.figures.lines} caption="The dose as ordered, line by line" />
          </section>
        ) : null}
        {d.mayVerify ? <VerifyForm action={`${base}/verify`} staff={p.staff} values={values} errors={errors} /> : null}
        {mayVoid ? (
          <form method="post" action={`${base}/void`} class="dose-form void-form">
            <Csrf token={p.staff.csrfToken} />
            <h2>Void this order</h2>
            <p>A void order cannot be given or restored; order again for the session if it is still to be dosed.</p>
            <div class="field">
              <label for="reason">Reason</label>
              <FieldError id="reason" message={errors.reason} />
              <textarea id="reason" name="reason" rows="3" maxlength="500" {...invalid('reason', errors)}>
                {values.reason ?? ''}
              </textarea>
            </div>
            <button class="button button-secondary" type="submit">
              Void the order
            </button>
          </form>
        ) : null}
      </Fragment>
    ),
  });
}

const MISMATCH: Record<string, string> = {
  weight: 'the weight differs',
  concentration: 'the bag’s concentration differs',
};

function VerifyForm(p: { action: string; staff: StaffContext; values: Values; errors: Errors }) {
  return (
    <form method="post" action={p.action} class="dose-form verify-form">
      <Csrf token={p.staff.csrfToken} />
      <h2>Independent check</h2>
      <p>
        Weigh the patient and read the bag, then enter what you find. The ordered figures are shown once the check
        matches.
      </p>
      <Input name="weight" label="Weight" values={p.values} errors={p.errors} hint="For example 72.5" />
      <Select
        name="unit"
        label="Unit"
        values={p.values}
        errors={p.errors}
        options={[
          ['kg', 'kilograms'],
          ['lb', 'pounds'],
        ]}
      />
      <Input name="bag_mg" label="Ketamine in the bag (mg)" values={p.values} errors={p.errors} />
      <Input name="bag_ml" label="Bag volume (mL)" values={p.values} errors={p.errors} />
      <button class="button" type="submit">
        Record the check
      </button>
    </form>
  );
}
