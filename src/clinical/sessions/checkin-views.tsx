import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Check, FieldError, Input, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { formatTime } from '../../kernel/time/format.ts';
import { URINARY_QUESTIONS, URINARY_SOURCE, formOfAnswers } from './checkin-answers.ts';
import type { CheckinPart } from './checkin-read.ts';
import type { Problem } from './checkin-readiness.ts';
import type { VitalsRow } from './checkin-repository.ts';
import type { StartBlocker } from './alerts.ts';
import type { SessionView } from './read.ts';
import { isClosed } from './state.ts';
import { sessionHref } from './views.tsx';
import { DISSOCIATION_SCALE, RASS_SCALE, VITALS_LIMITS } from './vitals.ts';

/** Which of the part's forms a refused command re-renders with the values typed. */
export type CheckinForm = 'checklist' | 'vitals' | 'not_given' | 'override' | 'checks';

export interface CheckinFormState {
  form: CheckinForm;
  values: Values;
  errors: Errors;
}

export const CHECKIN_SAVED: Record<string, string> = {
  checked_in: 'Checked in, and marked arrived on the calendar.',
  checklist: 'The answers are saved.',
  item9: 'The answers are saved. The answer on thoughts of self-harm has been sent to the providers’ worklist.',
  ready: 'The checks are done: ready to start.',
  recheck: 'Back to the checks.',
  not_given: 'Recorded: no infusion today.',
  override: 'The override is recorded. The checks can now be marked done.',
  vitals: 'The reading is saved.',
  vitals_again: 'That reading was already saved: it is kept once.',
  vitals_blocks: 'The reading is saved. It is past a start limit, so the session is back at its checks.',
};

const PROBLEM_TEXT: Record<Problem['code'], string> = {
  missing_identity: 'Identity: not yet confirmed.',
  missing_consent: 'Consent: not yet read.',
  missing_fasting: 'Fasting: hours since food and since clear fluids not yet asked.',
  missing_escort: 'Going home: no escort or ride home yet.',
  missing_pregnancy: 'Pregnancy test: no result yet.',
  missing_medication_changes: 'Medication changes: not yet asked.',
  missing_pain: 'Pain now: not yet asked.',
  missing_phq9_item9: 'Thoughts of self-harm: not yet asked.',
  missing_urinary: 'Urinary questions: not all answered.',
  missing_vitals: 'Pre-infusion vitals: none recorded yet.',
  consent_not_current: 'Consent is not current: the patient signs the current consent documents first.',
  fasting_food: 'Solid food: too recent for the rule.',
  fasting_fluids: 'Clear fluids: too recent for the rule.',
  pregnancy_positive: 'Pregnancy test positive: no infusion.',
  item9_alert: 'Thoughts of self-harm: a provider records an assessment on the worklist before the start can go ahead.',
  safety_hold:
    'Infusions are on hold for this patient: a provider reviews the safety flag on the safety worklist and closes it before the start can go ahead.',
  start_vitals: 'Pre-infusion vitals past a start limit: a provider may override with a reason, or take them again.',
};

const LIMIT_WORDS: Record<StartBlocker['code'], string> = {
  systolicHigh: 'at or above the start limit',
  diastolicHigh: 'at or above the start limit',
  heartRateHigh: 'at or above the start limit',
  heartRateLow: 'at or below the start limit',
  respiratoryRateHigh: 'at or above the start limit',
  respiratoryRateLow: 'at or below the start limit',
  spo2Low: 'at or below the start limit',
};

function ProblemItem(props: { problem: Problem; zone: string }) {
  const { problem, zone } = props;
  return (
    <li>
      {PROBLEM_TEXT[problem.code]}
      {problem.metAt !== undefined ? ` The rule is met at ${formatTime(problem.metAt, zone)}.` : ''}
    </li>
  );
}

function Radios(props: {
  name: string;
  legend: string;
  options: ReadonlyArray<readonly [string, string]>;
  values: Values;
  errors: Errors;
  hint?: string;
}) {
  const { name, errors } = props;
  return (
    <fieldset
      class="field"
      aria-describedby={
        [errors[name] ? `${name}-error` : '', props.hint ? `${name}-hint` : ''].filter(Boolean).join(' ') || undefined
      }
    >
      <legend>{props.legend}</legend>
      {props.hint ? (
        <span class="hint" id={`${name}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <FieldError id={name} message={errors[name]} />
      <div class="radio-group checkin-choices">
        {props.options.map(([value, text]) => (
          <label class="radio" for={`${name}-${value}`}>
            <input
              type="radio"
              id={`${name}-${value}`}
              name={name}
              value={value}
              checked={props.values[name] === value}
            />
            {text}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

const numeric = { inputmode: 'numeric', pattern: '[0-9]*', autocomplete: 'off' };

function Hidden(props: { staff: StaffContext; version: number }) {
  return (
    <Fragment>
      <Csrf token={props.staff.csrfToken} />
      <input type="hidden" name="version" value={String(props.version)} />
    </Fragment>
  );
}

function Checklist(props: {
  staff: StaffContext;
  view: SessionView;
  part: CheckinPart;
  values: Values;
  errors: Errors;
}) {
  const { part, values, errors, view } = props;
  const asked = new Set(part.readiness.asked);
  const { foodHours, clearFluidHours } = part.checklist;
  return (
    <form class="form checkin-form" method="post" action={`${sessionHref(view.patient.id, view.session.id)}/checklist`}>
      <Hidden staff={props.staff} version={view.session.version} />
      <h3>Checklist</h3>
      <p class="hint">
        Save what is known now and come back for the rest. Items follow the protocol’s checklist
        {part.checklistVersion === 0 ? ' (shipped defaults' : ` (version ${part.checklistVersion}`}
        {part.checklistUnverified ? ', UNVERIFIED as this clinic’s practice)' : ')'}.
      </p>
      {asked.has('identity') ? (
        <Check
          name="identity"
          label="Identity confirmed: full name and date of birth match the record and the wristband"
          values={values}
        />
      ) : null}
      {asked.has('fasting') ? (
        <div class="checkin-pair">
          <Input
            name="food_hours"
            label="Hours since solid food"
            hint={`The rule: at least ${foodHours} h.`}
            values={values}
            errors={errors}
            extra={{ inputmode: 'decimal', autocomplete: 'off' }}
          />
          <Input
            name="fluid_hours"
            label="Hours since clear fluids"
            hint={`The rule: at least ${clearFluidHours} h.`}
            values={values}
            errors={errors}
            extra={{ inputmode: 'decimal', autocomplete: 'off' }}
          />
        </div>
      ) : null}
      {asked.has('escort') ? (
        <Fragment>
          <Radios
            name="escort"
            legend="Going home"
            hint="An adult takes the patient home; the patient does not drive until the next day."
            options={[
              ['escort', 'An escort (name and phone below)'],
              ['ride', 'A ride home arranged (say which)'],
            ]}
            values={values}
            errors={errors}
          />
          <div class="checkin-pair">
            <Input name="escort_name" label="Escort’s name" values={values} errors={errors} />
            <Input
              name="escort_phone"
              label="Escort’s phone"
              type="tel"
              values={values}
              errors={errors}
              extra={{ autocomplete: 'off' }}
            />
          </div>
          <Input name="ride_detail" label="Ride home" values={values} errors={errors} />
        </Fragment>
      ) : null}
      {asked.has('pregnancy') ? (
        <Radios
          name="pregnancy"
          legend="Pregnancy test today"
          hint="Asked because the record says pregnancy is possible or does not say."
          options={[
            ['negative', 'Negative'],
            ['positive', 'Positive'],
          ]}
          values={values}
          errors={errors}
        />
      ) : null}
      {asked.has('medication_changes') ? (
        <Fragment>
          <Radios
            name="med_changes"
            legend="Medication changes since the last visit"
            options={[
              ['none', 'None'],
              ['changed', 'Changed (say what below)'],
            ]}
            values={values}
            errors={errors}
          />
          <Input name="med_changes_detail" label="What changed" values={values} errors={errors} />
        </Fragment>
      ) : null}
      {asked.has('pain') ? (
        <Input
          name="pain"
          label="Pain now (0 to 10)"
          hint="0 is no pain, 10 the worst pain imaginable."
          values={values}
          errors={errors}
          extra={numeric}
        />
      ) : null}
      {asked.has('phq9_item9') ? (
        <Radios
          name="item9"
          legend="Over the last 2 weeks, how often has the patient had thoughts that they would be better off dead, or of hurting themselves?"
          hint="PHQ-9 item 9. Any answer above “Not at all” goes to a provider before the start."
          options={[
            ['0', 'Not at all'],
            ['1', 'Several days'],
            ['2', 'More than half the days'],
            ['3', 'Nearly every day'],
          ]}
          values={values}
          errors={errors}
        />
      ) : null}
      {asked.has('urinary') ? (
        <fieldset class="checkin-urinary">
          <legend>Urinary symptoms (serial infusions)</legend>
          <p class="hint">{URINARY_SOURCE}</p>
          {URINARY_QUESTIONS.map((q) => (
            <Radios
              name={q.key}
              legend={q.text}
              options={[
                ['no', 'No'],
                ['yes', 'Yes'],
              ]}
              values={values}
              errors={errors}
            />
          ))}
        </fieldset>
      ) : null}
      <button class="button checkin-button" type="submit">
        Save the answers
      </button>
    </form>
  );
}

function Readiness(props: {
  staff: StaffContext;
  view: SessionView;
  part: CheckinPart;
  errors: Errors;
  values: Values;
}) {
  const { view, part, staff, errors } = props;
  const zone = view.visit.timeZone;
  const { readiness } = part;
  const href = sessionHref(view.patient.id, view.session.id);
  const isProvider = staff.role === 'provider';
  const pre = part.vitals.filter((v) => v.phase === 'pre').at(-1);
  return (
    <section aria-labelledby="checks-heading" class="checkin-readiness">
      <h3 id="checks-heading">Before the start</h3>
      <p>
        Consent:{' '}
        {part.consent.allSigned ? (
          <strong>current</strong>
        ) : (
          <strong>
            not current
            {part.consent.documents
              .filter((d) => d.needsSigning)
              .map((d) => ` · ${d.title} (version ${d.version}) to sign`)
              .join('')}
          </strong>
        )}
      </p>
      {readiness.ready ? (
        <p>Every check holds.</p>
      ) : (
        <Fragment>
          {readiness.blockers.length > 0 ? (
            <Fragment>
              <p>
                <strong>Blocking the start:</strong>
              </p>
              <ul class="checkin-blockers">
                {readiness.blockers.map((p) => (
                  <ProblemItem problem={p} zone={zone} />
                ))}
              </ul>
            </Fragment>
          ) : null}
          {readiness.missing.length > 0 ? (
            <Fragment>
              <p>
                <strong>Still to do:</strong>
              </p>
              <ul>
                {readiness.missing.map((p) => (
                  <ProblemItem problem={p} zone={zone} />
                ))}
              </ul>
            </Fragment>
          ) : null}
        </Fragment>
      )}
      {readiness.startBlockers.length > 0 && pre ? (
        <div class="notice notice-warning">
          <p>
            The pre-infusion reading at {formatTime(pre.takenAt, zone)} is past{' '}
            {readiness.startBlockers.length === 1 ? 'a start limit' : 'start limits'}
            {part.thresholdsVersion === 0 ? ' (shipped defaults, UNVERIFIED)' : ''}:
          </p>
          <ul>
            {readiness.startBlockers.map((b) => (
              <li>
                {VITALS_LIMITS[b.measure].label} {b.value} {VITALS_LIMITS[b.measure].unit}: {LIMIT_WORDS[b.code]} of{' '}
                {b.limit}.
              </li>
            ))}
          </ul>
          {readiness.overridden && part.override ? (
            <p>
              Overridden by {part.override.providerName} at {formatTime(part.override.at, zone)}: “
              {part.override.reason}”
            </p>
          ) : null}
        </div>
      ) : null}
      {part.item9Alert?.open ? (
        <p>
          <a href="/staff/worklist">Open the worklist</a> to record the assessment.
        </p>
      ) : null}
      {isProvider && readiness.startBlockers.length > 0 && !readiness.overridden ? (
        <form class="form" method="post" action={`${href}/override`}>
          <Hidden staff={staff} version={view.session.version} />
          <Input
            name="override_reason"
            label="Provider’s override: the reason to start past the start limit"
            values={props.values}
            errors={errors}
          />
          <button class="button button-secondary checkin-button" type="submit">
            Override the start limit
          </button>
        </form>
      ) : null}
      <form method="post" action={`${href}/checks-done`}>
        <Hidden staff={staff} version={view.session.version} />
        <FieldError id="checks" message={errors.checks} />
        <button class="button checkin-button" type="submit" disabled={!readiness.ready}>
          Checks done: ready to start
        </button>
      </form>
    </section>
  );
}

function VitalsForm(props: {
  staff: StaffContext;
  view: SessionView;
  part: CheckinPart;
  values: Values;
  errors: Errors;
}) {
  const { view, part, values, errors } = props;
  const zone = view.visit.timeZone;
  const phaseWords = { pre: 'before the infusion', infusion: 'during the infusion', recovery: 'in recovery' };
  const field = (name: string, label: string, hint: string) => (
    <Input name={name} label={label} hint={hint} values={values} errors={errors} extra={numeric} />
  );
  const range = (m: keyof typeof VITALS_LIMITS) => `${VITALS_LIMITS[m].min}–${VITALS_LIMITS[m].max}`;
  return (
    <form class="form checkin-vitals" method="post" action={`${sessionHref(view.patient.id, view.session.id)}/vitals`}>
      <Hidden staff={props.staff} version={view.session.version} />
      <input type="hidden" name="entry_key" value={values.entry_key || part.entryKey} />
      <h3>Vitals {phaseWords[part.phaseNow]}</h3>
      <FieldError id="entry_key" message={errors.entry_key} />
      <div class="checkin-vitals-grid">
        {field('systolic', 'Systolic (mmHg)', range('systolic'))}
        {field('diastolic', 'Diastolic (mmHg)', range('diastolic'))}
        {field('heart_rate', 'Heart rate (/min)', range('heartRate'))}
        {field('spo2', 'SpO₂ (%)', range('spo2'))}
        {field('respiratory_rate', 'Resp. rate (/min)', range('respiratoryRate'))}
        <Input
          name="temperature"
          label="Temp. (°C)"
          hint="Optional"
          values={values}
          errors={errors}
          extra={{ inputmode: 'decimal', autocomplete: 'off' }}
        />
      </div>
      <div class="checkin-pair">
        <ScaleSelect
          name="sedation"
          label="Sedation (RASS)"
          points={RASS_SCALE.points}
          values={values}
          errors={errors}
        />
        <ScaleSelect
          name="dissociation"
          label={`Dissociation${DISSOCIATION_SCALE.unverified ? ' (clinic rating, UNVERIFIED)' : ''}`}
          points={DISSOCIATION_SCALE.points}
          values={values}
          errors={errors}
        />
      </div>
      <details
        class="checkin-late"
        open={values.taken_time || errors.taken_time || errors.late_reason ? true : undefined}
      >
        <summary>Taken earlier? Record a late entry</summary>
        <div class="checkin-pair">
          <Input
            name="taken_time"
            label="Time taken (today)"
            hint={`Blank: now. Not before the check-in at ${formatTime(view.session.checked_in_at, zone)}.`}
            type="time"
            values={values}
            errors={errors}
          />
          <Input
            name="late_reason"
            label="Why recorded late"
            hint="Needed when the time is over 5 minutes ago."
            values={values}
            errors={errors}
          />
        </div>
      </details>
      <button class="button checkin-button" type="submit">
        Save the reading
      </button>
      <p class="hint">
        If the page does not answer (the connection dropped), send it again: each reading carries its own key, so it is
        stored once. A reading is only kept once this page says “saved”.
      </p>
    </form>
  );
}

function ScaleSelect(props: {
  name: string;
  label: string;
  points: ReadonlyArray<{ value: number; label: string }>;
  values: Values;
  errors: Errors;
}) {
  const { name, errors } = props;
  return (
    <div class="field">
      <label for={name}>{props.label}</label>
      <FieldError id={name} message={errors[name]} />
      <select id={name} name={name} {...invalid(name, errors)}>
        <option value="" selected={(props.values[name] ?? '') === ''}>
          Not assessed
        </option>
        {props.points.map((p) => (
          <option value={String(p.value)} selected={props.values[name] === String(p.value)}>
            {p.value > 0 && name === 'sedation' ? `+${p.value}` : String(p.value)} {p.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function Readings(props: { rows: VitalsRow[]; zone: string }) {
  if (props.rows.length === 0) return <p>No readings yet.</p>;
  const phase = { pre: 'Before', infusion: 'Infusion', recovery: 'Recovery' };
  const opt = (v: number | null) => (v === null ? '–' : String(v));
  return (
    <div class="table-scroll" role="region" aria-labelledby="readings-caption" tabindex="0">
      <table class="data-table checkin-readings">
        <caption id="readings-caption">Readings, in the order taken</caption>
        <thead>
          <tr>
            <th scope="col">Taken</th>
            <th scope="col">Phase</th>
            <th scope="col">BP</th>
            <th scope="col">HR</th>
            <th scope="col">SpO₂</th>
            <th scope="col">RR</th>
            <th scope="col">Temp.</th>
            <th scope="col">RASS</th>
            <th scope="col">Diss.</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td>
                {formatTime(r.takenAt, props.zone)}
                {r.lateReason !== null ? (
                  <span class="hint">
                    {' '}
                    late, recorded {formatTime(r.recordedAt, props.zone)}: {r.lateReason}
                  </span>
                ) : null}
              </td>
              <td>{phase[r.phase]}</td>
              <td>
                {r.vitals.systolic}/{r.vitals.diastolic}
              </td>
              <td>{r.vitals.heartRate}</td>
              <td>{r.vitals.spo2}</td>
              <td>{r.vitals.respiratoryRate}</td>
              <td>{opt(r.vitals.temperatureC)}</td>
              <td>{opt(r.vitals.sedation)}</td>
              <td>{opt(r.vitals.dissociation)}</td>
              <td>{r.recordedByName}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NotGiven(props: { staff: StaffContext; view: SessionView; values: Values; errors: Errors }) {
  const { view, errors } = props;
  return (
    <details class="checkin-not-given" open={errors.not_given_reason ? true : undefined}>
      <summary>No infusion today</summary>
      <form class="form" method="post" action={`${sessionHref(view.patient.id, view.session.id)}/not-given`}>
        <Hidden staff={props.staff} version={view.session.version} />
        <Input
          name="not_given_reason"
          label="Reason (closes the session without an infusion)"
          values={props.values}
          errors={errors}
        />
        <button class="button button-secondary checkin-button" type="submit">
          Record: not given
        </button>
      </form>
    </details>
  );
}

/**
 * The check-in part of a session page: the checks and their readiness while checked in, the way back to the checks
 * once ready, and at every open phase the vitals entry with the readings so far.
 */
export function CheckinSection(props: { staff: StaffContext; view: SessionView; state?: CheckinFormState }): Child {
  const { view, staff } = props;
  const part = view.checkin;
  if (!part) return null;
  const { session } = view;
  const zone = view.visit.timeZone;
  const mine = (form: CheckinForm) => (props.state?.form === form ? props.state : { values: {}, errors: {} });
  const checklistValues =
    props.state?.form === 'checklist' ? props.state.values : part.answers ? formOfAnswers(part.answers) : {};
  const href = sessionHref(view.patient.id, session.id);
  return (
    <section class="checkin-part" aria-labelledby="checkin-heading">
      <h2 id="checkin-heading">Check-in and vitals</h2>
      {session.state === 'checked_in' ? (
        <Fragment>
          <Readiness staff={staff} view={view} part={part} {...mine('checks')} {...overrideState(props.state)} />
          <Checklist staff={staff} view={view} part={part} values={checklistValues} errors={mine('checklist').errors} />
        </Fragment>
      ) : null}
      {session.state === 'ready' ? (
        <form method="post" action={`${href}/recheck`}>
          <Hidden staff={staff} version={session.version} />
          <p>The checks are done{part.readiness.overridden ? ' (start limit overridden by a provider)' : ''}.</p>
          <button class="button button-secondary checkin-button" type="submit">
            Back to the checks
          </button>
        </form>
      ) : null}
      {!isClosed(session.state) ? <VitalsForm staff={staff} view={view} part={part} {...mine('vitals')} /> : null}
      <h3>Readings</h3>
      <Readings rows={part.vitals} zone={zone} />
      {session.state === 'checked_in' || session.state === 'ready' ? (
        <NotGiven staff={staff} view={view} {...mine('not_given')} />
      ) : null}
    </section>
  );
}

/** The readiness block carries two forms: the override's values and errors, or the checks' own. */
function overrideState(state: CheckinFormState | undefined): { values: Values; errors: Errors } {
  if (state?.form === 'override' || state?.form === 'checks') return { values: state.values, errors: state.errors };
  return { values: {}, errors: {} };
}
