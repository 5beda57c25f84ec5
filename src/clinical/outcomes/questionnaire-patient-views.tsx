import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { Clinic } from '../../kernel/clinic.ts';
import { Layout } from '../../kernel/ui/site-layout.tsx';
import { ErrorSummary, FieldError, Saved, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { formatDay } from '../../kernel/time/format.ts';
import { CrisisResources } from '../intake/patient-views.tsx';
import { askedItems, scoreAnswers, type AskedItem } from './questionnaire-answers.ts';
import { INSTRUMENT_TITLES } from './questionnaire-instruments.ts';
import type { DonePage, LinkProblemReason, QuestionnairePageData } from './questionnaire-link-service.ts';

const tel = (phone: string) => `tel:${phone.replace(/[^+\d]/g, '')}`;

/** One question as a group of radio buttons; numeric scales sit side by side. */
export function ItemQuestion(props: { item: AskedItem; values: Values; errors: Errors }) {
  const { item, values, errors } = props;
  const name = item.field;
  const hintId = item.hint ? `${name}-hint` : undefined;
  const numeric = item.options.length > 7;
  return (
    <fieldset
      class={`field radio-group${numeric ? ' scale' : ''}${errors[name] ? ' field-invalid' : ''}`}
      aria-describedby={[errors[name] ? `${name}-error` : '', hintId ?? ''].filter(Boolean).join(' ') || undefined}
    >
      <legend>{item.text}</legend>
      {item.hint ? (
        <p class="hint" id={hintId}>
          {item.hint}
        </p>
      ) : null}
      <FieldError id={name} message={errors[name]} />
      <div class="scale-options">
        {item.options.map((o) => (
          <label class="radio" for={`${name}-${o.value}`}>
            <input
              type="radio"
              id={`${name}-${o.value}`}
              name={name}
              value={String(o.value)}
              checked={values[name] === String(o.value)}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** The questions grouped by instrument, each group headed, its recall period read first. */
export function QuestionnaireItems(props: { items: AskedItem[]; values: Values; errors: Errors }) {
  const groups: AskedItem[][] = [];
  for (const item of props.items) {
    const last = groups.at(-1);
    if (last && last[0]!.instrument === item.instrument) last.push(item);
    else groups.push([item]);
  }
  return (
    <Fragment>
      {groups.map((g) => (
        <section class="questionnaire-part" aria-labelledby={`part-${g[0]!.instrument}`}>
          <h2 id={`part-${g[0]!.instrument}`}>{INSTRUMENT_TITLES[g[0]!.instrument]}</h2>
          {g[0]!.lead ? <p>{g[0]!.lead}</p> : null}
          {g.map((item) => (
            <ItemQuestion item={item} values={props.values} errors={props.errors} />
          ))}
        </section>
      ))}
    </Fragment>
  );
}

const NOTICES = {
  saved: 'Saved. You can finish later with the same link.',
  incomplete: 'Saved. Some questions are not answered yet; they are marked below. Answer them and send again.',
} as const;

function Frame(props: { clinic: Clinic; firstName: string; title: string; children?: Child }) {
  return (
    <Layout title={props.title} clinic={props.clinic} hideCta>
      <div class="wrap narrow intake">
        <p class="intake-kicker">How you are · {props.firstName}</p>
        {props.children}
      </div>
    </Layout>
  );
}

export function QuestionnaireFormPage(props: QuestionnairePageData) {
  const { link, values, errors } = props;
  const items = askedItems(link.asked);
  const score = scoreAnswers(link.asked, link.answers);
  const left = props.notice === 'incomplete' ? items.filter((i) => values[i.field] === undefined) : [];
  const leftErrors: Errors = Object.fromEntries(left.map((i) => [i.field, 'Not answered yet.']));
  return (
    <Frame clinic={link.clinic} firstName={link.firstName} title="A few questions about how you are">
      <h1>A few questions about how you are</h1>
      {props.notice === 'conflict' ? (
        <div class="notice notice-warning" role="alert">
          <p>
            These answers were changed in another window since you opened this page, so nothing was saved here. What you
            see now is what is saved. Please check it and save again.
          </p>
        </div>
      ) : (
        <Saved message={props.notice ? NOTICES[props.notice] : undefined} />
      )}
      {score.item9 !== 'none' ? <CrisisResources clinic={link.clinic} /> : null}
      <ErrorSummary errors={errors} />
      <p class="lead">
        Your answers go to your care team at {link.clinic.name}. It takes a few minutes. You can save and finish later
        with the same link until {formatDay(link.q.closes_at - 1, link.zone)}.
      </p>
      <p>
        Your answers are scored only when every question is answered; until then they are kept as they are. This form is
        not watched at all times: if you need help now, call <a href={tel(link.clinic.phone)}>{link.clinic.phone}</a>,
        or 911 in an emergency.
      </p>
      <form class="form" method="post" action={link.base} novalidate>
        <QuestionnaireItems items={items} values={values} errors={{ ...leftErrors, ...errors }} />
        <input type="hidden" name="version" value={String(link.q.version)} />
        <p class="intake-actions">
          <button class="button" type="submit" name="intent" value="send">
            Send my answers
          </button>{' '}
          <button class="button button-secondary" type="submit" name="intent" value="save">
            Save and finish later
          </button>
        </p>
      </form>
    </Frame>
  );
}

export function QuestionnaireDonePage(props: DonePage) {
  const { link } = props;
  return (
    <Frame clinic={link.clinic} firstName={link.firstName} title="Thank you">
      <h1>Thank you</h1>
      <p class="lead">
        Your answers were sent to your care team
        {link.q.completed_at ? ` on ${formatDay(link.q.completed_at, link.zone)}` : ''}. There is nothing more to do
        here.
      </p>
      {props.crisis ? (
        <Fragment>
          <p>
            A provider at the clinic will review one of your answers and may contact you. If you need help now, please
            use one of these.
          </p>
          <CrisisResources clinic={link.clinic} />
        </Fragment>
      ) : (
        <p>
          If something has changed or worries you, call us at <a href={tel(link.clinic.phone)}>{link.clinic.phone}</a>.
        </p>
      )}
    </Frame>
  );
}

const PROBLEM: Record<LinkProblemReason, { heading: string; lead: string }> = {
  expired: {
    heading: 'This link has expired',
    lead: 'Links to the questions stay valid only while the questions are open, to keep your information safe.',
  },
  closed: {
    heading: 'These questions are closed',
    lead: 'The time to answer these questions has passed, or your care team no longer needs them. There is nothing to do here.',
  },
  invalid: {
    heading: 'This link does not work',
    lead: 'The link may be incomplete, or it may have been changed. Copy the whole link from the email.',
  },
  unknown: {
    heading: 'This link does not work',
    lead: 'The link may be incomplete, or it may have been changed. Copy the whole link from the email.',
  },
};

/** A link that does not open: why, in plain words, and whom to call. */
export function LinkProblemPage(props: { clinic: Clinic; reason: LinkProblemReason }) {
  const text = PROBLEM[props.reason];
  return (
    <Layout title={text.heading} clinic={props.clinic} hideCta>
      <div class="wrap narrow">
        <h1>{text.heading}</h1>
        <p class="lead">{text.lead}</p>
        <p>
          If you have a question about your care, call us at <a href={tel(props.clinic.phone)}>{props.clinic.phone}</a>.
          Your care team can also go through the questions with you at your next visit.
        </p>
      </div>
    </Layout>
  );
}
