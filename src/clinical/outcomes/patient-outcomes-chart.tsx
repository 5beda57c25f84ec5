/**
 * One patient's pain and mood over time as server-rendered SVG, the infusion sessions marked as ticks on the time
 * axis, and beside it the same figures as a table (what a screen reader reads and what a printout keeps exact).
 * Pure: the read's data in, markup out. No meaning rests on colour: each series has its own marker, named in the
 * legend; the baseline and the 30 % response line are dashed and labelled in words.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { zoned } from '../../kernel/time/format.ts';
import { Gridlines, Marker, Series, r1, yOf, type ChartPanel } from '../../kernel/ui/chart.tsx';
import { bandOf } from './responder.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import type { PatientOutcomes } from './patient-outcomes-read.ts';
import { IMMPACT_LABELS, pctWords, pointsWords, timepointLabel } from './report-words.ts';

const W = 720;
const LEFT = 52;
const RIGHT = 130;
const PLOT_W = W - LEFT - RIGHT;
const DAY = 86_400_000;
type Panel = ChartPanel;

/** Month ticks for long spans, week ticks for short ones, each at local midnight in the location's zone. */
function dateTicks(from: number, to: number, zone: string): Array<{ at: number; label: string }> {
  const span = to - from;
  // At most about nine labelled ticks whatever the span (each label needs ~55 px): weeks up to two months, then months.
  const unit = span > 60 * DAY ? 'month' : 'week';
  const ticks = [];
  let t = zoned(from, zone).startOf(unit);
  if (t.toMillis() < from) t = t.plus(unit === 'month' ? { months: 1 } : { weeks: 1 });
  const months = span / (30 * DAY);
  const stride =
    unit === 'week' ? (span > 30 * DAY ? 2 : 1) : months <= 9 ? 1 : months <= 18 ? 2 : months <= 36 ? 3 : 6;
  while (t.toMillis() <= to && ticks.length < 40) {
    ticks.push({ at: t.toMillis(), label: unit === 'month' ? t.toFormat('LLL yyyy') : t.toFormat('LLL d') });
    t = t.plus(unit === 'month' ? { months: stride } : { weeks: stride });
  }
  return ticks;
}

type IntakeOrObservation = NonNullable<PatientOutcomes['intake']> | PatientOutcomes['observations'][number];

const shortDay = (at: number, zone: string) => zoned(at, zone).toFormat('LLL d, yyyy');

/** The chart and its table. `id` keeps two charts on one page apart. */
export function PatientOutcomesChart(props: { data: PatientOutcomes; id?: string }) {
  const { data } = props;
  const id = props.id ?? 'outcomes-chart';
  const obs = data.observations;
  const base = data.response.baseline;
  const times = [...obs.map((o) => o.at), ...data.sessions, ...(data.intake ? [data.intake.at] : [])];
  if (times.length === 0) {
    return (
      <p class="outcomes-empty" id={id}>
        No questionnaires have been completed yet, so there is nothing to chart.
      </p>
    );
  }
  const from = Math.min(...times);
  const to = Math.max(from + 14 * DAY, ...times);
  const pad = (to - from) * 0.03;
  const xOf = (t: number) => LEFT + ((t - (from - pad)) / (to - from + 2 * pad)) * PLOT_W;
  const pain: Panel = { top: 44, height: 180, lo: 0, hi: 10 };
  const mood: Panel = { top: pain.top + pain.height + 44, height: 150, lo: 0, hi: 27 };
  const axisY = mood.top + mood.height;
  const H = axisY + 52;
  const ticks = dateTicks(from - pad, to + pad, data.zone);
  // The intake's scores, when it has them, start each series: the baseline the later points are read against.
  const pts = (pick: (o: IntakeOrObservation) => number | null, panel: Panel) =>
    [...(data.intake ? [data.intake] : []), ...obs].flatMap((o) => {
      const v = pick(o);
      return v === null ? [] : [{ x: xOf(o.at), y: yOf(panel, v) }];
    });
  const responseLine = base && base.pain > 0 ? base.pain * (1 - data.settings.body.moderatePct / 100) : null;
  const r = data.response;
  const desc =
    `${obs.length} completed questionnaires and ${data.sessions.length} infusion sessions between ${shortDay(from, data.zone)} and ${shortDay(Math.max(...times), data.zone)}. ` +
    (base
      ? `Baseline average pain ${base.pain} of 10 (${base.source === 'intake' ? 'intake' : 'first questionnaire before a session'}). `
      : 'No baseline pain rating yet. ') +
    (r.latest
      ? `Latest average pain ${r.latest.pain}, ${pointsWords(r.latest.changePoints)} than baseline (${pctWords(r.latest.changePct)}, ${IMMPACT_LABELS[r.latest.immpact].toLowerCase()}). `
      : '') +
    'The table lists every value.';

  return (
    <div class="outcomes-chart">
      <div class="chart-scroll" tabindex="0" role="region" aria-labelledby={`${id}-title`}>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          width="100%"
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          class="chart"
          preserveAspectRatio="xMinYMin meet"
        >
          <title id={`${id}-title`}>Pain, depression and anxiety scores over time</title>
          <desc id={`${id}-desc`}>{desc}</desc>
          <g class="chart-legend" aria-hidden="true">
            <Marker shape="dot" x={LEFT + 6} y={16} cls="chart-pain-now" />
            <text x={LEFT + 16} y={20}>
              Pain now
            </text>
            <Marker shape="square" x={LEFT + 96} y={16} cls="chart-pain-avg" />
            <text x={LEFT + 106} y={20}>
              Pain, average
            </text>
            <Marker shape="down" x={LEFT + 210} y={16} cls="chart-phq9" />
            <text x={LEFT + 220} y={20}>
              PHQ-9
            </text>
            <Marker shape="up" x={LEFT + 276} y={16} cls="chart-gad7" />
            <text x={LEFT + 286} y={20}>
              GAD-7
            </text>
            <line x1={LEFT + 340} x2={LEFT + 340} y1={10} y2={24} class="chart-session" />
            <text x={LEFT + 348} y={20}>
              Infusion session
            </text>
          </g>
          <Gridlines panel={pain} step={2} unit="Pain 0–10" left={LEFT} width={PLOT_W} />
          {base ? (
            <g>
              <line
                x1={LEFT}
                x2={LEFT + PLOT_W}
                y1={r1(yOf(pain, base.pain))}
                y2={r1(yOf(pain, base.pain))}
                class="chart-baseline"
              />
              <text x={LEFT + PLOT_W + 6} y={r1(yOf(pain, base.pain) + 4)} class="chart-axis">
                Baseline {base.pain}
              </text>
            </g>
          ) : null}
          {responseLine !== null ? (
            <g>
              <line
                x1={LEFT}
                x2={LEFT + PLOT_W}
                y1={r1(yOf(pain, responseLine))}
                y2={r1(yOf(pain, responseLine))}
                class="chart-limit"
              />
              <text x={LEFT + PLOT_W + 6} y={r1(yOf(pain, responseLine) + 4)} class="chart-limit-label">
                {data.settings.body.moderatePct} % relief
              </text>
            </g>
          ) : null}
          <Series cls="chart-pain-now" shape="dot" points={pts((o) => ('painNow' in o ? o.painNow : null), pain)} />
          <Series cls="chart-pain-avg" shape="square" points={pts((o) => o.painAverage, pain)} />
          <Gridlines panel={mood} step={9} unit="PHQ-9 0–27, GAD-7 0–21" left={LEFT} width={PLOT_W} />
          <Series cls="chart-phq9" shape="down" points={pts((o) => o.phq9, mood)} />
          <Series cls="chart-gad7" shape="up" points={pts((o) => o.gad7, mood)} />
          {data.sessions.map((t) => (
            <line x1={r1(xOf(t))} x2={r1(xOf(t))} y1={axisY} y2={axisY + 10} class="chart-session" />
          ))}
          {ticks.map((t) => (
            <Fragment>
              <line x1={r1(xOf(t.at))} x2={r1(xOf(t.at))} y1={pain.top} y2={axisY} class="chart-grid" />
              <text x={r1(xOf(t.at))} y={axisY + 28} text-anchor="middle" class="chart-axis">
                {t.label}
              </text>
            </Fragment>
          ))}
        </svg>
      </div>
      <OutcomesTable data={data} id={id} />
    </div>
  );
}

const band = (bands: Parameters<typeof bandOf>[0], total: number | null) =>
  total === null ? '—' : `${total} (${bandOf(bands, total)?.label.toLowerCase() ?? '?'})`;

/** Every questionnaire's figures, oldest first, with the relief from baseline beside the pain. */
function OutcomesTable(p: { data: PatientOutcomes; id: string }) {
  const { data } = p;
  const pointAt = new Map(data.response.points.map((pt) => [pt.at, pt]));
  return (
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby={`${p.id}-caption`}>
      <table class="data-table outcomes-table">
        <caption id={`${p.id}-caption`}>Questionnaire scores, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Time point</th>
            <th scope="col">Pain now</th>
            <th scope="col">Pain, average</th>
            <th scope="col">Relief from baseline</th>
            <th scope="col">PHQ-9</th>
            <th scope="col">GAD-7</th>
            <th scope="col">PEG</th>
            <th scope="col">PGIC</th>
          </tr>
        </thead>
        <tbody>
          {data.intake ? (
            <tr>
              <th scope="row">{shortDay(data.intake.at, data.zone)}</th>
              <td>Intake</td>
              <td>—</td>
              <td>{data.intake.painAverage ?? '—'}</td>
              <td>{data.response.baseline?.source === 'intake' ? 'Baseline' : '—'}</td>
              <td>{band(PHQ9.bands, data.intake.phq9)}</td>
              <td>{band(GAD7.bands, data.intake.gad7)}</td>
              <td>—</td>
              <td>—</td>
            </tr>
          ) : null}
          {data.observations.map((o) => {
            const pt = pointAt.get(o.at);
            const isBaseline = data.response.baseline?.source === 'questionnaire' && data.response.baseline.at === o.at;
            return (
              <tr>
                <th scope="row">{shortDay(o.at, data.zone)}</th>
                <td>{timepointLabel(o.timepoint)}</td>
                <td>{o.painNow ?? '—'}</td>
                <td>{o.painAverage ?? '—'}</td>
                <td>
                  {isBaseline
                    ? 'Baseline'
                    : pt
                      ? `${pctWords(pt.changePct)} · ${IMMPACT_LABELS[pt.immpact].toLowerCase()}`
                      : '—'}
                </td>
                <td>{band(PHQ9.bands, o.phq9)}</td>
                <td>{band(GAD7.bands, o.gad7)}</td>
                <td>{o.interference === null ? '—' : o.interference.toFixed(1)}</td>
                <td>{o.pgic === null ? '—' : `${o.pgic} · ${o.pgicLabel ?? ''}`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
