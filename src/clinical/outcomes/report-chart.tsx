/**
 * Per protocol and location, the share of patients with a 30 % and a 50 % response at each time point, with each
 * share's 95 % Wilson interval as a whisker, as server-rendered SVG; the table beside it carries the exact figures.
 * Pure. No meaning rests on colour: each series has its own marker and line style, named in the legend.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { ReportGroup, Share, TimepointFigures } from './report.ts';

const W = 720;
const LEFT = 52;
const RIGHT = 20;
const PLOT_W = W - LEFT - RIGHT;
const TOP = 44;
const PLOT_H = 200;
const r1 = (n: number) => Math.round(n * 10) / 10;
const yOf = (share: number) => TOP + PLOT_H - share * PLOT_H;

/** The time point in a few characters: S3 before session 3, B1 before booster 1, W4 week 4, End of induction. */
export function shortLabel(t: Pick<TimepointFigures, 'timepoint' | 'number'>): string {
  const n = t.number ?? '';
  switch (t.timepoint) {
    case 'pre_session':
      return `S${n}`;
    case 'pre_booster':
      return `B${n}`;
    case 'end_of_induction':
      return 'End';
    case 'week_1':
      return 'W1';
    case 'week_4':
      return 'W4';
    case 'week_12':
      return 'W12';
    default:
      return t.timepoint.slice(0, 6);
  }
}

function Whisker(p: { x: number; s: Share }) {
  if (!p.s.ci) return null;
  const lo = yOf(p.s.ci.low);
  const hi = yOf(p.s.ci.high);
  return (
    <g class="chart-ci">
      <line x1={r1(p.x)} x2={r1(p.x)} y1={r1(lo)} y2={r1(hi)} />
      <line x1={r1(p.x - 4)} x2={r1(p.x + 4)} y1={r1(lo)} y2={r1(lo)} />
      <line x1={r1(p.x - 4)} x2={r1(p.x + 4)} y1={r1(hi)} y2={r1(hi)} />
    </g>
  );
}

function Line(p: { points: Array<{ x: number; s: Share }>; cls: string; shape: 'square' | 'up' }) {
  const drawn = p.points.filter((q) => q.s.share !== null);
  if (drawn.length === 0) return null;
  const d = drawn.map((q, i) => `${i === 0 ? 'M' : 'L'}${r1(q.x)} ${r1(yOf(q.s.share!))}`).join('');
  return (
    <g>
      <path d={d} class={`chart-line ${p.cls}`} fill="none" />
      {drawn.map((q) => {
        const y = yOf(q.s.share!);
        return p.shape === 'square' ? (
          <rect x={r1(q.x - 3.5)} y={r1(y - 3.5)} width="7" height="7" class={p.cls} />
        ) : (
          <path
            d={`M${r1(q.x - 4.5)} ${r1(y + 4)}L${r1(q.x + 4.5)} ${r1(y + 4)}L${r1(q.x)} ${r1(y - 4.5)}Z`}
            class={p.cls}
          />
        );
      })}
    </g>
  );
}

const pct = (s: number | null) => (s === null ? 'no answers' : `${Math.round(s * 100)} %`);

export function ResponderChart(props: { group: ReportGroup; id: string; title: string }) {
  const { group, id } = props;
  const tps = group.timepoints;
  const step = PLOT_W / Math.max(1, tps.length);
  const xOf = (i: number) => LEFT + step * (i + 0.5);
  const H = TOP + PLOT_H + 52;
  // Each series is offset a little sideways so the two whiskers of one time point do not hide each other.
  const moderate = tps.map((t, i) => ({ x: xOf(i) - 4, s: t.moderate }));
  const substantial = tps.map((t, i) => ({ x: xOf(i) + 4, s: t.substantial }));
  const desc =
    tps.length === 0
      ? 'No questionnaires were owed in this period.'
      : tps
          .map(
            (t) =>
              `${shortLabel(t)}: ${pct(t.moderate.share)} at 30 %, ${pct(t.substantial.share)} at 50 % of ${t.moderate.n}`,
          )
          .join('; ') + '. Whiskers show 95 % confidence intervals. The table lists every figure.';
  return (
    <div class="chart-scroll" tabindex="0" role="region" aria-labelledby={`${id}-title`}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        class="chart"
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <g class="chart-legend" aria-hidden="true">
          <rect x={LEFT + 2.5} y={12.5} width="7" height="7" class="chart-resp30" />
          <text x={LEFT + 16} y={20}>
            30 % or more relief
          </text>
          <path d={`M${LEFT + 157.5} 20L${LEFT + 166.5} 20L${LEFT + 162} 11.5Z`} class="chart-resp50" />
          <text x={LEFT + 172} y={20}>
            50 % or more relief
          </text>
          <line x1={LEFT + 320} x2={LEFT + 320} y1={10} y2={24} class="chart-ci-key" />
          <text x={LEFT + 328} y={20}>
            95 % confidence interval
          </text>
        </g>
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <Fragment>
            <line x1={LEFT} x2={LEFT + PLOT_W} y1={r1(yOf(v))} y2={r1(yOf(v))} class="chart-grid" />
            <text x={LEFT - 6} y={r1(yOf(v) + 4)} text-anchor="end" class="chart-axis">
              {`${v * 100} %`}
            </text>
          </Fragment>
        ))}
        {moderate.map((q) => (
          <Whisker x={q.x} s={q.s} />
        ))}
        {substantial.map((q) => (
          <Whisker x={q.x} s={q.s} />
        ))}
        <Line points={moderate} cls="chart-resp30" shape="square" />
        <Line points={substantial} cls="chart-resp50" shape="up" />
        {tps.map((t, i) => (
          <Fragment>
            <text x={r1(xOf(i))} y={TOP + PLOT_H + 18} text-anchor="middle" class="chart-axis">
              {shortLabel(t)}
            </text>
            <text x={r1(xOf(i))} y={TOP + PLOT_H + 34} text-anchor="middle" class="chart-axis">
              {`n ${t.moderate.n}`}
            </text>
          </Fragment>
        ))}
      </svg>
    </div>
  );
}
