import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDateTime } from '../../kernel/time/format.ts';
import { lines } from '../../kernel/ui/text.ts';
import { CATEGORIES, type Category } from '../eligibility/budapest.ts';
import { PAIN_NRS } from '../instruments/pain.ts';
import type { QuestionnaireScore } from '../instruments/questionnaire.ts';
import { ClinicalFrame, clinicalHref } from '../patient-frame.tsx';
import type { IntakeAnswers } from './answers.ts';
import { DocumentText } from './consent-views.tsx';
import type { ConsentStatus, LatestIntake } from './intake-service.ts';
import type { AlertRow, ConsentDocument } from './repository.ts';
import { ALLERGY_FACT, HISTORY_FACTS, INTAKE_FACTS_BY_KEY, QUESTIONNAIRES, SYMPTOM_QUESTIONS } from './sections.ts';

type Patient = { id: string; first_name: string; last_name: string };
type Signature = {
  id: string;
  code: string;
  version: number;
  title: string;
  typed_name: string;
  signed_at: number;
  sha256: string;
  ip: string | null;
};

const CATEGORY_NAMES: Record<Category, string> = {
  sensory: 'Sensory',
  vasomotor: 'Vasomotor',
  sudomotor_oedema: 'Sudomotor / oedema',
  motor_trophic: 'Motor / trophic',
};

const yesNo = (v: unknown) => (v === true ? 'Yes' : v === false ? 'No' : 'Not answered');

/** Text typed by the patient, line by line, as text. */
function Typed(props: { text: string | undefined }) {
  if (!props.text) return <span class="muted">Nothing written</span>;
  const all = lines(props.text);
  return (
    <span class="typed">
      {all.map((l, i) => (
        <Fragment>
          {l}
          {i < all.length - 1 ? <br /> : null}
        </Fragment>
      ))}
    </span>
  );
}

function ScoreCell(props: { score: QuestionnaireScore; items: number }) {
  const { score } = props;
  if (!score.complete)
    return (
      <td>
        Incomplete ({score.answered} of {props.items} answered)
      </td>
    );
  return (
    <td>
      <strong>{String(score.total)}</strong> · {score.band?.label ?? 'No band'}
    </td>
  );
}

export const ALERT_KINDS: Record<string, string> = {
  phq9_item9: 'PHQ-9 item 9: thoughts of being better off dead or of self-harm',
};

function Item9(props: { latest: LatestIntake | undefined; alerts: AlertRow[]; zone: string }) {
  const { latest } = props;
  const open = props.alerts.filter((a) => a.resolved_at === null);
  const def = QUESTIONNAIRES.phq9;
  const raw = latest?.answers.phq9?.q9;
  const label = typeof raw === 'number' ? def.options.find((o) => o.value === raw)?.label : undefined;
  return (
    <section
      aria-labelledby="safety-heading"
      class={latest && latest.scores.item9 !== 'none' ? 'intake-safety intake-safety-alert' : 'intake-safety'}
    >
      <h2 id="safety-heading">Safety: PHQ-9 item 9</h2>
      <p>
        {!latest || !latest.scores.item9Answered
          ? 'Not answered yet.'
          : latest.scores.item9 === 'none'
            ? `Answered “${label ?? String(raw)}”: no alert.`
            : `Answered “${label ?? String(raw)}”: ${latest.scores.item9 === 'urgent' ? 'urgent alert' : 'alert'}. A structured suicide-risk assessment is needed before the visit ends.`}
      </p>
      {open.length ? (
        <p>
          <strong>{open.length === 1 ? 'An alert is open' : `${open.length} alerts are open`}</strong> on the{' '}
          <a href="/staff/worklist">worklist</a>.
        </p>
      ) : null}
      {props.alerts
        .filter((a) => a.resolved_at !== null)
        .map((a) => (
          <div class="alert-closed">
            <p>
              Alert of {formatDateTime(a.raised_at, props.zone)} closed {formatDateTime(a.resolved_at ?? 0, props.zone)}{' '}
              with this assessment:
            </p>
            <blockquote>
              <Typed text={a.assessment ?? undefined} />
            </blockquote>
          </div>
        ))}
    </section>
  );
}

function Answers(props: { answers: IntakeAnswers }) {
  const { answers } = props;
  const facts = (answers.facts ?? {}) as Record<string, unknown>;
  return (
    <Fragment>
      <h2>History</h2>
      <dl class="intake-answers">
        {HISTORY_FACTS.map((f) => (
          <div>
            <dt>{f.label}</dt>
            <dd>{yesNo(facts[f.key])}</dd>
          </div>
        ))}
      </dl>
      <h2>Medicines and allergies</h2>
      <dl class="intake-answers">
        <div>
          <dt>{INTAKE_FACTS_BY_KEY[ALLERGY_FACT]?.label}</dt>
          <dd>{yesNo(facts[ALLERGY_FACT])}</dd>
        </div>
        <div>
          <dt>Medicines, in the patient’s words</dt>
          <dd>
            <Typed text={answers.medications} />
          </dd>
        </div>
        <div>
          <dt>Allergies, in the patient’s words</dt>
          <dd>
            <Typed text={answers.allergies} />
          </dd>
        </div>
      </dl>
      <h2>Symptoms reported (Budapest categories)</h2>
      <dl class="intake-answers">
        {CATEGORIES.map((c) => (
          <div>
            <dt>
              <strong>{CATEGORY_NAMES[c]}.</strong> {SYMPTOM_QUESTIONS[c]}
            </dt>
            <dd>{yesNo(answers.symptoms?.[c])}</dd>
          </div>
        ))}
      </dl>
      {(['phq9', 'gad7'] as const).map((q) => {
        const def = QUESTIONNAIRES[q];
        return (
          <Fragment>
            <h2>{def.title} answers</h2>
            <ol class="intake-items">
              {def.items.map((item) => {
                const v = answers[q]?.[item.key];
                return (
                  <li>
                    {item.text}: <strong>{def.options.find((o) => o.value === v)?.label ?? 'Not answered'}</strong>
                    {typeof v === 'number' ? ` (${v})` : ''}
                  </li>
                );
              })}
            </ol>
          </Fragment>
        );
      })}
    </Fragment>
  );
}

function Consent(props: { patientId: string; consent: ConsentStatus[]; signatures: Signature[]; zone: string }) {
  return (
    <section aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent</h2>
      <div class="table-scroll" role="region" aria-labelledby="consent-caption" tabindex="0">
        <table class="mailbox">
          <caption id="consent-caption">Documents in force and the patient’s signatures</caption>
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Version in force</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {props.consent.map((d) => (
              <tr>
                <td>{d.title}</td>
                <td>{String(d.version)}</td>
                <td>
                  {d.needsSigning ? (
                    <strong>
                      {d.signed ? `Needs signing again (signed version ${d.signed.version})` : 'Not signed'}
                    </strong>
                  ) : (
                    'Signed'
                  )}
                  {d.signed ? (
                    <Fragment>
                      {' · '}
                      <a href={`${clinicalHref(props.patientId, 'intake')}/consent/${d.signed.signatureId}`}>
                        Signed copy
                      </a>
                    </Fragment>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.signatures.length > 1 ? (
        <Fragment>
          <h3>Every signature</h3>
          <ul>
            {props.signatures.map((s) => (
              <li>
                <a href={`${clinicalHref(props.patientId, 'intake')}/consent/${s.id}`}>
                  {s.title}, version {s.version}
                </a>
                , signed {formatDateTime(s.signed_at, props.zone)}
              </li>
            ))}
          </ul>
        </Fragment>
      ) : null}
    </section>
  );
}

export function PatientIntakePage(props: {
  staff: StaffContext;
  patient: Patient;
  latest: LatestIntake | undefined;
  consent: ConsentStatus[];
  signatures: Signature[];
  alerts: AlertRow[];
  zone: string;
}) {
  const { latest, zone } = props;
  const pain = latest?.answers.pain ?? {};
  return ClinicalFrame({
    staff: props.staff,
    patient: props.patient,
    tab: 'intake',
    children: (
      <Fragment>
        <Item9 latest={latest} alerts={props.alerts} zone={zone} />
        {latest ? (
          <Fragment>
            <p>
              {latest.intake.status === 'submitted' && latest.intake.submitted_at !== null
                ? `Sent by the patient ${formatDateTime(latest.intake.submitted_at, zone)}.`
                : `Not sent yet: answers saved so far, last ${formatDateTime(latest.intake.updated_at, zone)}.`}{' '}
              Started {formatDateTime(latest.intake.started_at, zone)}.
            </p>
            <h2>Scores</h2>
            <div class="table-scroll" role="region" aria-labelledby="scores-caption" tabindex="0">
              <table class="mailbox">
                <caption id="scores-caption">Scores, with the published bands (not shown to the patient)</caption>
                <tbody>
                  <tr>
                    <th scope="row">PHQ-9 (depression, 0–27)</th>
                    <ScoreCell score={latest.scores.phq9} items={QUESTIONNAIRES.phq9.items.length} />
                  </tr>
                  <tr>
                    <th scope="row">GAD-7 (anxiety, 0–21)</th>
                    <ScoreCell score={latest.scores.gad7} items={QUESTIONNAIRES.gad7.items.length} />
                  </tr>
                  {PAIN_NRS.measures.map((m) => (
                    <tr>
                      <th scope="row">Pain {m.key} (0–10)</th>
                      <td>{typeof pain[m.key] === 'number' ? String(pain[m.key]) : 'Not answered'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="hint">
              Versions: PHQ-9 {latest.answers.versions?.phq9 ?? '–'}, GAD-7 {latest.answers.versions?.gad7 ?? '–'}, pain{' '}
              {latest.answers.versions?.pain ?? '–'}; intake form {String(latest.intake.questionnaire_version)}.
            </p>
            <Answers answers={latest.answers} />
          </Fragment>
        ) : (
          <p>No intake yet. The patient is sent the questions when a consultation is booked.</p>
        )}
        <Consent patientId={props.patient.id} consent={props.consent} signatures={props.signatures} zone={zone} />
      </Fragment>
    ),
  });
}

/** A signed document as the patient signed it, laid out to print. */
export function SignedCopyPage(props: {
  staff: StaffContext;
  patient: Patient;
  signature: Signature;
  document: ConsentDocument;
  zone: string;
}) {
  const { signature, document } = props;
  return ClinicalFrame({
    staff: props.staff,
    patient: props.patient,
    tab: 'intake',
    title: document.title,
    children: (
      <article class="signed-copy">
        <p class="print-hint">To print or save this copy, use your browser’s Print command.</p>
        <p class="hint">
          Version {String(document.version)}, published {formatDateTime(document.published_at, props.zone)}
        </p>
        <DocumentText body={document.body} headings={2} />
        <dl class="intake-answers signature-block">
          <div>
            <dt>Patient</dt>
            <dd>
              {props.patient.first_name} {props.patient.last_name}
            </dd>
          </div>
          <div>
            <dt>Name typed to sign</dt>
            <dd>{signature.typed_name}</dd>
          </div>
          <div>
            <dt>Signed</dt>
            <dd>{formatDateTime(signature.signed_at, props.zone)}</dd>
          </div>
          <div>
            <dt>From address</dt>
            <dd>{signature.ip ?? 'Not recorded'}</dd>
          </div>
          <div>
            <dt>SHA-256 of the text signed</dt>
            <dd class="hash">{signature.sha256}</dd>
          </div>
          <div>
            <dt>Matches this version’s text</dt>
            <dd>{signature.sha256 === document.sha256 ? 'Yes' : 'No: the stored text differs from what was signed'}</dd>
          </div>
        </dl>
      </article>
    ),
  });
}
