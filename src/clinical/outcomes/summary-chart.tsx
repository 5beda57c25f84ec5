/**
 * The summary's pain trend: pain now (and on average) from each complete questionnaire, 0–10, over time, with the
 * infusions given marked as ticks along the bottom and the baseline as a dashed line; and the same figures as a table
 * (what a screen reader reads, and what a printed copy keeps exact). No meaning rests on colour: pain now is a solid
 * line with dots, the average a dashed line with squares, named in the legend. Pure: data in, markup out.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { zoned } from '../../kernel/time/format.ts';

export interface PainTrend {
  points: ReadonlyArray<{ at: number; now: number; average: number | null; timepoint: string }>;
  baseline: { value: number; at: number; from: string } | null;
  /** When each infusion of the plan started. */
  sessions: readonly number[];
  zone: string;
}

const W = 720;
const H = 260;
const LEFT = 44;
const RIGHT = 16;
const TOP = 16;
const PLOT_H = 180;
const PLOT_W = W - LEFT - RIGHT;
const DAY = 86_400_000;
const r1 = (n: number) => Math.round(n * 10) / 10;

/** How each time point reads on the page. */
export const TIMEPOINT_LABELS: Record<string, string> = {
  intake: 'Intake',
  pre_session: 'Before a session',
  end_of_induction: 'End of induction',
  week_1: '1 week after',
  week_4: '4 weeks after',
  week_12: '12 weeks after',
  pre_booster: 'Before a booster',
  visit: 'At a visit',
};
export const timepointLabel = (t: string) => TIMEPOINT_LABELS[t] ?? t;

const day = (at: number, zone: string) => zoned(at, zone).toFormat('LLL d, yyyy');

export function PainTrendChart(data: PainTrend) {
  const { points, zone } = data;
  if (points.length === 0)
    return <p>No pain ratings from questionnaires yet: the trend appears after the first one is complete.</p>;
  const times = [...points.map((p) => p.at), ...data.sessions, ...(data.baseline ? [data.baseline.at] : [])];
  const from = Math.min(...times);
  const to = Math.max(...times, from + 7 * DAY);
  const xOf = (t: number) => LEFT + ((t - from) / (to - from)) * PLOT_W;
  const yOf = (v: number) => TOP + PLOT_H - (v / 10) * PLOT_H;
  const path = (xs: Array<{ at: number; v: number }>) =>
    xs.map((q, i) => `${i === 0 ? 'M' : 'L'}${r1(xOf(q.at))} ${r1(yOf(q.v))}`).join('');
  const now = points.map((p) => ({ at: p.at, v: p.now }));
  const average = points.filter((p) => p.average !== null).map((p) => ({ at: p.at, v: p.average! }));
  // About five dates along the axis, at the start of a day in the location's zone.
  const ticks: number[] = [];
  const every = Math.max(1, Math.ceil((to - from) / DAY / 5)) * DAY;
  for (let t = zoned(from, zone).startOf('day').toMillis(); t <= to; t += every) if (t >= from) ticks.push(t);
  const baseline = data.baseline;
  return (
    <figure class="pain-trend">
      <figcaption id="pain-trend-caption">
        Pain now (0 = no pain, 10 = worst imaginable), from each complete questionnaire
        {baseline ? `; baseline ${baseline.value} (${timepointLabel(baseline.from).toLowerCase()})` : ''}
      </figcaption>
      <div class="chart-scroll">
        <svg
          class="chart pain-chart"
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-labelledby="pain-trend-caption"
          aria-describedby="pain-trend-table-caption"
        >
          {[0, 2, 4, 6, 8, 10].map((v) => (
            <Fragment>
              <line x1={LEFT} x2={LEFT + PLOT_W} y1={r1(yOf(v))} y2={r1(yOf(v))} class="chart-grid" />
              <text x={LEFT - 8} y={r1(yOf(v) + 4)} text-anchor="end" class="chart-axis">
                {String(v)}
              </text>
            </Fragment>
          ))}
          {baseline ? (
            <Fragment>
              <line
                x1={LEFT}
                x2={LEFT + PLOT_W}
                y1={r1(yOf(baseline.value))}
                y2={r1(yOf(baseline.value))}
                class="pain-baseline"
              />
              <text x={LEFT + PLOT_W - 4} y={r1(yOf(baseline.value) - 5)} text-anchor="end" class="pain-baseline-label">
                Baseline
              </text>
            </Fragment>
          ) : null}
          {data.sessions.map((t) => (
            <line x1={r1(xOf(t))} x2={r1(xOf(t))} y1={TOP + PLOT_H} y2={TOP + PLOT_H + 10} class="chart-session" />
          ))}
          {ticks.map((t) => (
            <text x={r1(xOf(t))} y={TOP + PLOT_H + 28} text-anchor="middle" class="chart-axis">
              {zoned(t, zone).toFormat('LLL d')}
            </text>
          ))}
          {average.length > 0 ? <path d={path(average)} class="chart-line pain-average" fill="none" /> : null}
          {average.map((q) => (
            <rect x={r1(xOf(q.at) - 3)} y={r1(yOf(q.v) - 3)} width="6" height="6" class="pain-average-mark" />
          ))}
          <path d={path(now)} class="chart-line pain-now" fill="none" />
          {now.map((q) => (
            <circle cx={r1(xOf(q.at))} cy={r1(yOf(q.v))} r="4" class="pain-now-mark" />
          ))}
          <g class="chart-legend" transform={`translate(${LEFT}, ${H - 14})`}>
            <circle cx="6" cy="-4" r="4" class="pain-now-mark" />
            <text x="16" y="0" class="chart-axis">
              Pain now
            </text>
            <rect x="93" y="-7" width="6" height="6" class="pain-average-mark" />
            <text x="106" y="0" class="chart-axis">
              Pain on average
            </text>
            <line x1="232" x2="232" y1="-10" y2="0" class="chart-session" />
            <text x="240" y="0" class="chart-axis">
              Infusion given
            </text>
          </g>
        </svg>
      </div>
      <details class="chart-table-details">
        <summary>The ratings as a table</summary>
        <table class="mailbox chart-table">
          <caption id="pain-trend-table-caption">Pain ratings, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">When asked</th>
              <th scope="col">Pain now</th>
              <th scope="col">On average</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr>
                <td>{day(p.at, zone)}</td>
                <td>{timepointLabel(p.timepoint)}</td>
                <td>{String(p.now)}</td>
                <td>{p.average === null ? '—' : String(p.average)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
