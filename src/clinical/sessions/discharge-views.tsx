/**
 * The session page's recovery and discharge part: what still keeps the patient (the gate's list), the discharge
 * assessment form (Modified Aldrete, escort at the door), the discharge button once ready, and a provider's override
 * with its reason. Then the signed record (record-views.tsx) once discharged.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatTime } from '../../kernel/time/format.ts';
import { Check, FieldError, Input, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { ALDRETE_ITEMS } from '../instruments/aldrete.ts';
import type { DischargePart } from './discharge-read.ts';
import { missingText } from './discharge-words.ts';
import type { SessionView } from './read.ts';
import { RecordSection } from './record-views.tsx';
import { sessionHref } from './views.tsx';

const Unverified = () => <span class="badge badge-unverified">Unverified default</span>;

export const dischargeSheetHref = (patientId: string, sessionId: string) =>
  `${sessionHref(patientId, sessionId)}/discharge-sheet`;

export function DischargeSection(props: {
  staff: StaffContext;
  view: SessionView & { discharge?: DischargePart | undefined };
  values?: Values;
  errors?: Errors;
}) {
  const part = props.view.discharge;
  if (!part) return null;
  const { session, patient, visit } = props.view;
  const values = props.values ?? {};
  const errors = props.errors ?? {};
  const action = (verb: string) => `${sessionHref(patient.id, session.id)}/${verb}`;
  const hidden = (
    <Fragment>
      <Csrf token={props.staff.csrfToken} />
      <input type="hidden" name="version" value={String(session.version)} />
    </Fragment>
  );
  const gate = part.gate;
  return (
    <Fragment>
      {gate ? (
        <section class="discharge" aria-labelledby="discharge-heading">
          <h2 id="discharge-heading">Recovery and discharge</h2>
          <p class="hint">
            This protocol: at least {String(gate.rule.minObservationMinutes)} minutes after the infusion stops, Aldrete
            score {String(gate.rule.aldreteAtLeast)} or more, blood pressure and heart rate within{' '}
            {String(gate.settings.withinPct)} % of the pre-infusion reading
            {gate.rule.escortRequired ? ', an adult escort at the door' : ''}.{' '}
            {gate.rule.unverified || gate.settingsUnverified ? <Unverified /> : null}
          </p>
          {gate.readiness.ready ? (
            <p class="discharge-ready">
              <strong>Every condition holds.</strong>
            </p>
          ) : (
            <div class="discharge-missing" id="discharge-missing">
              <h3>Still missing</h3>
              <FieldError id="discharge" message={errors.discharge} />
              <ul>
                {gate.readiness.missing.map((m) => (
                  <li>{missingText(m, visit.timeZone)}</li>
                ))}
              </ul>
            </div>
          )}
          {session.state === 'ready_for_discharge' ? (
            <form method="post" action={action('discharge')} class="discharge-go">
              {hidden}
              <button type="submit" class="button discharge-button">
                Discharge the patient
              </button>
            </form>
          ) : null}
          <AssessmentForm {...props} action={action('assess')} values={values} errors={errors} hidden={hidden} />
          {props.staff.role === 'provider' && !gate.readiness.ready ? (
            <form method="post" action={action('discharge-override')} class="discharge-override">
              {hidden}
              <h3>Provider override</h3>
              <p class="hint">
                Discharges the patient now although the conditions above do not hold. The reason is kept with the
                record.
              </p>
              <div class="field">
                <label for="override_reason">Reason</label>
                <FieldError id="override_reason" message={errors.override_reason} />
                <textarea
                  id="override_reason"
                  name="override_reason"
                  rows="3"
                  maxlength="1000"
                  {...invalid('override_reason', errors)}
                >
                  {values.override_reason ?? ''}
                </textarea>
              </div>
              <button type="submit" class="button discharge-button">
                Discharge with override
              </button>
            </form>
          ) : null}
        </section>
      ) : null}
      <p class="discharge-sheet-link">
        <a href={dischargeSheetHref(patient.id, session.id)}>Discharge sheet (after-care instructions, printable)</a>
      </p>
      {part.record ? (
        <RecordSection staff={props.staff} view={props.view} record={part.record} errors={errors} values={values} />
      ) : null}
    </Fragment>
  );
}

function AssessmentForm(props: {
  view: SessionView & { discharge?: DischargePart | undefined };
  action: string;
  values: Values;
  errors: Errors;
  hidden: unknown;
}) {
  const last = props.view.discharge?.assessment ?? null;
  const zone = props.view.visit.timeZone;
  const { errors } = props;
  const suggested = props.view.discharge?.gate?.circulation ?? null;
  // The circulation item follows from the readings: offered ticked, for the nurse to confirm or change.
  const values: Values =
    suggested && props.values.circulation === undefined
      ? { ...props.values, circulation: String(suggested.points) }
      : props.values;
  const escortValues: Values = { escort_confirmed: values.escort_confirmed ?? '' };
  return (
    <form method="post" action={props.action} class="discharge-assessment">
      {props.hidden}
      <h3>Discharge assessment</h3>
      {last ? (
        <p class="hint">
          Last taken at {formatTime(last.assessed_at, zone)}: Aldrete {String(last.aldrete_score)}
          {last.escort_confirmed === 1 ? ', escort confirmed' : ''}.
        </p>
      ) : null}
      {ALDRETE_ITEMS.map((item) => (
        <fieldset class="radio-group aldrete-item" {...invalid(item.key, errors)}>
          <legend>{item.label}</legend>
          {item.key === 'circulation' && suggested ? (
            <p class="hint">
              Suggested from the latest reading: systolic {String(suggested.systolic)} mmHg against{' '}
              {String(suggested.baselineSystolic)} before the infusion. Check it before saving.
            </p>
          ) : null}
          <FieldError id={item.key} message={errors[item.key]} />
          {item.options.map((o) => (
            <label class="radio">
              <input
                type="radio"
                name={item.key}
                value={String(o.score)}
                checked={values[item.key] === String(o.score)}
              />{' '}
              <span>
                {String(o.score)}: {o.label}
              </span>
            </label>
          ))}
        </fieldset>
      ))}
      <Input
        name="escort_name"
        label="Escort’s name"
        values={values}
        errors={errors}
        hint="The adult taking the patient home"
        extra={{ autocomplete: 'off', maxlength: '120' }}
      />
      <Check name="escort_confirmed" label="The escort is here, at the door" values={escortValues} />
      <button type="submit" class="button discharge-button">
        Save assessment
      </button>
    </form>
  );
}
