/** The patient's outcomes in words (the responder summary) and the outcomes tab around it and the chart. */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { ClinicalFrame } from '../patient-frame.tsx';
import type { Patient } from '../../patients/service.ts';
import { zoned } from '../../kernel/time/format.ts';
import { PatientOutcomesChart } from './patient-outcomes-chart.tsx';
import type { PatientOutcomes } from './patient-outcomes-read.ts';
import type { PatientEpisode, ScoreChange, SessionMark } from './responder.ts';
import { IMMPACT_LABELS, pctWords, pointsWords, timepointLabel } from './report-words.ts';

const DAY = 86_400_000;
const shortDay = (at: number, zone: string) => zoned(at, zone).toFormat('LLL d, yyyy');
const days = (ms: number) => {
  const n = Math.round(ms / DAY);
  return `${n} day${n === 1 ? '' : 's'}`;
};

function bandWords(change: ScoreChange, zone: string): string {
  const { baseline, latest } = change;
  const to = latest ? `${latest.total} (${latest.band?.label.toLowerCase() ?? '?'})` : '';
  if (!baseline)
    return latest
      ? `No baseline: not scored at intake nor before the first infusion, so no change is measured (missing from the clinic's improvement share). Latest ${to} on ${shortDay(latest.at, zone)}.`
      : 'Not yet scored.';
  const from = `${baseline.total} (${baseline.band?.label.toLowerCase() ?? '?'})`;
  if (!latest) return `${from} at baseline; no follow-up yet.`;
  const steps = change.bandSteps ?? 0;
  const move =
    steps < 0
      ? `${-steps} band${steps === -1 ? '' : 's'} milder`
      : steps > 0
        ? `${steps} band${steps === 1 ? '' : 's'} more severe`
        : 'same band';
  return `${from} → ${to}: ${move}.`;
}

function afterWords(mark: SessionMark | null, zone: string): string {
  if (!mark) return 'Before any recorded infusion.';
  const which =
    mark.kind === 'booster'
      ? `booster ${mark.number ?? ''}`.trim()
      : mark.kind === 'induction'
        ? `session ${mark.number ?? ''}`.trim()
        : 'an infusion';
  return `After ${which} on ${shortDay(mark.at, zone)}.`;
}

/** One response episode: from, until (or still open, a lower bound), its length, and the infusion before it. */
function episodeWords(e: PatientEpisode, cutoffPct: number, zone: string): string {
  const span = e.open
    ? `From ${shortDay(e.startedAt, zone)}, still responding at the last questionnaire (${shortDay(e.lastSeenAt, zone)}): at least ${days(e.durationMs)}.`
    : `From ${shortDay(e.startedAt, zone)} until ${shortDay(e.endedAt!, zone)}, when relief fell under ${cutoffPct} %: ${days(e.durationMs)}.`;
  return `${span} ${afterWords(e.after, zone)}`;
}

/** The responder analysis in a few lines: what a provider reads first. */
export function PatientOutcomesSummary(props: { data: PatientOutcomes }) {
  const { data } = props;
  const r = data.response;
  const s = data.settings;
  return (
    <dl class="outcomes-summary">
      <dt>Baseline pain (average, 0–10)</dt>
      <dd>
        {r.baseline
          ? `${r.baseline.pain}, ${r.baseline.source === 'intake' ? 'at intake' : 'before the first session'} (${shortDay(r.baseline.at, data.zone)})`
          : 'None: the intake did not rate average pain and no questionnaire before a session was completed before the first infusion.'}
      </dd>
      <dt>Latest pain</dt>
      <dd>
        {r.latest
          ? `${r.latest.pain} (${timepointLabel(r.latest.timepoint)}, ${shortDay(r.latest.at, data.zone)}): ${pointsWords(r.latest.changePoints)} than baseline, ${pctWords(r.latest.changePct)}. ${IMMPACT_LABELS[r.latest.immpact]}.`
          : 'No follow-up yet.'}
      </dd>
      <dt>Responses ({s.body.moderatePct} % relief or more)</dt>
      <dd>
        {r.episodes.length > 0 ? (
          <ol class="outcomes-episodes">
            {r.episodes.map((e) => (
              <li>{episodeWords(e, s.body.moderatePct, data.zone)}</li>
            ))}
          </ol>
        ) : r.baseline && r.baseline.pain === 0 ? (
          'Not applicable: the baseline pain is 0.'
        ) : (
          'Not reached yet.'
        )}
      </dd>
      <dt>PHQ-9 (depression)</dt>
      <dd>{bandWords(r.phq9, data.zone)}</dd>
      <dt>GAD-7 (anxiety)</dt>
      <dd>{bandWords(r.gad7, data.zone)}</dd>
      <dt>Impression of change (PGIC)</dt>
      <dd>
        {r.pgic ? `${r.pgic.value} of 7: ${r.pgic.label ?? ''} (${shortDay(r.pgic.at, data.zone)})` : 'Not asked yet.'}
      </dd>
    </dl>
  );
}

/** The thresholds in force, with the UNVERIFIED mark while the shipped default stands. */
export function ResponderNote(props: { data: Pick<PatientOutcomes, 'settings'> }) {
  const s = props.data.settings;
  return (
    <p class="hint">
      IMMPACT classes of relief in average pain: under {s.body.minimalPct} % no meaningful change, {s.body.minimalPct}{' '}
      to under {s.body.moderatePct} % minimal, {s.body.moderatePct} % or more moderate, {s.body.substantialPct} % or
      more substantial (Dworkin 2008). A response starts at {s.body.moderatePct} % relief or more; each ends at the
      first later questionnaire under {s.body.moderatePct} %, and a later one at {s.body.moderatePct} % or more starts
      the next (after a booster, say). One still open is at least as long as shown.{' '}
      {s.unverified ? (
        <span class="badge badge-unverified">
          UNVERIFIED defaults: an administrator confirms them in Clinical settings.
        </span>
      ) : (
        `Thresholds version ${s.version}.`
      )}
    </p>
  );
}

export function PatientOutcomesPage(props: { staff: StaffContext; patient: Patient; data: PatientOutcomes }) {
  return ClinicalFrame({
    staff: props.staff,
    patient: props.patient,
    tab: 'outcomes',
    children: (
      <Fragment>
        <section aria-labelledby="outcomes-response">
          <h2 id="outcomes-response">Response to treatment</h2>
          <PatientOutcomesSummary data={props.data} />
          <ResponderNote data={props.data} />
        </section>
        <section aria-labelledby="outcomes-over-time">
          <h2 id="outcomes-over-time">Over time</h2>
          <PatientOutcomesChart data={props.data} />
        </section>
      </Fragment>
    ),
  });
}
