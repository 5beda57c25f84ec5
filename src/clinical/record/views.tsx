import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { shortDateTime, zoned } from '../../kernel/time/format.ts';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { KG_PER_LB } from '../dosing/dose.ts';
import { ClinicalFrame, clinicalHref } from '../patient-frame.tsx';
import {
  AllergyForm,
  DiagnosisForm,
  FindingForm,
  LabForm,
  MedicationForm,
  PdmpForm,
  ProfileForm,
  WeightForm,
  type FormState,
  type RecordForm,
} from './form-views.tsx';
import type { RecordView } from './page.ts';

export type { RecordForm };

export interface RecordPageProps {
  staff: StaffContext;
  data: RecordView;
  values?: Values;
  errors?: Errors;
  open?: RecordForm;
  saved?: string;
  /** A refusal that is no form field's (an entry already removed). */
  problem?: string;
}

const SEX_LABELS: Record<string, string> = {
  female: 'Female',
  male: 'Male',
  intersex: 'Intersex',
  not_said: 'Prefers not to say',
};

const day = (instant: number, zone: string) => (
  <time datetime={new Date(instant).toISOString()}>{zoned(instant, zone).toFormat('LLL d, yyyy')}</time>
);
const at = (instant: number, zone: string) => (
  <time datetime={new Date(instant).toISOString()}>{shortDateTime(instant, zone)}</time>
);
const figure = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const Unverified = () => <span class="badge badge-unverified">Unverified default</span>;

/** Whole years between a date of birth and today (both local dates). */
function age(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty! - by! - (tm! < bm! || (tm === bm && td! < bd!) ? 1 : 0);
}

/** A button that ends one entry, named for what it ends (several sit in one table). */
function EndButton(props: { csrf: string; action: string; verb: string; what: string }) {
  return (
    <form class="inline-form" method="post" action={props.action}>
      <Csrf token={props.csrf} />
      <button class="button button-small button-secondary" type="submit">
        {props.verb}
        <span class="visually-hidden"> {props.what}</span>
      </button>
    </form>
  );
}

function Table(props: { id: string; caption: string; head: string[]; children?: Child }) {
  return (
    <div class="table-scroll record-scroll" role="region" aria-labelledby={`${props.id}-caption`} tabindex="0">
      <table class="mailbox record-table">
        <caption id={`${props.id}-caption`}>{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((c) => (
              <th scope="col">{c === '' ? <span class="visually-hidden">Change</span> : c}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function RecordPage(props: RecordPageProps) {
  const { data, staff } = props;
  const { zone, patient } = data;
  const state: FormState = {
    csrf: staff.csrfToken,
    action: (path) => `${clinicalHref(patient.id, 'record')}/${path}`,
    values: props.values ?? {},
    errors: props.errors ?? {},
    open: props.open,
    today: data.today,
  };
  const base = clinicalHref(patient.id, 'record');
  const ketamine = data.allergies.filter((a) => a.removed_at === null && a.ketamine);
  const allergies = data.allergies.filter((a) => a.removed_at === null);
  const medications = data.medications.filter((m) => m.stopped_at === null);
  const diagnoses = data.diagnoses.filter((d) => d.removed_at === null);
  const ended = {
    allergies: data.allergies.filter((a) => a.removed_at !== null),
    medications: data.medications.filter((m) => m.stopped_at !== null),
    diagnoses: data.diagnoses.filter((d) => d.removed_at !== null),
  };
  const classLabel = new Map(data.classes.map((c) => [c.code, c.label]));
  const testLabel = new Map(data.tests.map((t) => [t.code, t.label]));
  const latest = data.weights[0];
  const weightAgeDays = latest ? (data.now - latest.measured_at) / 86_400_000 : 0;
  const p = data.profile;
  const measured = data.results.filter((r) => r.value !== null);
  const read = data.results.filter((r) => r.finding !== null);

  return ClinicalFrame({
    staff,
    patient,
    tab: 'record',
    ...(props.saved ? { saved: props.saved } : {}),
    ...(props.errors ? { errors: props.errors } : {}),
    children: (
      <Fragment>
        {ketamine.length > 0 ? (
          <div class="notice notice-error hard-stop" role="alert">
            <h2>Hard stop: allergy to ketamine</h2>
            <p>
              This patient has a recorded allergy to ketamine or esketamine (
              {ketamine.map((a) => a.substance).join(', ')}
              ). No ketamine infusion may be planned or given while it stands.
            </p>
          </div>
        ) : null}
        {props.problem ? (
          <div class="notice notice-warning" role="alert">
            <p>{props.problem}</p>
          </div>
        ) : null}

        <section class="record-section" aria-labelledby="profile-heading">
          <h2 id="profile-heading">Profile</h2>
          <dl class="summary-list">
            <div>
              <dt>Date of birth</dt>
              <dd>
                {p?.date_of_birth ? `${p.date_of_birth} (${age(p.date_of_birth, data.today)} years)` : 'Not recorded'}
              </dd>
            </div>
            <div>
              <dt>Sex</dt>
              <dd>{p?.sex ? SEX_LABELS[p.sex] : 'Not recorded'}</dd>
            </div>
            <div>
              <dt>Pregnancy possible</dt>
              <dd>{p?.pregnancy_possible === 1 ? 'Yes' : p?.pregnancy_possible === 0 ? 'No' : 'Not known'}</dd>
            </div>
            <div>
              <dt>Height</dt>
              <dd>{p?.height_cm ? `${figure(p.height_cm)} cm (${figure(p.height_cm / 2.54)} in)` : 'Not recorded'}</dd>
            </div>
          </dl>
          {p ? (
            <p class="hint">
              Last changed by {p.updated_by_name}, {at(p.updated_at, zone)}.
            </p>
          ) : null}
          <ProfileForm
            state={state}
            version={p?.version ?? 0}
            limits={data.limits}
            values={{
              date_of_birth: p?.date_of_birth ?? '',
              sex: p?.sex ?? '',
              pregnancy_possible: p?.pregnancy_possible === 1 ? 'yes' : p?.pregnancy_possible === 0 ? 'no' : '',
              height: p?.height_cm ? String(p.height_cm) : '',
              height_unit: 'cm',
            }}
          />
        </section>

        <section class="record-section" aria-labelledby="weights-heading">
          <h2 id="weights-heading">Weight</h2>
          {latest && weightAgeDays > data.limits.weightCurrentDays ? (
            <p class="notice notice-warning">
              The latest weight is more than {data.limits.weightCurrentDays} days old: weigh the patient again before a
              dose is ordered.
            </p>
          ) : null}
          {data.weights.length === 0 ? (
            <p>No weight recorded yet.</p>
          ) : (
            <Table id="weights" caption="Weights, latest first" head={['Measured', 'Weight', 'Entered as', 'By']}>
              {data.weights.map((w) => (
                <tr>
                  <th scope="row">{day(w.measured_at, zone)}</th>
                  <td>
                    {figure(w.kg)} kg ({figure(w.kg / KG_PER_LB)} lb)
                  </td>
                  <td>
                    {figure(w.entered_value, 3)} {w.entered_unit}
                  </td>
                  <td>{w.measured_by_name}</td>
                </tr>
              ))}
            </Table>
          )}
          <WeightForm state={state} limits={data.limits} unverified={data.limits.version === 0} />
        </section>

        <section class="record-section" aria-labelledby="allergies-heading">
          <h2 id="allergies-heading">Allergies</h2>
          {allergies.length === 0 ? (
            <p>No allergies recorded.</p>
          ) : (
            <Table id="allergies" caption="Current allergies" head={['Substance', 'Reaction', 'Recorded', '']}>
              {allergies.map((a) => (
                <tr class={a.ketamine ? 'record-flagged' : undefined}>
                  <th scope="row">
                    {a.substance}
                    {a.ketamine ? <span class="badge badge-stop">Ketamine: hard stop</span> : null}
                  </th>
                  <td>{a.reaction ?? '—'}</td>
                  <td>
                    {a.recorded_by_name}, {day(a.recorded_at, zone)}
                  </td>
                  <td>
                    <EndButton
                      csrf={staff.csrfToken}
                      action={`${base}/allergies/${a.id}/remove`}
                      verb="Remove"
                      what={`allergy to ${a.substance}`}
                    />
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <Ended
            summary="Removed allergies"
            rows={ended.allergies.map((a) => ({
              what: a.substance,
              by: a.removed_by_name,
              at: a.removed_at,
            }))}
            verb="Removed"
            zone={zone}
          />
          <AllergyForm state={state} />
        </section>

        <section class="record-section" aria-labelledby="medications-heading">
          <h2 id="medications-heading">Medications</h2>
          {medications.length === 0 ? (
            <p>No current medications recorded.</p>
          ) : (
            <Table
              id="medications"
              caption="Current medications"
              head={['Medication', 'Dose', 'Classes', 'Recorded', '']}
            >
              {medications.map((m) => (
                <tr class={m.classes.length > 0 ? 'record-flagged' : undefined}>
                  <th scope="row">{m.name}</th>
                  <td>{m.dose ?? '—'}</td>
                  <td>
                    {m.classes.length === 0
                      ? '—'
                      : m.classes.map((c) => <span class="badge badge-flag">{classLabel.get(c) ?? c}</span>)}
                  </td>
                  <td>
                    {m.recorded_by_name}, {day(m.recorded_at, zone)}
                  </td>
                  <td>
                    <EndButton
                      csrf={staff.csrfToken}
                      action={`${base}/medications/${m.id}/stop`}
                      verb="Stop"
                      what={m.name}
                    />
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <Ended
            summary="Stopped medications"
            rows={ended.medications.map((m) => ({ what: m.name, by: m.stopped_by_name, at: m.stopped_at }))}
            verb="Stopped"
            zone={zone}
          />
          <MedicationForm state={state} classes={data.classes} unverified={data.classesUnverified} />
        </section>

        <section class="record-section" aria-labelledby="diagnoses-heading">
          <h2 id="diagnoses-heading">Diagnoses</h2>
          {diagnoses.length === 0 ? (
            <p>No diagnoses recorded.</p>
          ) : (
            <Table id="diagnoses" caption="Current diagnoses" head={['Code', 'Diagnosis', 'Recorded', '']}>
              {diagnoses.map((d) => (
                <tr>
                  <th scope="row">{d.code}</th>
                  <td>{d.label}</td>
                  <td>
                    {d.recorded_by_name}, {day(d.recorded_at, zone)}
                  </td>
                  <td>
                    <EndButton
                      csrf={staff.csrfToken}
                      action={`${base}/diagnoses/${d.id}/remove`}
                      verb="Remove"
                      what={d.code}
                    />
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <Ended
            summary="Removed diagnoses"
            rows={ended.diagnoses.map((d) => ({
              what: `${d.code} ${d.label}`,
              by: d.removed_by_name,
              at: d.removed_at,
            }))}
            verb="Removed"
            zone={zone}
          />
          <DiagnosisForm state={state} codes={data.codes} />
          {data.codesUnverified ? (
            <p class="hint">
              <Unverified /> Codes marked unverified are to be checked against this year’s ICD-10-CM tabular list.
            </p>
          ) : null}
        </section>

        <section class="record-section" aria-labelledby="results-heading">
          <h2 id="results-heading">Test results</h2>
          {measured.length === 0 ? (
            <p>No laboratory results recorded.</p>
          ) : (
            <Table
              id="labs"
              caption="Laboratory results, latest first"
              head={['Test', 'Result', 'Upper limit of normal', 'Taken', 'Recorded by']}
            >
              {measured.map((r) => {
                const ratio = r.value !== null && r.upper_limit ? r.value / r.upper_limit : undefined;
                const high = ratio !== undefined && ratio > 1;
                return (
                  <tr class={high ? 'record-flagged' : undefined}>
                    <th scope="row">{testLabel.get(r.test) ?? r.test}</th>
                    <td>
                      {figure(r.value ?? 0, 3)} {r.unit}
                      {high ? (
                        <strong class="record-high"> Above normal: {figure(ratio, 1)} × ULN</strong>
                      ) : ratio !== undefined ? (
                        <span class="record-ratio"> ({figure(ratio, 2)} × ULN)</span>
                      ) : null}
                    </td>
                    <td>{r.upper_limit === null ? '—' : `${figure(r.upper_limit, 3)} ${r.unit ?? ''}`}</td>
                    <td>{day(r.taken_at, zone)}</td>
                    <td>{r.recorded_by_name}</td>
                  </tr>
                );
              })}
            </Table>
          )}
          <LabForm state={state} tests={data.tests} />
          {read.length === 0 ? (
            <p>No ECG or other reviewed test recorded.</p>
          ) : (
            <Table
              id="findings"
              caption="ECG and other reviewed tests, latest first"
              head={['Test', 'Findings', 'Taken', 'Reviewed by']}
            >
              {read.map((r) => (
                <tr>
                  <th scope="row">{testLabel.get(r.test) ?? r.test}</th>
                  <td class="record-text">{r.finding}</td>
                  <td>{day(r.taken_at, zone)}</td>
                  <td>{r.recorded_by_name}</td>
                </tr>
              ))}
            </Table>
          )}
          <FindingForm state={state} tests={data.tests} />
        </section>

        <section class="record-section" aria-labelledby="pdmp-heading">
          <h2 id="pdmp-heading">Prescription monitoring (PDMP)</h2>
          {data.pdmp.length === 0 ? (
            <p>No PDMP check recorded.</p>
          ) : (
            <Table id="pdmp" caption="PDMP checks, latest first" head={['Checked', 'Result', 'Note', 'Checked by']}>
              {data.pdmp.map((c) => (
                <tr class={c.result === 'concerns' ? 'record-flagged' : undefined}>
                  <th scope="row">{day(c.checked_at, zone)}</th>
                  <td>{c.result === 'concerns' ? <strong>Concerns</strong> : 'No concerns'}</td>
                  <td class="record-text">{c.note ?? '—'}</td>
                  <td>{c.checked_by_name}</td>
                </tr>
              ))}
            </Table>
          )}
          <PdmpForm state={state} />
        </section>
      </Fragment>
    ),
  });
}

/** Entries no longer current, kept with who ended them and when. */
function Ended(props: {
  summary: string;
  verb: string;
  zone: string;
  rows: Array<{ what: string; by: string | null; at: number | null }>;
}) {
  if (props.rows.length === 0) return null;
  return (
    <details class="record-ended">
      <summary>
        {props.summary} ({props.rows.length})
      </summary>
      <ul>
        {props.rows.map((r) => (
          <li>
            {r.what}: {props.verb.toLowerCase()} by {r.by ?? 'unknown'}
            {r.at === null ? null : <Fragment>, {at(r.at, props.zone)}</Fragment>}
          </li>
        ))}
      </ul>
    </details>
  );
}
