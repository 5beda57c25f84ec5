import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { FieldError } from '../../kernel/ui/form.tsx';
import { formatDate, formatDateTime, zoned } from '../../kernel/time/format.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import type { QuestionnaireDefinition } from '../instruments/questionnaire.ts';
import { ClinicalFrame } from '../patient-frame.tsx';
import type { Patient } from '../../patients/service.ts';
import { askedItems, formValues } from './questionnaire-answers.ts';
import { QuestionnaireItems } from './questionnaire-patient-views.tsx';
import type { QuestionnaireRow } from './questionnaire-repository.ts';
import { isOpen } from './questionnaire-schedule.ts';
import type { FillView } from './questionnaire-staff-service.ts';
import type { DiaryDay } from './diary-repository.ts';

export const TIMEPOINT_LABELS: Record<string, string> = {
  pre_session: 'Before a session',
  end_of_induction: 'End of the induction series',
  week_1: '1 week after the series',
  week_4: '4 weeks after the series',
  week_12: '12 weeks after the series',
  pre_booster: 'Before a booster',
  visit: 'At a visit',
};

const STATUS_LABELS: Record<QuestionnaireRow['status'], string> = {
  scheduled: 'Scheduled',
  sent: 'Sent',
  partial: 'Partly answered',
  complete: 'Complete',
  missed: 'Missed',
  cancelled: 'Cancelled',
};

const timepointLabel = (t: string) => TIMEPOINT_LABELS[t] ?? t;
const dash = (v: number | null) => (v === null ? '–' : String(v));
const band = (def: QuestionnaireDefinition, total: number | null) =>
  total === null ? '–' : `${total} · ${def.bands.find((b) => b.from <= total && total <= b.to)?.label ?? 'No band'}`;

/** "Mar 4 – Mar 11, 2026": the last day open is the day before it closes at midnight, or the day it closes. */
function windowText(q: Pick<QuestionnaireRow, 'opens_at' | 'closes_at'>, zone: string): string {
  const from = zoned(q.opens_at, zone);
  const to = zoned(q.closes_at - 1, zone);
  if (from.hasSame(to, 'day')) return from.toFormat('LLL d, yyyy');
  return from.hasSame(to, 'year')
    ? `${from.toFormat('LLL d')} – ${to.toFormat('LLL d, yyyy')}`
    : `${from.toFormat('LLL d, yyyy')} – ${to.toFormat('LLL d, yyyy')}`;
}

const fillHref = (patientId: string, id: string) => `/staff/patients/${patientId}/questionnaires/${id}`;

function Status(props: { q: QuestionnaireRow }) {
  const { q } = props;
  return (
    <Fragment>
      {STATUS_LABELS[q.status]}
      {q.entered_by ? <span class="hint"> · entered by staff</span> : null}
    </Fragment>
  );
}

/** When it went out, was reminded, or was answered: what a clinician asks before calling the patient. */
function Delivery(props: { q: QuestionnaireRow; zone: string }) {
  const { q, zone } = props;
  const parts = q.completed_at
    ? [formatDateTime(q.completed_at, zone)]
    : [
        q.sent_at ? `emailed ${formatDateTime(q.sent_at, zone)}` : '',
        q.reminded_at ? `reminded ${formatDateTime(q.reminded_at, zone)}` : '',
      ].filter(Boolean);
  return parts.length ? <span class="hint"> · {parts.join(' · ')}</span> : null;
}

export function QuestionnairesTabPage(props: {
  staff: StaffContext;
  patient: Patient;
  questionnaires: QuestionnaireRow[];
  diary: DiaryDay[];
  zone: string;
  now: number;
  saved?: string | undefined;
}) {
  const { patient, zone } = props;
  return ClinicalFrame({
    staff: props.staff,
    patient,
    tab: 'questionnaires',
    saved: props.saved,
    children: (
      <Fragment>
        <p>
          Questionnaires are scheduled from the treatment plan and sent to the patient by email. Scores are shown only
          for complete questionnaires; partial answers are never scored.
        </p>
        <form method="post" action={`/staff/patients/${patient.id}/questionnaires`}>
          <Csrf token={props.staff.csrfToken} />
          <button class="button" type="submit">
            Start a questionnaire at this visit
          </button>
        </form>
        <h2>Questionnaires</h2>
        {props.questionnaires.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <div class="table-scroll record-scroll" role="region" aria-labelledby="questionnaires-caption" tabindex="0">
            <table class="mailbox record-table questionnaires-table">
              <caption id="questionnaires-caption" class="visually-hidden">
                Questionnaires, newest first, with scores and the published bands
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time point</th>
                  <th scope="col">Open</th>
                  <th scope="col">Status</th>
                  <th scope="col">Pain now / average / worst</th>
                  <th scope="col">PEG (0–10)</th>
                  <th scope="col">PHQ-9</th>
                  <th scope="col">GAD-7</th>
                  <th scope="col">PGIC</th>
                  <th scope="col">
                    <span class="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.questionnaires.map((q) => (
                  <tr>
                    <th scope="row">{timepointLabel(q.timepoint)}</th>
                    <td>{windowText(q, zone)}</td>
                    <td>
                      <Status q={q} />
                      <Delivery q={q} zone={zone} />
                    </td>
                    <td>
                      {q.status === 'complete'
                        ? `${dash(q.pain_now)} / ${dash(q.pain_average)} / ${dash(q.pain_worst)}`
                        : '–'}
                    </td>
                    <td>{dash(q.interference)}</td>
                    <td>
                      {band(PHQ9, q.phq9_total)}
                      {(q.phq9_item9 ?? 0) >= 1 ? <strong> · item 9: {String(q.phq9_item9)}</strong> : null}
                    </td>
                    <td>{band(GAD7, q.gad7_total)}</td>
                    <td>{q.pgic_label ? `${q.pgic} · ${q.pgic_label}` : '–'}</td>
                    <td>
                      {isOpen(q, props.now) ? (
                        <a href={fillHref(patient.id, q.id)}>
                          Fill in<span class="visually-hidden"> {timepointLabel(q.timepoint)}</span>
                        </a>
                      ) : q.status === 'complete' ? (
                        <a href={fillHref(patient.id, q.id)}>
                          Answers<span class="visually-hidden"> {timepointLabel(q.timepoint)}</span>
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2>Pain diary</h2>
        {props.diary.length === 0 ? (
          <p>The patient has not noted anything in their diary.</p>
        ) : (
          <div class="table-scroll record-scroll" role="region" aria-labelledby="diary-caption" tabindex="0">
            <table class="mailbox">
              <caption id="diary-caption" class="visually-hidden">
                Pain diary, one entry a day (the latest of the day), newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Pain (0–10)</th>
                </tr>
              </thead>
              <tbody>
                {props.diary.map((d) => (
                  <tr>
                    <th scope="row">{formatDate(d.day)}</th>
                    <td>{String(d.pain)}</td>
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

export function QuestionnaireFillPage(props: {
  staff: StaffContext;
  view: FillView;
  now: number;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  saved?: string | undefined;
}) {
  const { view, staff } = props;
  const { q, patient } = view;
  const items = askedItems(view.asked);
  const values = props.values ?? formValues(view.answers);
  const open = isOpen(q, props.now);
  return ClinicalFrame({
    staff,
    patient,
    tab: 'questionnaires',
    title: `Questionnaire: ${timepointLabel(q.timepoint)}`,
    saved: props.saved,
    errors: props.errors ?? {},
    children: (
      <Fragment>
        <p>
          <a href={`/staff/patients/${patient.id}/questionnaires`}>← All questionnaires</a>
        </p>
        <p>
          Status: <Status q={q} />. Open {windowText(q, view.zone)}.
        </p>
        {/* What the error summary links to when the whole form was refused (changed meanwhile, or closed). */}
        <FieldError id="version" message={props.errors?.version} />
        <FieldError id="questionnaire" message={props.errors?.questionnaire} />
        {open ? (
          <form class="form" method="post" action={fillHref(patient.id, q.id)} novalidate>
            <Csrf token={staff.csrfToken} />
            <p>
              Read each question to the patient as written and record their answer. What you save is marked as entered
              by you. It is scored only when every question is answered.
            </p>
            <QuestionnaireItems items={items} values={values} errors={props.errors ?? {}} />
            <input type="hidden" name="version" value={String(q.version)} />
            <p class="intake-actions">
              <button class="button" type="submit" name="intent" value="send">
                Save as complete
              </button>{' '}
              <button class="button button-secondary" type="submit" name="intent" value="save">
                Save and finish later
              </button>
            </p>
          </form>
        ) : (
          <dl class="questionnaire-answers">
            {items.map((i) => (
              <Fragment>
                <dt>{i.text}</dt>
                <dd>
                  {values[i.field] === undefined
                    ? 'Not answered'
                    : (i.options.find((o) => String(o.value) === values[i.field])?.label ?? values[i.field])}
                </dd>
              </Fragment>
            ))}
          </dl>
        )}
      </Fragment>
    ),
  });
}
