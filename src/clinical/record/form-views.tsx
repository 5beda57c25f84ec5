import { h, type Child } from '../../kernel/ui/jsx.ts';
import { Check, FieldError, Input, invalid, Select, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import type { CodedItem, DiagnosisCode, LabTest, RecordLimits } from './definitions.ts';

/** Which add form a refused post reopens. */
export type RecordForm = 'profile' | 'weight' | 'allergy' | 'medication' | 'diagnosis' | 'lab' | 'finding' | 'pdmp';

export interface FormState {
  csrf: string;
  action: (path: string) => string;
  values: Values;
  errors: Errors;
  open: RecordForm | undefined;
  today: string;
}

/** A form behind a disclosure (the page stays short), opened when its post was refused. */
function AddForm(props: { state: FormState; form: RecordForm; path: string; summary: string; children?: Child }) {
  const { state } = props;
  return (
    <details class="record-add" open={state.open === props.form || undefined}>
      <summary>{props.summary}</summary>
      <form class="form record-form" method="post" action={state.action(props.path)} novalidate>
        <Csrf token={state.csrf} />
        {props.children}
        <button class="button" type="submit">
          Save
        </button>
      </form>
    </details>
  );
}

/** The form's values when it is the one refused, else empty (each form starts blank). */
const own = (state: FormState, form: RecordForm, defaults: Values = {}): Values =>
  state.open === form ? state.values : defaults;

function TextArea(props: { name: string; label: string; values: Values; errors: Errors; hint?: string }) {
  const { name, errors } = props;
  return (
    <div class="field">
      <label for={name}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${name}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <FieldError id={name} message={errors[name]} />
      <textarea id={name} name={name} rows="3" {...invalid(name, errors, props.hint ? `${name}-hint` : undefined)}>
        {props.values[name] ?? ''}
      </textarea>
    </div>
  );
}

const DateInput = (props: { name: string; label: string; values: Values; errors: Errors; today: string }) => (
  <Input
    name={props.name}
    label={props.label}
    type="date"
    values={props.values}
    errors={props.errors}
    extra={{ max: props.today }}
  />
);

export function ProfileForm(props: { state: FormState; values: Values; version: number; limits: RecordLimits }) {
  const { state } = props;
  const values = state.open === 'profile' ? state.values : props.values;
  const errors = state.open === 'profile' ? state.errors : {};
  return (
    <AddForm state={state} form="profile" path="profile" summary="Edit the profile">
      <input type="hidden" name="version" value={String(props.version)} />
      <FieldError id="version" message={errors.version} />
      <DateInput name="date_of_birth" label="Date of birth" values={values} errors={errors} today={state.today} />
      <Select
        name="sex"
        label="Sex"
        values={values}
        errors={errors}
        options={[
          ['', 'Not recorded'],
          ['female', 'Female'],
          ['male', 'Male'],
          ['intersex', 'Intersex'],
          ['not_said', 'Prefers not to say'],
        ]}
      />
      <Select
        name="pregnancy_possible"
        label="Could the patient be pregnant?"
        values={values}
        errors={errors}
        options={[
          ['', 'Not known'],
          ['yes', 'Yes, pregnancy is possible'],
          ['no', 'No'],
        ]}
      />
      <div class="record-measure">
        <Input
          name="height"
          label="Height"
          values={values}
          errors={errors}
          hint={`From ${props.limits.heightMinCm} to ${props.limits.heightMaxCm} cm`}
          extra={{ inputmode: 'decimal', autocomplete: 'off' }}
        />
        <Select
          name="height_unit"
          label="Unit"
          values={values}
          errors={errors}
          options={[
            ['cm', 'cm'],
            ['in', 'in'],
          ]}
        />
      </div>
    </AddForm>
  );
}

export function WeightForm(props: { state: FormState; limits: RecordLimits; unverified: boolean }) {
  const { state, limits } = props;
  const values = own(state, 'weight', { weight_unit: 'kg', weight_measured_on: state.today });
  return (
    <AddForm state={state} form="weight" path="weights" summary="Add a weight">
      <div class="record-measure">
        <Input
          name="weight_value"
          label="Weight"
          values={values}
          errors={state.errors}
          hint={`From ${limits.weightMinKg} to ${limits.weightMaxKg} kg${props.unverified ? ' (an unverified default range)' : ''}`}
          extra={{ inputmode: 'decimal', autocomplete: 'off' }}
        />
        <Select
          name="weight_unit"
          label="Unit"
          values={values}
          errors={state.errors}
          options={[
            ['kg', 'kg'],
            ['lb', 'lb'],
          ]}
        />
      </div>
      <DateInput
        name="weight_measured_on"
        label="Measured on"
        values={values}
        errors={state.errors}
        today={state.today}
      />
    </AddForm>
  );
}

export function AllergyForm(props: { state: FormState }) {
  const { state } = props;
  const values = own(state, 'allergy');
  return (
    <AddForm state={state} form="allergy" path="allergies" summary="Add an allergy">
      <Input name="allergy_substance" label="Substance" values={values} errors={state.errors} />
      <Input name="allergy_reaction" label="Reaction (optional)" values={values} errors={state.errors} />
      <FieldError id="allergy_ketamine" message={state.errors.allergy_ketamine} />
      <Check
        name="allergy_ketamine"
        label="Allergy to ketamine or esketamine"
        hint="A hard stop: no infusion is given. A substance named ketamine is marked so anyway."
        values={values}
      />
    </AddForm>
  );
}

export function MedicationForm(props: { state: FormState; classes: CodedItem[]; unverified: boolean }) {
  const { state } = props;
  const values = own(state, 'medication');
  return (
    <AddForm state={state} form="medication" path="medications" summary="Add a medication">
      <Input name="medication_name" label="Medication" values={values} errors={state.errors} />
      <Input
        name="medication_dose"
        label="Dose (optional)"
        hint="As prescribed, for example 0.5 mg twice a day"
        values={values}
        errors={state.errors}
      />
      <fieldset>
        <legend>Classes that matter with ketamine{props.unverified ? ' (an unverified default list)' : ''}</legend>
        <FieldError id="medication_classes" message={state.errors.medication_classes} />
        {props.classes.map((c) => (
          <Check name={`medication_class_${c.code}`} label={c.label} values={values} />
        ))}
      </fieldset>
    </AddForm>
  );
}

export function DiagnosisForm(props: { state: FormState; codes: DiagnosisCode[] }) {
  const { state } = props;
  const options: Array<[string, string]> = [
    ['', 'Choose a code'],
    ...props.codes.map((c): [string, string] => [
      c.code,
      `${c.code} ${c.label}${c.unverified ? ' (unverified code)' : ''}`,
    ]),
  ];
  return (
    <AddForm state={state} form="diagnosis" path="diagnoses" summary="Add a diagnosis">
      <Select
        name="diagnosis_code"
        label="Diagnosis (ICD-10-CM)"
        values={own(state, 'diagnosis')}
        errors={state.errors}
        options={options}
      />
    </AddForm>
  );
}

export function LabForm(props: { state: FormState; tests: LabTest[] }) {
  const { state } = props;
  const measured = props.tests.filter((t) => t.units.length > 0);
  if (measured.length === 0) return null;
  const units = [...new Set(measured.flatMap((t) => t.units))];
  const values = own(state, 'lab', { lab_unit: units[0] ?? '', lab_taken_on: state.today });
  return (
    <AddForm state={state} form="lab" path="labs" summary="Add a laboratory result">
      <Select
        name="lab_test"
        label="Test"
        values={values}
        errors={state.errors}
        options={[['', 'Choose a test'], ...measured.map((t): [string, string] => [t.code, t.label])]}
      />
      <div class="record-measure">
        <Input
          name="lab_value"
          label="Value"
          values={values}
          errors={state.errors}
          extra={{ inputmode: 'decimal', autocomplete: 'off' }}
        />
        <Select
          name="lab_unit"
          label="Unit"
          values={values}
          errors={state.errors}
          options={units.map((u): [string, string] => [u, u])}
        />
      </div>
      <Input
        name="lab_uln"
        label="Upper limit of normal"
        hint="As the reporting laboratory gives it, in the same unit"
        values={values}
        errors={state.errors}
        extra={{ inputmode: 'decimal', autocomplete: 'off' }}
      />
      <DateInput name="lab_taken_on" label="Taken on" values={values} errors={state.errors} today={state.today} />
    </AddForm>
  );
}

export function FindingForm(props: { state: FormState; tests: LabTest[] }) {
  const { state } = props;
  const read = props.tests.filter((t) => t.units.length === 0);
  if (read.length === 0) return null;
  const values = own(state, 'finding', { finding_test: read[0]!.code, finding_taken_on: state.today });
  return (
    <AddForm state={state} form="finding" path="findings" summary="Record a reviewed ECG or other test">
      <Select
        name="finding_test"
        label="Test"
        values={values}
        errors={state.errors}
        options={read.map((t): [string, string] => [t.code, t.label])}
      />
      <TextArea name="finding_text" label="Findings" values={values} errors={state.errors} />
      <DateInput name="finding_taken_on" label="Taken on" values={values} errors={state.errors} today={state.today} />
    </AddForm>
  );
}

export function PdmpForm(props: { state: FormState }) {
  const { state } = props;
  const values = own(state, 'pdmp', { pdmp_checked_on: state.today });
  return (
    <AddForm state={state} form="pdmp" path="pdmp" summary="Record a PDMP check">
      <DateInput name="pdmp_checked_on" label="Checked on" values={values} errors={state.errors} today={state.today} />
      <Select
        name="pdmp_result"
        label="Result"
        values={values}
        errors={state.errors}
        options={[
          ['', 'Choose a result'],
          ['no_concerns', 'No concerns'],
          ['concerns', 'Concerns'],
        ]}
      />
      <TextArea
        name="pdmp_note"
        label="Note"
        hint="Required when there are concerns"
        values={values}
        errors={state.errors}
      />
    </AddForm>
  );
}
