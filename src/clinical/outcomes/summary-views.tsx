/**
 * The patient's clinical summary page: one screen a provider reads in a minute, and a printed page for a referring
 * physician (the print stylesheet leaves off the staff chrome and prints black on white, chart included).
 */
import { DateTime } from 'luxon';
import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { consultationTime, formatDay, zoned } from '../../kernel/time/format.ts';
import { formatDate } from '../../kernel/time/format.ts';
import { ALERT_KINDS } from '../intake/staff-views.tsx';
import { clinicalHref, ClinicalFrame } from '../patient-frame.tsx';
import { PatientOutcomesChart } from './patient-outcomes-chart.tsx';
import { ResponderNote } from './patient-outcomes-views.tsx';
import { IMMPACT_LABELS, pctWords, pointsWords, timepointLabel } from './report-words.ts';
import type { SummaryData, SummaryPlan, SummaryScore } from './summary-service.ts';

export const summaryHref = (patientId: string) => clinicalHref(patientId, 'summary');

const PLAN_STATUS = { active: 'Active', paused: 'Paused', completed: 'Completed' } as const;
const SESSION_KIND = { induction: 'Induction', booster: 'Booster' } as const;
const ALERT_LEVEL = { alert: 'Alert', urgent: 'Urgent' } as const;
const ALERT_SOURCE: Record<string, string> = {
  intake: 'intake',
  'check-in': 'check-in',
  questionnaire: 'a questionnaire',
};

const day = (at: number, zone: string) => <time datetime={new Date(at).toISOString()}>{formatDay(at, zone)}</time>;
const shortDay = (at: number, zone: string) => (
  <time datetime={new Date(at).toISOString()}>{zoned(at, zone).toFormat('LLL d, yyyy')}</time>
);
const mg = (n: number) => String(Math.round(n * 100) / 100);

function Section(props: { id: string; title: string; children?: Child }) {
  return (
    <section class="summary-card" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

function PlanPart(props: { plan: SummaryPlan | null; zone: string; patientId: string }) {
  const { plan, zone } = props;
  if (!plan)
    return (
      <p>
        No treatment plan in force. <a href={clinicalHref(props.patientId, 'plan')}>Treatment plan</a>
      </p>
    );
  const { given, total } = plan.induction;
  return (
    <dl class="summary-list summary-compact">
      <div>
        <dt>Protocol</dt>
        <dd>{plan.protocolName}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          {PLAN_STATUS[plan.status]}
          {plan.signedAt !== null ? <Fragment>, signed {shortDay(plan.signedAt, zone)}</Fragment> : null}
        </dd>
      </div>
      <div>
        <dt>Where they are</dt>
        <dd>
          {given >= total ? `Induction complete (${total} of ${total})` : `Induction ${given} of ${total} given`}
          {plan.boostersGiven > 0
            ? `; ${plan.boostersGiven} ${plan.boostersGiven === 1 ? 'booster' : 'boosters'} given`
            : ''}
          {plan.lastGivenAt !== null ? <Fragment>; last infusion {shortDay(plan.lastGivenAt, zone)}</Fragment> : null}
        </dd>
      </div>
      <div>
        <dt>Next session</dt>
        <dd>
          {plan.next ? (
            <Fragment>
              {SESSION_KIND[plan.next.kind]} {String(plan.next.number)},{' '}
              <time datetime={new Date(plan.next.startsAt).toISOString()}>
                {consultationTime(plan.next.startsAt, zone)}
              </time>
            </Fragment>
          ) : (
            'None booked'
          )}
        </dd>
      </div>
      {plan.boosterDue ? (
        <div>
          <dt>Next booster</dt>
          <dd>
            {plan.boosterDue.kind === 'date'
              ? `Due about ${formatDate(plan.boosterDue.day)} by the protocol; not booked yet`
              : `On response, after a re-evaluation (at least ${plan.boosterDue.minDaysBetween} days apart)`}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function ScoreLine(props: { name: string; score: SummaryScore | null; max: number; zone: string }) {
  const { score } = props;
  return (
    <div>
      <dt>{props.name}</dt>
      <dd>
        {score ? (
          <Fragment>
            <strong>
              {String(score.total)} of {String(props.max)}
            </strong>
            {score.band ? `, ${score.band.label.toLowerCase()}` : ''} · {shortDay(score.at, props.zone)} (
            {timepointLabel(score.from).toLowerCase()})
          </Fragment>
        ) : (
          'Not answered yet'
        )}
      </dd>
    </div>
  );
}

/** The latest pain against the baseline, in points, per cent and its IMMPACT class: the trend in one sentence. */
function ResponseLine(props: { data: SummaryData }) {
  const { response } = props.data.outcomes;
  const zone = props.data.zone;
  if (!response.baseline)
    return (
      <p>
        No baseline pain: neither the intake nor a questionnaire completed before the first infusion rated it, so no
        change is measured.
      </p>
    );
  const latest = response.latest;
  return (
    <p>
      Baseline pain (average) <strong>{String(response.baseline.pain)}</strong>
      {latest ? (
        <Fragment>
          ; latest <strong>{String(latest.pain)}</strong> ({timepointLabel(latest.timepoint).toLowerCase()},{' '}
          {shortDay(latest.at, zone)}): {pointsWords(latest.changePoints)}, {pctWords(latest.changePct)} relief ·{' '}
          <strong>{IMMPACT_LABELS[latest.immpact]}</strong>
        </Fragment>
      ) : (
        '; no follow-up rating yet'
      )}
      .{' '}
      <span class="print-hint">
        <a href={clinicalHref(props.data.patient.id, 'outcomes')}>Outcomes in full</a>
      </span>
    </p>
  );
}

export function SummaryPage(props: { staff: StaffContext; data: SummaryData }) {
  const d = props.data;
  const { zone, patient } = d;
  return ClinicalFrame({
    staff: props.staff,
    patient,
    tab: 'summary',
    title: 'Clinical summary',
    children: (
      <article class="clinical-summary">
        <p class="print-hint">
          To send it to a referring physician, print this page with your browser’s Print command: the staff menus are
          left off the paper.
        </p>
        <p class="summary-printed">
          {d.dateOfBirth ? `Born ${DateTime.fromISO(d.dateOfBirth).toFormat('LLLL d, yyyy')} · ` : ''}As of{' '}
          {day(d.now, zone)}
        </p>
        <div class="summary-grid">
          <Section id="summary-diagnosis" title="Diagnosis">
            {d.diagnoses.length === 0 ? (
              <p>No diagnosis recorded.</p>
            ) : (
              <ul class="summary-items">
                {d.diagnoses.map((x) => (
                  <li>
                    <strong>{x.code}</strong> {x.label}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section id="summary-plan" title="Treatment plan">
            <PlanPart plan={d.plan} zone={zone} patientId={patient.id} />
          </Section>
          <Section id="summary-dose" title="Latest dose">
            {d.dose ? (
              <p>
                <strong>{mg(d.dose.mgPerKgH)} mg/kg/h</strong> over {mg(d.dose.hours)} h,{' '}
                <strong>{mg(d.dose.totalMg)} mg</strong> for the session (at {mg(d.dose.weightKg)} kg) · started{' '}
                {shortDay(d.dose.at, zone)}
              </p>
            ) : (
              <p>No infusion given yet.</p>
            )}
          </Section>
          <Section id="summary-mood" title="Mood and anxiety">
            <dl class="summary-list summary-compact">
              <ScoreLine name="PHQ-9 (depression)" score={d.phq9} max={27} zone={zone} />
              <ScoreLine name="GAD-7 (anxiety)" score={d.gad7} max={21} zone={zone} />
            </dl>
          </Section>
        </div>
        <Section id="summary-pain" title="Pain trend">
          <ResponseLine data={d} />
          <PatientOutcomesChart data={d.outcomes} id="summary-chart" />
          <ResponderNote data={d.outcomes} />
        </Section>
        <div class="summary-grid">
          <Section id="summary-flags" title="Open safety flags">
            {d.alerts.length === 0 ? (
              <p>None open.</p>
            ) : (
              <Fragment>
                <ul class="summary-items">
                  {d.alerts.map((a) => (
                    <li>
                      <strong>{ALERT_LEVEL[a.level]}:</strong> {ALERT_KINDS[a.kind] ?? a.kind}, from{' '}
                      {ALERT_SOURCE[a.source] ?? a.source}, raised {shortDay(a.at, zone)}
                    </li>
                  ))}
                </ul>
                <p class="print-hint">
                  <a href="/staff/worklist">Open the worklist</a> to record an assessment.
                </p>
              </Fragment>
            )}
          </Section>
          <Section id="summary-next" title="Next appointments">
            {d.appointments.length === 0 ? (
              <p>None booked.</p>
            ) : (
              <ul class="summary-items">
                {d.appointments.map((a) => (
                  <li>
                    <time datetime={new Date(a.startsAt).toISOString()}>{consultationTime(a.startsAt, a.zone)}</time>:{' '}
                    {a.type}, {a.location}
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </div>
      </article>
    ),
  });
}
