/**
 * One location's safety rates as server-rendered SVG: adverse events and alerts per 100 sessions by month,
 * each series with its own marker and line (never colour alone), and beside it the same figures as a table with the
 * counts behind each rate. A month without sessions is a gap in the line, not a zero. Pure.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { formatDate } from '../../kernel/time/format.ts';
import type { MonthRate } from './rates.ts';

const W = 720;
const H = 300;
const LEFT = 52;
const RIGHT = 20;
const TOP = 40;
const BOTTOM = 48;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;
const r1 = (n: number) => Math.round(n * 10) / 10;

const monthWords = (month: string) => formatDate(`${month}-01`, 'month');
const rate = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: 1 }));

function niceMax(values: number[]): number {
  const top = Math.max(10, ...values);
  const step = top <= 20 ? 5 : top <= 50 ? 10 : 25;
  return Math.ceil(top / step) * step;
}

function Line(p: { points: Array<{ x: number; y: number } | null>; cls: string; shape: 'dot' | 'square' }) {
  // Runs of consecutive months with a rate; a month without sessions breaks the line.
  let d = '';
  let pen = false;
  for (const q of p.points) {
    if (!q) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${r1(q.x)} ${r1(q.y)}`;
    pen = true;
  }
  return (
    <g>
      {d ? <path d={d} class={`chart-line ${p.cls}`} fill="none" /> : null}
      {p.points.map((q) =>
        !q ? null : p.shape === 'dot' ? (
          <circle cx={r1(q.x)} cy={r1(q.y)} r="4" class={p.cls} />
        ) : (
          <rect x={r1(q.x - 4)} y={r1(q.y - 4)} width="8" height="8" class={p.cls} />
        ),
      )}
    </g>
  );
}

export function RatesChart(props: { id: string; name: string; months: MonthRate[] }) {
  const { id, months } = props;
  const values = months.flatMap((m) => [m.adversePer100, m.alertsPer100]).filter((v): v is number => v !== null);
  const max = niceMax(values);
  const step = max / 5;
  const xOf = (i: number) => LEFT + (months.length <= 1 ? PLOT_W / 2 : (i / (months.length - 1)) * PLOT_W);
  const yOf = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const points = (key: 'adversePer100' | 'alertsPer100') =>
    months.map((m, i) => (m[key] === null ? null : { x: xOf(i), y: yOf(m[key]) }));
  const given = months.reduce((n, m) => n + m.sessions, 0);
  const desc =
    given === 0
      ? 'No infusions were given in these months.'
      : `${given === 1 ? '1 session' : `${given} sessions`} over ${months.length} months. Adverse events per 100 sessions ranged from ${rate(
          Math.min(...months.flatMap((m) => (m.adversePer100 === null ? [] : [m.adversePer100]))),
        )} to ${rate(Math.max(...months.flatMap((m) => (m.adversePer100 === null ? [] : [m.adversePer100]))))}; alerts per 100 sessions from ${rate(
          Math.min(...months.flatMap((m) => (m.alertsPer100 === null ? [] : [m.alertsPer100]))),
        )} to ${rate(Math.max(...months.flatMap((m) => (m.alertsPer100 === null ? [] : [m.alertsPer100]))))}. The table lists every month.`;
  const ticks = Array.from({ length: 6 }, (_, i) => i * step);
  return (
    <div class="rates-chart">
      <div class="chart-scroll" tabindex="0" role="region" aria-labelledby={`${id}-title`}>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          width="100%"
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          class="chart"
          preserveAspectRatio="xMinYMin meet"
        >
          <title id={`${id}-title`}>{`${props.name}: adverse events and alerts per 100 sessions, by month`}</title>
          <desc id={`${id}-desc`}>{desc}</desc>
          <g class="chart-legend" aria-hidden="true">
            <circle cx={LEFT + 6} cy={16} r="4" class="chart-adverse" />
            <text x={LEFT + 16} y={20}>
              Adverse events per 100
            </text>
            <rect x={LEFT + 196} y={12} width="8" height="8" class="chart-alerts" />
            <text x={LEFT + 210} y={20}>
              Alerts per 100 (dashed)
            </text>
          </g>
          {ticks.map((v) => (
            <Fragment>
              <line x1={LEFT} x2={LEFT + PLOT_W} y1={r1(yOf(v))} y2={r1(yOf(v))} class="chart-grid" />
              <text x={LEFT - 6} y={r1(yOf(v)) + 4} text-anchor="end" class="chart-axis">
                {String(v)}
              </text>
            </Fragment>
          ))}
          {months.map((m, i) => (
            <text x={r1(xOf(i))} y={H - BOTTOM + 20} text-anchor="middle" class="chart-axis">
              {m.month.slice(5) === '01' || i === 0 ? `${m.month.slice(5)}/${m.month.slice(2, 4)}` : m.month.slice(5)}
            </text>
          ))}
          <text x={LEFT} y={H - 8} class="chart-axis">
            Month (MM/YY)
          </text>
          <Line points={points('adversePer100')} cls="chart-adverse" shape="dot" />
          <Line points={points('alertsPer100')} cls="chart-alerts" shape="square" />
        </svg>
      </div>
      <div class="table-scroll" tabindex="0" role="region" aria-labelledby={`${id}-caption`}>
        <table class="hours-table chart-table">
          <caption id={`${id}-caption`}>{`${props.name}: by month`}</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Sessions</th>
              <th scope="col">Adverse events</th>
              <th scope="col">Adverse per 100</th>
              <th scope="col">Alerts in session</th>
              <th scope="col">Alerts on worklist</th>
              <th scope="col">Alerts per 100</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr>
                <th scope="row">{monthWords(m.month)}</th>
                <td>{String(m.sessions)}</td>
                <td>{String(m.adverse)}</td>
                <td>{rate(m.adversePer100)}</td>
                <td>{String(m.sessionAlerts)}</td>
                <td>{String(m.flags)}</td>
                <td>{rate(m.alertsPer100)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
