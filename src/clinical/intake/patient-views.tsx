import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { Clinic } from '../../kernel/clinic.ts';
import { Layout } from '../../kernel/ui/site-layout.tsx';
import {
  Check,
  ErrorSummary,
  FieldError,
  Input,
  Saved,
  invalid,
  type Errors,
  type Values,
} from '../../kernel/ui/form.tsx';
import { formatDay } from '../../kernel/time/format.ts';
import { CATEGORIES } from '../eligibility/budapest.ts';
import { PAIN_NRS } from '../instruments/pain.ts';
import { DocumentText } from './consent-views.tsx';
import type { IntakeLink, SectionPage } from './link-service.ts';
import {
  ALLERGY_FACT,
  ANSWER_SECTIONS,
  HISTORY_FACTS,
  INTAKE_FACTS_BY_KEY,
  QUESTIONNAIRES,
  SECTIONS,
  SYMPTOM_QUESTIONS,
  type SectionKey,
} from './sections.ts';

const tel = (phone: string) => `tel:${phone.replace(/[^+\d]/g, '')}`;

/** Help now, in plain words: shown at once after a self-harm answer above "not at all", and on later pages. */
export function CrisisResources(props: { clinic: Clinic }) {
  return (
    <section class="notice notice-warning crisis" aria-labelledby="crisis-heading">
      <h2 id="crisis-heading">If you are thinking about harming yourself, help is available now</h2>
      <ul>
        <li>
          <strong>
            Call or text <a href="tel:988">988</a>
          </strong>{' '}
          (Suicide &amp; Crisis Lifeline): free, any time, day or night.
        </li>
        <li>
          <strong>
            In an emergency, call <a href="tel:911">911</a>
          </strong>{' '}
          or go to the nearest emergency room.
        </li>
        <li>
          You can also call us at <a href={tel(props.clinic.phone)}>{props.clinic.phone}</a> during opening hours.
        </li>
      </ul>
    </section>
  );
}

function IntakeFrame(props: { link: IntakeLink; section: SectionKey | 'support'; title: string; children?: Child }) {
  const { link } = props;
  const step = SECTIONS.findIndex((s) => s.key === props.section) + 1;
  return (
    <Layout title={props.title} clinic={link.clinic} hideCta>
      <div class="wrap narrow intake">
        <p class="intake-kicker">
          Before your visit · {link.firstName}
          {step > 0 ? ` · Part ${step} of ${SECTIONS.length}` : ''}
        </p>
        {/* Every section stays one step away, folded so that a phone shows the questions first. */}
        <details class="intake-steps">
          <summary>All parts</summary>
          <nav aria-label="Parts of the questions">
            <ol>
              {SECTIONS.map((s) => (
                <li>
                  <a href={`${link.base}/${s.key}`} aria-current={s.key === props.section ? 'step' : undefined}>
                    {s.title}
                  </a>
                </li>
              ))}
            </ol>
          </nav>
        </details>
        {props.children}
      </div>
    </Layout>
  );
}

function YesNo(props: { name: string; legend: string; values: Values; errors: Errors }) {
  const { name, values, errors } = props;
  return (
    <fieldset
      class={errors[name] ? 'field radio-group yes-no field-invalid' : 'field radio-group yes-no'}
      aria-describedby={errors[name] ? `${name}-error` : undefined}
    >
      <legend>{props.legend}</legend>
      <FieldError id={name} message={errors[name]} />
      <div class="scale-options">
        {[
          ['yes', 'Yes'],
          ['no', 'No'],
        ].map(([value, label]) => (
          <label class="radio" for={`${name}-${value}`}>
            <input type="radio" id={`${name}-${value}`} name={name} value={value} checked={values[name] === value} />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function Scale(props: {
  name: string;
  valueKey: string;
  legend: string;
  hint?: string;
  options: ReadonlyArray<{ value: number; label: string }>;
  values: Values;
  errors: Errors;
  wide?: boolean;
}) {
  const { name, values, errors } = props;
  const hintId = props.hint ? `${name}-hint` : undefined;
  return (
    <fieldset
      class={`field radio-group${props.wide ? ' scale' : ''}${errors[name] ? ' field-invalid' : ''}`}
      aria-describedby={[errors[name] ? `${name}-error` : '', hintId ?? ''].filter(Boolean).join(' ') || undefined}
    >
      <legend>{props.legend}</legend>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={name} message={errors[name]} />
      <div class="scale-options">
        {props.options.map((o) => (
          <label class="radio" for={`${name}-${o.value}`}>
            <input
              type="radio"
              id={`${name}-${o.value}`}
              name={name}
              value={String(o.value)}
              checked={values[props.valueKey] === String(o.value)}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function SaveButtons(props: { link: IntakeLink; label?: string }) {
  return (
    <Fragment>
      <input type="hidden" name="version" value={String(props.link.intake.version)} />
      <p class="intake-actions">
        <button class="button" type="submit">
          {props.label ?? 'Save and continue'}
        </button>
      </p>
      <p class="hint">Your answers are saved when you press the button. You can come back with the same link.</p>
    </Fragment>
  );
}

const NOTICES = {
  saved: 'Saved. You can continue here, or come back later with the same link.',
  signed: 'Signed. Thank you.',
  sent: 'Your answers have been sent to the clinic. Thank you. If something changes before your visit, tell us when you come in.',
} as const;

function SectionBody(props: SectionPage) {
  const { link, section, values, errors } = props;
  const action = `${link.base}/${section}`;
  switch (section) {
    case 'history':
      return (
        <form class="form" method="post" action={action} novalidate>
          <p>Answer what you know. If you are not sure, leave a question blank and we will ask at your visit.</p>
          {HISTORY_FACTS.map((f) => (
            <YesNo name={f.key} legend={f.question} values={values} errors={errors} />
          ))}
          <SaveButtons link={link} />
        </form>
      );
    case 'medicines':
      return (
        <form class="form" method="post" action={action} novalidate>
          <div class="field">
            <label for="medications">Medicines you take now</label>
            <span class="hint" id="medications-hint">
              One per line, with the dose if you know it. Include pain medicines, sleeping tablets, supplements and
              anything you take only sometimes.
            </span>
            <FieldError id="medications" message={errors.medications} />
            <textarea
              id="medications"
              name="medications"
              rows="6"
              {...invalid('medications', errors, 'medications-hint')}
            >
              {values.medications ?? ''}
            </textarea>
          </div>
          <div class="field">
            <label for="allergies">Allergies</label>
            <span class="hint" id="allergies-hint">
              Medicines, foods or anything else, and what happened. Leave it blank if you have none.
            </span>
            <FieldError id="allergies" message={errors.allergies} />
            <textarea id="allergies" name="allergies" rows="4" {...invalid('allergies', errors, 'allergies-hint')}>
              {values.allergies ?? ''}
            </textarea>
          </div>
          <YesNo
            name={ALLERGY_FACT}
            legend={INTAKE_FACTS_BY_KEY[ALLERGY_FACT]?.question ?? ''}
            values={values}
            errors={errors}
          />
          <SaveButtons link={link} />
        </form>
      );
    case 'symptoms':
      return (
        <form class="form" method="post" action={action} novalidate>
          <p>These questions are about the area where you have pain, compared with how it was before.</p>
          {CATEGORIES.map((c) => (
            <YesNo name={c} legend={SYMPTOM_QUESTIONS[c]} values={values} errors={errors} />
          ))}
          <SaveButtons link={link} />
        </form>
      );
    case 'pain': {
      const options = Array.from({ length: PAIN_NRS.max - PAIN_NRS.min + 1 }, (_, i) => ({
        value: PAIN_NRS.min + i,
        label: String(PAIN_NRS.min + i),
      }));
      return (
        <form class="form" method="post" action={action} novalidate>
          {PAIN_NRS.measures.map((m) => (
            <Scale
              name={m.key}
              valueKey={m.key}
              legend={m.question}
              hint={`${PAIN_NRS.min} = ${PAIN_NRS.minLabel}, ${PAIN_NRS.max} = ${PAIN_NRS.maxLabel}`}
              options={options}
              values={values}
              errors={errors}
              wide
            />
          ))}
          <SaveButtons link={link} />
        </form>
      );
    }
    case 'phq9':
    case 'gad7': {
      const def = QUESTIONNAIRES[section];
      return (
        <form class="form" method="post" action={action} novalidate>
          <p>{def.instructions}</p>
          {def.items.map((item, i) => (
            <Scale
              name={item.key}
              valueKey={`${section}.${item.key}`}
              legend={`${i + 1}. ${item.text}`}
              options={def.options}
              values={values}
              errors={errors}
            />
          ))}
          <SaveButtons link={link} />
        </form>
      );
    }
    case 'consent':
      return <ConsentDocuments {...props} />;
    case 'review':
      return <Review {...props} />;
  }
}

function ConsentDocuments(props: SectionPage) {
  const { link, errors, values } = props;
  return (
    <Fragment>
      <p>
        Please read each document. To sign, type your full name and tick the box. If you have questions, you can sign at
        your visit after talking with us instead.
      </p>
      {props.documents.map((d) => {
        const name = `${d.code}-name`;
        const agree = `${d.code}-agree`;
        return (
          <section class="consent-doc" id={`doc-${d.code}`} aria-labelledby={`doc-${d.code}-title`}>
            <h2 id={`doc-${d.code}-title`}>{d.title}</h2>
            <p class="hint">Version {d.version}</p>
            <FieldError id={`doc-${d.code}`} message={errors[`doc-${d.code}`]} />
            <DocumentText body={d.body} />
            {!d.needsSigning && d.signed ? (
              <p class="consent-signed">
                <strong>Signed</strong> on {formatDay(d.signed.signedAt, link.zone)}.
              </p>
            ) : (
              <form class="form consent-form" method="post" action={`${link.base}/consent`} novalidate>
                {d.signed ? (
                  <p>You signed an earlier version. This version has changed; please read it and sign again.</p>
                ) : null}
                <input type="hidden" name="document" value={d.documentId} />
                <Input
                  name={name}
                  label="Your full name"
                  values={values}
                  errors={errors}
                  extra={{ autocomplete: 'name' }}
                />
                <div class={errors[agree] ? 'field-invalid' : undefined}>
                  <FieldError id={agree} message={errors[agree]} />
                  <Check name={agree} label={`I have read “${d.title}” and I agree to it.`} values={values} />
                </div>
                <p>
                  <button class="button" type="submit">
                    Sign this document
                  </button>
                </p>
              </form>
            )}
          </section>
        );
      })}
      <p>
        <a class="button button-secondary" href={`${link.base}/review`}>
          Continue to check and send
        </a>
      </p>
    </Fragment>
  );
}

function Review(props: SectionPage) {
  const { link } = props;
  const sent = link.intake.status === 'submitted';
  const toSign = props.documents.filter((d) => d.needsSigning);
  return (
    <Fragment>
      <h2>Questions</h2>
      <ul class="intake-review">
        {ANSWER_SECTIONS.map((key) => {
          const title = SECTIONS.find((s) => s.key === key)!.title;
          const left = props.missing[key];
          return (
            <li>
              <a href={`${link.base}/${key}`}>{title}</a>:{' '}
              {left === 0 ? 'answered' : `${left} question${left === 1 ? '' : 's'} not answered`}
            </li>
          );
        })}
      </ul>
      <h2>Documents</h2>
      <ul class="intake-review">
        {props.documents.map((d) => (
          <li>
            <a href={`${link.base}/consent#doc-${d.code}`}>{d.title}</a>: {d.needsSigning ? 'not signed yet' : 'signed'}
          </li>
        ))}
      </ul>
      {sent ? null : (
        <form class="form" method="post" action={`${link.base}/review`} novalidate>
          <p>
            When you send your answers, the clinic can read them before your visit. You can no longer change them here
            after that{toSign.length ? ', but you can still sign the documents' : ''}.
            {Object.values(props.missing).some((n) => n > 0)
              ? ' Questions left blank will be asked at your visit.'
              : ''}
          </p>
          <input type="hidden" name="version" value={String(link.intake.version)} />
          <button class="button" type="submit">
            Send my answers
          </button>
        </form>
      )}
    </Fragment>
  );
}

export function IntakeSectionPage(props: SectionPage) {
  const { link, section } = props;
  const title = SECTIONS.find((s) => s.key === section)!.title;
  const readOnly = link.intake.status === 'submitted' && section !== 'consent' && section !== 'review';
  return (
    <IntakeFrame link={link} section={section} title={title}>
      <h1>{title}</h1>
      {props.notice === 'conflict' ? (
        <div class="notice notice-warning" role="alert">
          <p>
            These answers were changed in another window or tab since you opened this page, so nothing was saved here.
            What you see now is what is saved. Please check it and save again.
          </p>
        </div>
      ) : (
        <Saved message={props.notice ? NOTICES[props.notice] : undefined} />
      )}
      {link.intake.status === 'submitted' && props.notice !== 'sent' ? (
        <div class="notice" role="status">
          <p>{NOTICES.sent}</p>
        </div>
      ) : null}
      {props.crisis && (section === 'phq9' || section === 'gad7' || section === 'review') ? (
        <CrisisResources clinic={link.clinic} />
      ) : null}
      <ErrorSummary errors={props.errors} />
      {readOnly ? (
        <p>
          <a href={`${link.base}/review`}>See what you sent</a>
        </p>
      ) : (
        <SectionBody {...props} />
      )}
    </IntakeFrame>
  );
}

export function IntakeSupportPage(props: { link: IntakeLink }) {
  const { link } = props;
  return (
    <IntakeFrame link={link} section="support" title="Thank you for telling us">
      <h1>Thank you for telling us</h1>
      <p class="lead">
        Your answer has been saved. A provider at the clinic will review it and may contact you. This form is not
        watched at all times, so if you need help now, please use one of these.
      </p>
      <CrisisResources clinic={link.clinic} />
      <p>
        <a class="button" href={`${link.base}/gad7`}>
          Continue with the questions
        </a>
      </p>
    </IntakeFrame>
  );
}

/** A link that does not open: why, and whom to call (a new intake link comes from the clinic, not a form). */
export function IntakeProblemPage(props: { clinic: Clinic; reason: 'invalid' | 'expired' | 'unknown' }) {
  const heading = props.reason === 'expired' ? 'This link has expired' : 'This link does not work';
  return (
    <Layout title={heading} clinic={props.clinic} hideCta>
      <div class="wrap narrow">
        <h1>{heading}</h1>
        <p class="lead">
          {props.reason === 'expired'
            ? 'Links to the questions before your visit stay valid for a limited time to keep your information safe.'
            : 'The link may be incomplete, or it may have been changed. Copy the whole link from the email.'}
        </p>
        <p>
          Please call us at <a href={tel(props.clinic.phone)}>{props.clinic.phone}</a> and we will send you a new link,
          or we will go through the questions with you at your visit.
        </p>
      </div>
    </Layout>
  );
}
