import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import { Check, FieldError, Input, invalid, Select, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDateTime } from '../../kernel/time/format.ts';
import { ClinicalFrame } from '../patient-frame.tsx';
import { GAD7 } from '../instruments/gad7.ts';
import { CSS } from '../instruments/css.ts';
import { PHQ9, phq9SafetyLevel } from '../instruments/phq9.ts';
import { PAIN_NRS } from '../instruments/pain.ts';
import { scoreQuestionnaire } from '../instruments/questionnaire.ts';
import { BUDAPEST, CATEGORIES, type BudapestEvaluation } from './budapest.ts';
import type { Outcome } from './contraindications.ts';
import { FACTS, type FactDefinition, type FactKey, factDefinition } from './facts.ts';
import { EDITABLE_FACTS, type FactSource, type ScreeningInput } from './screening.ts';
import { screeningValues, VITALS } from './screening-form.ts';
import type { ScreeningPageData, StoredScreening } from './screening-service.ts';

const OUTCOME: Record<Outcome, string> = {
  eligible: 'Eligible',
  not_eligible: 'Not eligible',
  needs_information: 'Needs more information',
};
const SOURCE: Record<FactSource, string> = {
  intake: 'from the intake',
  record: 'from the clinical record',
  provider: 'entered by the provider',
};
const TRI: Array<[string, string]> = [
  ['', 'Not yet assessed'],
  ['yes', 'Yes'],
  ['no', 'No'],
];
const VITAL_FACTS = new Set(['systolic_bp', 'diastolic_bp']);

const Unverified = () => <span class="badge badge-unverified">Unverified</span>;

function yesNo(v: boolean | null | undefined): string {
  return v === true ? 'Yes' : v === false ? 'No' : 'Not answered';
}

/** A fact's value in words, or "not yet known". */
export function factText(def: FactDefinition, value: unknown): string {
  if (value === null || value === undefined) return 'Not yet known';
  switch (def.type) {
    case 'boolean':
      return value === true ? 'Yes' : 'No';
    case 'number':
      return typeof value === 'number' ? `${value} ${def.unit}` : 'Not yet known';
    case 'choice':
      return def.options.find((o) => o.value === value)?.label ?? 'Not yet known';
    case 'classes':
      return Array.isArray(value) && value.length > 0
        ? value.map((c) => def.options.find((o) => o.value === c)?.label ?? String(c)).join(', ')
        : 'None of the flagged classes';
    case 'lab': {
      const lab = value as { value: number; uln: number };
      return `${lab.value} ${def.unit} (upper limit of normal ${lab.uln})`;
    }
  }
}

/** Facts not yet known, as one line: the list is long on a new screening and each is also marked in the form. */
function missingLine(reasons: Array<{ code: string; text: string }>) {
  const missing = reasons.filter((r) => r.code.startsWith('missing:'));
  if (missing.length === 0) return null;
  const labels = missing.map((r) => factDefinition(r.code.slice('missing:'.length))?.label ?? r.text);
  return (
    <li>
      Not yet known ({missing.length}): {labels.join('; ')}
    </li>
  );
}

function OutcomePanel(p: { outcome: Outcome; reasons: Array<{ code: string; text: string }>; heading: string }) {
  return (
    <section class={`screening-outcome screening-${p.outcome}`} aria-labelledby="outcome-heading">
      <h2 id="outcome-heading">
        {p.heading}: {OUTCOME[p.outcome]}
      </h2>
      {p.reasons.length > 0 ? (
        <ul>
          {p.reasons
            .filter((r) => !r.code.startsWith('missing:'))
            .map((r) => (
              <li>{r.text}</li>
            ))}
          {missingLine(p.reasons)}
        </ul>
      ) : (
        <p>No stop applies, nothing is missing, and the Budapest clinical criteria are met.</p>
      )}
    </section>
  );
}

function IntakeSummary(p: { data: ScreeningPageData }) {
  const intake = p.data.intake;
  if (!intake)
    return (
      <section class="card" aria-labelledby="intake-heading">
        <h2 id="intake-heading">From the intake</h2>
        <p>No intake submitted yet. The patient’s answers appear here once they send their intake.</p>
      </section>
    );
  const a = intake.answers;
  const phq = scoreQuestionnaire(PHQ9, a.phq9 ?? {});
  const gad = scoreQuestionnaire(GAD7, a.gad7 ?? {});
  const rule = p.data.item9Rule;
  const safety = phq9SafetyLevel(PHQ9, rule, a.phq9 ?? {});
  const score = (s: typeof phq, max: number) =>
    s.total === null ? `Incomplete (${s.answered} answered)` : `${s.total} of ${max}: ${s.band?.label ?? ''}`;
  return (
    <section class="card" aria-labelledby="intake-heading">
      <h2 id="intake-heading">From the intake</h2>
      <p class="muted">Submitted {formatDateTime(intake.submittedAt, p.data.zone)}. Patient-reported.</p>
      {safety !== 'none' ? (
        <p class="notice notice-warning">
          <strong>PHQ-9 item 9 answered {String(a.phq9?.[rule.itemKey] ?? '')}:</strong> thoughts of being better off
          dead or of self-harm. Assess suicide risk before the visit ends.
        </p>
      ) : null}
      <dl class="summary-list">
        <div>
          <dt>PHQ-9</dt>
          <dd>{score(phq, 27)}</dd>
        </div>
        <div>
          <dt>GAD-7</dt>
          <dd>{score(gad, 21)}</dd>
        </div>
        <div>
          <dt>Pain (0–10)</dt>
          <dd>{PAIN_NRS.measures.map((m) => `${m.key} ${a.pain?.[m.key] ?? '–'}`).join(' · ')}</dd>
        </div>
        <div>
          <dt>Symptoms reported</dt>
          <dd>{CATEGORIES.map((c) => `${BUDAPEST.categories[c].label}: ${yesNo(a.symptoms?.[c])}`).join(' · ')}</dd>
        </div>
        {(['Yes', 'No', 'Not answered'] as const).map((answer) => {
          // The history questions grouped by answer: short to read, and a yes stands out.
          const asked = FACTS.filter((f) => f.from === 'intake');
          const labels = asked
            .filter((f) => yesNo((a.facts as Record<string, boolean | null> | undefined)?.[f.key]) === answer)
            .map((f) => f.label);
          return labels.length === 0 ? null : (
            <div>
              <dt>{answer === 'Not answered' ? 'History not answered' : `History: ${answer.toLowerCase()}`}</dt>
              <dd>{answer === 'Yes' ? <strong>{labels.join('; ')}</strong> : labels.join('; ')}</dd>
            </div>
          );
        })}
        <div>
          <dt>Medications, in their words</dt>
          <dd>{a.medications || 'Not answered'}</dd>
        </div>
        <div>
          <dt>Allergies, in their words</dt>
          <dd>{a.allergies || 'Not answered'}</dd>
        </div>
      </dl>
    </section>
  );
}

function RecordSummary(p: { data: ScreeningPageData }) {
  const r = p.data.record;
  const when = (t: number) => formatDateTime(t, p.data.zone);
  const lab = (test: 'alt' | 'ast' | 'alp') => {
    const l = r.labs[test];
    if (!l) return 'No result';
    const value = l.value === null ? (l.finding ?? '') : `${l.value} ${l.unit ?? ''}`;
    return `${value}${l.uln !== null ? ` (upper limit of normal ${l.uln})` : ' (no upper limit of normal recorded)'}, ${when(l.takenAt)}`;
  };
  return (
    <section class="card" aria-labelledby="record-heading">
      <h2 id="record-heading">From the clinical record</h2>
      <dl class="summary-list">
        <div>
          <dt>Age</dt>
          <dd>{r.age === null ? 'Date of birth not recorded' : `${r.age} years`}</dd>
        </div>
        <div>
          <dt>Pregnancy possible</dt>
          <dd>{yesNo(r.pregnancyPossible)}</dd>
        </div>
        <div>
          <dt>Allergies</dt>
          <dd>
            {r.allergies.length === 0 ? (
              'None recorded'
            ) : (
              <ul class="plain-list">
                {r.allergies.map((a) => (
                  <li>
                    {a.ketamine ? <strong>Ketamine allergy (a hard stop): </strong> : null}
                    {a.substance}
                    {a.reaction ? ` — ${a.reaction}` : ''}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Active medications</dt>
          <dd>
            {r.medications.length === 0 ? (
              'None recorded'
            ) : (
              <ul class="plain-list">
                {r.medications.map((m) => (
                  <li>
                    {m.name}
                    {m.dose ? ` ${m.dose}` : ''}
                    {m.classes.length > 0
                      ? ` (${m.classes.map((c) => factText(factDefinition('medication_classes')!, [c])).join(', ')})`
                      : ''}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Diagnoses</dt>
          <dd>
            {r.diagnoses.length === 0 ? 'None recorded' : r.diagnoses.map((d) => `${d.code} ${d.label}`).join('; ')}
          </dd>
        </div>
        <div>
          <dt>ALT</dt>
          <dd>{lab('alt')}</dd>
        </div>
        <div>
          <dt>AST</dt>
          <dd>{lab('ast')}</dd>
        </div>
        <div>
          <dt>ALP</dt>
          <dd>{lab('alp')}</dd>
        </div>
        <div>
          <dt>ECG</dt>
          <dd>{r.ecg ? `${r.ecg.finding ?? 'Reviewed'}, ${when(r.ecg.takenAt)}` : 'No ECG recorded'}</dd>
        </div>
        <div>
          <dt>Prescription monitoring</dt>
          <dd>
            {r.pdmp
              ? `${r.pdmp.result === 'concerns' ? 'Concerns found' : 'No concerns'}, checked by ${r.pdmp.checkedBy}, ${when(r.pdmp.checkedAt)}`
              : 'No check recorded'}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function sourceNote(input: ScreeningInput, key: FactKey, values: Values): string {
  const source = input.sources[key];
  if (source) return `${SOURCE[source][0]!.toUpperCase()}${SOURCE[source].slice(1)}.`;
  return values[`fact-${key}`] ? '' : 'Not yet known.';
}

function FactField(p: { def: FactDefinition; input: ScreeningInput; values: Values; errors: Errors }) {
  const { def, values, errors } = p;
  const name = `fact-${def.key}`;
  const hint = sourceNote(p.input, def.key as FactKey, values) || undefined;
  if (def.type === 'boolean')
    return (
      <Select name={name} label={def.label} values={values} errors={errors} options={TRI} {...(hint ? { hint } : {})} />
    );
  if (def.type === 'choice')
    return (
      <Select
        name={name}
        label={def.label}
        values={values}
        errors={errors}
        options={[['', 'Not yet assessed'], ...def.options.map((o): [string, string] => [o.value, o.label])]}
        {...(hint ? { hint } : {})}
      />
    );
  if (def.type === 'number')
    return (
      <Input
        name={name}
        label={def.label.includes(`(${def.unit})`) ? def.label : `${def.label} (${def.unit})`}
        values={values}
        errors={errors}
        extra={{ inputmode: 'decimal', autocomplete: 'off' }}
        {...(hint ? { hint } : {})}
      />
    );
  if (def.type === 'classes')
    return (
      <fieldset class="screening-classes">
        <legend>{def.label}</legend>
        <p class="hint">{hint ? `${hint} ` : ''}Unticked means none of these.</p>
        {def.options.map((o) => (
          <Check name={`${name}-${o.value}`} label={o.label} values={values} />
        ))}
      </fieldset>
    );
  return null;
}

function BudapestResult(p: { evaluation: BudapestEvaluation }) {
  const met = (m: boolean | 'incomplete') => (m === 'incomplete' ? 'not yet decided' : m ? 'met' : 'not met');
  return (
    <div class="screening-budapest">
      {(['clinical', 'research'] as const).map((set) => (
        <div>
          <h4>
            {set === 'clinical' ? 'Clinical criteria' : 'Research criteria'}: {met(p.evaluation[set].met)}
          </h4>
          <ul>
            {p.evaluation[set].parts.map((part) => (
              <li>
                {met(part.met)}: {part.reason}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function ScreeningForm(p: { data: ScreeningPageData; staff: StaffContext; values: Values; errors: Errors }) {
  const { data, values, errors } = p;
  const ev = data.evaluation;
  const input = data.input;
  const overridable = [
    ...ev.eligibility.stops
      .filter((s) => s.effect === 'overridable')
      .map((s) => ({ ruleId: s.ruleId, label: s.label, source: s.source, unverified: s.unverified })),
    ...ev.eligibility.overridden.map((o) => {
      const rule = data.rules.body.rules.find((r) => r.id === o.ruleId);
      return { ruleId: o.ruleId, label: o.label, source: rule?.source ?? '', unverified: rule?.unverified === true };
    }),
  ];
  const version = data.draft?.row.version ?? 0;
  const examFacts = EDITABLE_FACTS.filter((f) => !VITAL_FACTS.has(f.key));
  const body = (
    <Fragment>
      <fieldset class="screening-section">
        <legend>Budapest criteria for CRPS</legend>
        <p class="hint">{BUDAPEST.source}</p>
        <Select
          name="budapest-pain"
          label="Continuing pain, disproportionate to any inciting event"
          values={values}
          errors={errors}
          options={TRI}
        />
        <h3>Symptoms reported (pre-filled from the intake)</h3>
        <div class="screening-grid screening-grid-4">
          {CATEGORIES.map((c) => (
            <Select
              name={`symptom-${c}`}
              label={`Symptom, ${BUDAPEST.categories[c].label}`}
              hint={BUDAPEST.categories[c].symptom}
              values={values}
              errors={errors}
              options={TRI}
            />
          ))}
        </div>
        <h3>Signs at examination</h3>
        <div class="screening-grid screening-grid-4">
          {CATEGORIES.map((c) => (
            <Select
              name={`sign-${c}`}
              label={`Sign, ${BUDAPEST.categories[c].label}`}
              hint={BUDAPEST.categories[c].sign}
              values={values}
              errors={errors}
              options={TRI}
            />
          ))}
        </div>
        <Select
          name="budapest-explanation"
          label="Another diagnosis better explains the signs and symptoms"
          values={values}
          errors={errors}
          options={TRI}
        />
        <BudapestResult evaluation={ev.budapest} />
      </fieldset>
      <fieldset class="screening-section">
        <legend>CRPS Severity Score</legend>
        <p class="hint">
          {CSS.unverified ? <Unverified /> : null} Version {CSS.version}. {CSS.source}
        </p>
        <div class="screening-grid">
          {CSS.items.map((item) => (
            <Select
              name={`css-${item.key}`}
              label={`${item.kind === 'sign' ? 'Sign' : 'Symptom'}: ${item.label}`}
              values={values}
              errors={errors}
              options={TRI}
            />
          ))}
        </div>
        <p>
          <strong>Score:</strong>{' '}
          {ev.css.total === null
            ? `not complete (${ev.css.missing.length} of ${ev.css.max} items not yet assessed)`
            : `${ev.css.total} of ${ev.css.max}`}
        </p>
      </fieldset>
      <fieldset class="screening-section">
        <legend>Baseline vitals</legend>
        <div class="screening-grid">
          {EDITABLE_FACTS.filter((f) => VITAL_FACTS.has(f.key)).map((def) => (
            <FactField def={def} input={input} values={values} errors={errors} />
          ))}
          {VITALS.map((v) => (
            <Input
              name={`vital-${v.key}`}
              label={`${v.label} (${v.unit})`}
              values={values}
              errors={errors}
              extra={{ inputmode: 'decimal', autocomplete: 'off' }}
            />
          ))}
        </div>
      </fieldset>
      <fieldset class="screening-section">
        <legend>History and examination</legend>
        <p class="hint">
          What the contraindication rules read, pre-filled from the intake and the record: correct any answer that is
          wrong. Each says where it came from.
        </p>
        <div class="screening-grid">
          {examFacts.map((def) => (
            <FactField def={def} input={input} values={values} errors={errors} />
          ))}
        </div>
      </fieldset>
      <section class="screening-section" aria-labelledby="tests-heading">
        <h3 id="tests-heading">Test results, from the clinical record</h3>
        {ev.eligibility.requiredTests.length > 0 ? (
          <ul>
            {ev.eligibility.requiredTests.map((t) => (
              <li>
                {t.label}: required (
                {t.done ? 'result in the record' : 'needs information: no result in the record yet'})
              </li>
            ))}
          </ul>
        ) : (
          <p>No test is required by the facts so far.</p>
        )}
        <dl class="summary-list">
          {FACTS.filter((f) => f.from === 'test').map((f) => (
            <div>
              <dt>{f.label}</dt>
              <dd>{factText(f, (input.facts as Record<string, unknown>)[f.key])}</dd>
            </div>
          ))}
        </dl>
      </section>
      {overridable.length > 0 ? (
        <fieldset class="screening-section">
          <legend>Stops a provider may override</legend>
          <p class="hint">Each override needs its reason. Hard stops cannot be overridden.</p>
          {overridable.map((s) => (
            <div class="screening-override">
              <FieldError id={`override-${s.ruleId}`} message={errors[`override-${s.ruleId}`]} />
              <Check name={`override-${s.ruleId}`} label={`Override: ${s.label}`} values={values} />
              <p class="hint">
                {s.unverified ? <Unverified /> : null} Source: {s.source}
              </p>
              <div class="field">
                <label for={`override_reason-${s.ruleId}`}>Reason for overriding</label>
                <FieldError id={`override_reason-${s.ruleId}`} message={errors[`override_reason-${s.ruleId}`]} />
                <textarea
                  id={`override_reason-${s.ruleId}`}
                  name={`override_reason-${s.ruleId}`}
                  rows="2"
                  maxlength="500"
                  {...invalid(`override_reason-${s.ruleId}`, errors)}
                >
                  {values[`override_reason-${s.ruleId}`] ?? ''}
                </textarea>
              </div>
            </div>
          ))}
        </fieldset>
      ) : null}
    </Fragment>
  );
  if (!data.canSign)
    return (
      <Fragment>
        <p>Only a provider writes and signs the screening; you can read it.</p>
        <fieldset disabled class="screening-readonly">
          <legend>
            {data.draft
              ? 'The screening as the provider last saved it'
              : 'Not started by a provider yet: pre-filled from the intake and the record'}
          </legend>
          {body}
        </fieldset>
      </Fragment>
    );
  return (
    <form
      method="post"
      action={`/staff/patients/${data.patient.id}/screening`}
      class="form form-wide screening-form"
      novalidate
    >
      <Csrf token={p.staff.csrfToken} />
      <input type="hidden" name="version" value={String(version)} />
      <FieldError id="version" message={errors.version} />
      {body}
      <div class="actions">
        <button class="button button-secondary" type="submit" name="action" value="save">
          Save draft
        </button>
      </div>
      <fieldset class="screening-sign">
        <legend>Sign the screening</legend>
        <p>
          Signing records the outcome worked out from these answers, with its reasons. A signed screening never changes;
          corrections are added as addenda.
        </p>
        <Input
          name="code"
          label="Your authenticator code"
          hint="The 6-digit code your authenticator app shows now."
          values={{}}
          errors={errors}
          extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
        />
        <button class="button" type="submit" name="action" value="sign">
          Sign screening
        </button>
      </fieldset>
    </form>
  );
}

function SignedScreening(p: {
  data: ScreeningPageData;
  signed: StoredScreening;
  staff: StaffContext;
  values: Values;
  errors: Errors;
}) {
  const { row, input, addenda } = p.signed;
  const when = (t: number) => formatDateTime(t, p.data.zone);
  const reasons = JSON.parse(row.reasons) as Array<{ code: string; text: string }>;
  return (
    <section class={`card screening-signed screening-signed-${row.outcome ?? 'none'}`} aria-labelledby="signed-heading">
      <h2 id="signed-heading">Signed screening: {OUTCOME[row.outcome ?? 'needs_information']}</h2>
      <p>
        Signed by {row.signed_by_name ?? 'a provider'} on {when(row.signed_at ?? 0)}.{' '}
        {(row.expires_at ?? 0) <= p.data.now ? (
          <strong>Expired on {when(row.expires_at ?? 0)}: a new screening is needed before further infusions.</strong>
        ) : (
          `Valid until ${when(row.expires_at ?? 0)}.`
        )}
      </p>
      {reasons.length > 0 ? (
        <ul>
          {reasons.map((r) => (
            <li>{r.text}</li>
          ))}
        </ul>
      ) : null}
      {input.overrides.length > 0 ? (
        <Fragment>
          <h3>Overrides</h3>
          <ul>
            {input.overrides.map((o) => (
              <li>
                {p.data.rules.body.rules.find((r) => r.id === o.ruleId)?.label ?? o.ruleId}: {o.reason}
              </li>
            ))}
          </ul>
        </Fragment>
      ) : null}
      <details>
        <summary>Facts as signed</summary>
        <dl class="summary-list">
          {FACTS.map((f) => (
            <div>
              <dt>{f.label}</dt>
              <dd>
                {factText(f, (input.facts as Record<string, unknown>)[f.key])}
                {input.sources[f.key] ? ` (${SOURCE[input.sources[f.key]!]})` : ''}
              </dd>
            </div>
          ))}
          <div>
            <dt>CRPS Severity Score</dt>
            <dd>
              {p.signed.evaluation.css.total === null
                ? 'Not complete'
                : `${p.signed.evaluation.css.total} of ${p.signed.evaluation.css.max}`}{' '}
              (version {input.css.version})
            </dd>
          </div>
          {VITALS.map((v) => (
            <div>
              <dt>{v.label}</dt>
              <dd>{input.vitals[v.field] === null ? 'Not recorded' : `${input.vitals[v.field]} ${v.unit}`}</dd>
            </div>
          ))}
        </dl>
      </details>
      <h3>Addenda</h3>
      {addenda.length === 0 ? (
        <p>No addenda.</p>
      ) : (
        <ol class="screening-addenda">
          {addenda.map((a) => (
            <li>
              <p class="muted">
                {a.author_name}, {when(a.created_at)}
              </p>
              <p>{a.text}</p>
            </li>
          ))}
        </ol>
      )}
      {p.data.canSign ? (
        <form method="post" action={`/staff/patients/${p.data.patient.id}/screening/addenda`} class="form" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <input type="hidden" name="screening" value={row.id} />
          <div class="field">
            <label for="text">Add an addendum</label>
            <span class="hint" id="text-hint">
              A correction or a note. It is added after the signed screening, which stays as signed.
            </span>
            <FieldError id="text" message={p.errors.text} />
            <textarea id="text" name="text" rows="3" maxlength="2000" {...invalid('text', p.errors, 'text-hint')}>
              {p.values.text ?? ''}
            </textarea>
          </div>
          <Input
            name="addendum_code"
            label="Your authenticator code"
            hint="The 6-digit code your authenticator app shows now."
            values={{}}
            errors={p.errors}
            extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
          />
          <button class="button" type="submit">
            Sign and add the addendum
          </button>
        </form>
      ) : null}
    </section>
  );
}

export function ScreeningPage(p: {
  staff: StaffContext;
  data: ScreeningPageData;
  values?: Values;
  errors?: Errors;
  saved?: string | undefined;
  /** Which form the errors belong to. */
  form?: 'screening' | 'addendum';
}) {
  const { data } = p;
  const errors = p.errors ?? {};
  const formValues = p.form === 'screening' && p.values ? p.values : undefined;
  const values = formValues ?? screeningValues(data.input);
  const heading = data.draft ? 'Draft screening' : data.signed ? 'A new screening' : 'New screening';
  const form: Child = (
    <ScreeningForm data={data} staff={p.staff} values={values} errors={p.form === 'addendum' ? {} : errors} />
  );
  return ClinicalFrame({
    staff: p.staff,
    patient: data.patient,
    tab: 'screening',
    title: 'Eligibility screening',
    saved: p.saved,
    errors,
    children: (
      <Fragment>
        {data.rules.unverified || data.rules.savedBy === null ? (
          <p class="notice notice-warning">
            <Unverified /> The contraindication rules in force are the shipped defaults; some are inferred or clinic
            practice, marked below where they apply. The medical director reviews them.
          </p>
        ) : null}
        {data.signed ? (
          <SignedScreening
            data={data}
            signed={data.signed}
            staff={p.staff}
            values={p.form === 'addendum' ? (p.values ?? {}) : {}}
            errors={p.form === 'addendum' ? errors : {}}
          />
        ) : null}
        <div class="screening-sources">
          <IntakeSummary data={data} />
          <RecordSummary data={data} />
        </div>
        {data.signed && !data.draft && p.form !== 'screening' ? (
          <details class="screening-new">
            <summary>Start a new screening</summary>
            <OutcomePanel
              outcome={data.evaluation.outcome}
              reasons={data.evaluation.reasons}
              heading="Outcome if signed now"
            />
            {form}
          </details>
        ) : (
          <section aria-labelledby="form-heading">
            <h2 id="form-heading">{heading}</h2>
            {data.draft ? (
              <p class="muted">
                Version {data.draft.row.version}, last saved {formatDateTime(data.draft.row.updated_at, data.zone)}.
              </p>
            ) : null}
            {formValues ? (
              <p class="notice notice-warning">
                The answers below are as you typed them and were not saved; the outcome is worked out again once they
                are.
              </p>
            ) : (
              <OutcomePanel
                outcome={data.evaluation.outcome}
                reasons={data.evaluation.reasons}
                heading="Outcome if signed now"
              />
            )}
            {form}
          </section>
        )}
      </Fragment>
    ),
  });
}
