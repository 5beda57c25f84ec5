import { h } from '../../kernel/ui/jsx.ts';
import { Layout } from '../../kernel/ui/site-layout.tsx';
import { ErrorSummary, Saved } from '../../kernel/ui/form.tsx';
import { formatDate } from '../../kernel/time/format.ts';
import { PAIN_NRS } from '../instruments/pain.ts';
import type { DiaryPageData } from './diary-service.ts';
import { ItemQuestion } from './questionnaire-patient-views.tsx';

export function DiaryPage(props: DiaryPageData) {
  const { link } = props;
  const item = {
    field: 'pain',
    instrument: 'pain_nrs' as const,
    key: 'pain',
    text: 'How much pain have you had today, on average?',
    hint: `${PAIN_NRS.min} = ${PAIN_NRS.minLabel}, ${PAIN_NRS.max} = ${PAIN_NRS.maxLabel}`,
    options: Array.from({ length: PAIN_NRS.max - PAIN_NRS.min + 1 }, (_, i) => ({
      value: PAIN_NRS.min + i,
      label: String(PAIN_NRS.min + i),
    })),
  };
  const todays = props.days.find((d) => d.day === link.today);
  return (
    <Layout title="Your pain diary" clinic={link.clinic} hideCta>
      <div class="wrap narrow intake">
        <p class="intake-kicker">Pain diary · {link.firstName}</p>
        <h1>Your pain diary</h1>
        <Saved message={props.saved ? 'Saved. Thank you.' : undefined} />
        <ErrorSummary errors={props.errors} />
        <p class="lead">
          Between visits, you can note your pain once a day. It is optional. Your care team sees these numbers with your
          questionnaires. If you note it twice in a day, the later one counts.
        </p>
        <form class="form" method="post" action={link.base} novalidate>
          <ItemQuestion item={item} values={props.values} errors={props.errors} />
          <p>
            <button class="button" type="submit">
              {todays ? 'Change today’s pain' : 'Save today’s pain'}
            </button>
          </p>
        </form>
        <h2>Your recent entries</h2>
        {props.days.length === 0 ? (
          <p>Nothing noted yet.</p>
        ) : (
          <table class="mailbox">
            <caption class="visually-hidden">Pain noted in your diary, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Pain (0–10)</th>
              </tr>
            </thead>
            <tbody>
              {props.days.map((d) => (
                <tr>
                  <th scope="row">{formatDate(d.day)}</th>
                  <td>{String(d.pain)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </Layout>
  );
}
