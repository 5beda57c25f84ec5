/**
 * The pieces every server-rendered SVG chart shares (the session's vitals, a patient's outcomes): a panel's value →
 * y scale, the series markers that tell lines apart without colour, a line with its markers, and labelled gridlines.
 * Coordinates are rounded to 0.1 so the markup stays short.
 */
import { h, Fragment } from './jsx.ts';

export const r1 = (n: number) => Math.round(n * 10) / 10;

/** A band of the chart: where it sits and the values its height spans. */
export interface ChartPanel {
  top: number;
  height: number;
  lo: number;
  hi: number;
}

export const yOf = (p: ChartPanel, v: number) => p.top + p.height - ((v - p.lo) / (p.hi - p.lo)) * p.height;

export type MarkerShape = 'dot' | 'square' | 'down' | 'up';

export function Marker(p: { shape: MarkerShape; x: number; y: number; cls: string }) {
  const { x, y } = p;
  if (p.shape === 'dot') return <circle cx={r1(x)} cy={r1(y)} r="3.5" class={p.cls} />;
  if (p.shape === 'square') return <rect x={r1(x - 3.5)} y={r1(y - 3.5)} width="7" height="7" class={p.cls} />;
  const d = p.shape === 'down' ? 4.5 : -4.5;
  return <path d={`M${r1(x - 4.5)} ${r1(y - d)}L${r1(x + 4.5)} ${r1(y - d)}L${r1(x)} ${r1(y + d)}Z`} class={p.cls} />;
}

export function Series(p: { points: Array<{ x: number; y: number }>; shape: MarkerShape; cls: string }) {
  if (p.points.length === 0) return null;
  const d = p.points.map((q, i) => `${i === 0 ? 'M' : 'L'}${r1(q.x)} ${r1(q.y)}`).join('');
  return (
    <g>
      <path d={d} class={`chart-line ${p.cls}`} fill="none" />
      {p.points.map((q) => (
        <Marker shape={p.shape} x={q.x} y={q.y} cls={p.cls} />
      ))}
    </g>
  );
}

/** A gridline every `step` from the panel's low value, each labelled at the left, and the unit above. */
export function Gridlines(p: { panel: ChartPanel; step: number; unit: string; left: number; width: number }) {
  const lines = [];
  for (let v = p.panel.lo; v <= p.panel.hi; v += p.step) {
    const y = r1(yOf(p.panel, v));
    lines.push(
      <Fragment>
        <line x1={p.left} x2={p.left + p.width} y1={y} y2={y} class="chart-grid" />
        <text x={p.left - 6} y={y + 4} text-anchor="end" class="chart-axis">
          {v}
        </text>
      </Fragment>,
    );
  }
  return (
    <g>
      {lines}
      <text x={p.left - 40} y={p.panel.top - 10} class="chart-axis">
        {p.unit}
      </text>
    </g>
  );
}
