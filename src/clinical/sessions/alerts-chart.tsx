/**
 * The session chart: blood pressure, heart rate, SpO₂ and the pump rate over time as server-rendered SVG, with the
 * alert limits drawn as dashed lines, and beside it the same readings as a table (what a screen reader reads, and
 * what a printed record keeps exact). Pure: plain data in, markup out. No meaning rests on colour alone: each series
 * has its own marker (the anaesthetic chart's ∨ systolic, ∧ diastolic, • heart rate, and a square for SpO₂), named in
 * the legend; limits are dashed and labelled in words.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { formatTime } from '../../kernel/time/format.ts';
import { Gridlines, Marker, Series, r1, yOf, type ChartPanel } from '../../kernel/ui/chart.tsx';

export interface ChartReading {
  at: number;
  systolic: number;
  diastolic: number;
  heartRate: number;
  spo2: number;
  respiratoryRate: number;
  sedation: number | null;
}

/** The pump's rate from `at` on (0 while paused or stopped). */
export interface ChartRate {
  at: number;
  mlPerHour: number;
}

export interface ChartLimits {
  systolicHigh: number | null;
  systolicLow: number | null;
  diastolicHigh: number | null;
  diastolicLow: number | null;
  heartRateHigh: number | null;
  heartRateLow: number | null;
  spo2Low: number | null;
}

export interface ChartData {
  /** The chart's time span: the start (or first reading) to now or the stop. */
  from: number;
  to: number;
  zone: string;
  readings: readonly ChartReading[];
  rate: readonly ChartRate[];
  limits: ChartLimits;
  /** A prefix for element ids, so two charts on one page stay apart. */
  id?: string;
}

const W = 720;
const LEFT = 52;
const RIGHT = 150;
const PLOT_W = W - LEFT - RIGHT;
const MINUTE = 60_000;

type Panel = ChartPanel;

/** A range in whole steps holding the defaults and every value with half a step to spare (none sits on an edge). */
function niceRange(values: number[], floor: number, ceil: number, step: number): [number, number] {
  const lo = Math.min(floor, ...values.map((v) => v - step / 2));
  const hi = Math.max(ceil, ...values.map((v) => v + step / 2));
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

const present = (...xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null);

function tickEvery(spanMs: number): number {
  const minutes = spanMs / MINUTE;
  if (minutes <= 90) return 15;
  if (minutes <= 240) return 30;
  return 60;
}

function LimitLines(p: { panel: Panel; limits: Array<{ value: number; label: string }> }) {
  const placed = p.limits
    .map((l) => ({ ...l, y: yOf(p.panel, l.value) }))
    .sort((a, b) => a.y - b.y)
    .reduce<Array<{ value: number; label: string; y: number; labelY: number }>>((out, l) => {
      const prev = out[out.length - 1];
      out.push({ ...l, labelY: prev && l.y - prev.labelY < 12 ? prev.labelY + 12 : l.y });
      return out;
    }, []);
  return (
    <g>
      {placed.map((l) => (
        <Fragment>
          <line x1={LEFT} x2={LEFT + PLOT_W} y1={r1(l.y)} y2={r1(l.y)} class="chart-limit" />
          <text x={LEFT + PLOT_W + 6} y={r1(l.labelY + 4)} class="chart-limit-label">
            {l.label}
          </text>
        </Fragment>
      ))}
    </g>
  );
}

const spanWords = (values: number[], unit: string) => {
  if (values.length === 0) return 'none';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${lo}${unit}` : `${lo} to ${hi}${unit}`;
};

/** The chart and its table. */
export function SessionChart(data: ChartData) {
  const id = data.id ?? 'session-chart';
  const from = Math.min(data.from, ...data.readings.map((r) => r.at));
  const to = Math.max(data.to, from + 30 * MINUTE, ...data.readings.map((r) => r.at));
  const xOf = (t: number) => LEFT + ((t - from) / (to - from)) * PLOT_W;
  const L = data.limits;
  const pressures = data.readings.flatMap((r) => [r.systolic, r.diastolic, r.heartRate]);
  const [lo, hi] = niceRange(
    [...pressures, ...present(L.systolicHigh, L.systolicLow, L.diastolicHigh, L.diastolicLow)].concat(
      present(L.heartRateHigh, L.heartRateLow),
    ),
    40,
    160,
    20,
  );
  const top: Panel = { top: 44, height: 240, lo, hi };
  const [sLo] = niceRange([...data.readings.map((r) => r.spo2), ...present(L.spo2Low)], 86, 100, 2);
  const spo2: Panel = { top: top.top + top.height + 40, height: 90, lo: sLo, hi: 100 };
  const rates = data.rate.map((r) => r.mlPerHour);
  const rateHi = Math.max(10, Math.ceil((Math.max(0, ...rates) * 1.2) / 10) * 10);
  const pump: Panel = { top: spo2.top + spo2.height + 40, height: 70, lo: 0, hi: rateHi };
  const axisY = pump.top + pump.height;
  const H = axisY + 34;

  const ticks = [];
  const every = tickEvery(to - from) * MINUTE;
  for (let t = Math.ceil(from / every) * every; t <= to; t += every) ticks.push(t);

  const limitsTop = [
    L.systolicHigh !== null ? { value: L.systolicHigh, label: `Systolic ≥ ${L.systolicHigh}` } : null,
    L.systolicLow !== null ? { value: L.systolicLow, label: `Systolic ≤ ${L.systolicLow}` } : null,
    L.diastolicHigh !== null ? { value: L.diastolicHigh, label: `Diastolic ≥ ${L.diastolicHigh}` } : null,
    L.diastolicLow !== null ? { value: L.diastolicLow, label: `Diastolic ≤ ${L.diastolicLow}` } : null,
    L.heartRateHigh !== null ? { value: L.heartRateHigh, label: `Heart rate ≥ ${L.heartRateHigh}` } : null,
    L.heartRateLow !== null ? { value: L.heartRateLow, label: `Heart rate ≤ ${L.heartRateLow}` } : null,
  ].filter((x) => x !== null);

  // The pump as a step line: each rate holds until the next change, the last until the chart's end.
  // Clipped to the chart's span: a change after its end is not drawn, one before its start holds from the start.
  const steps = [...data.rate].sort((a, b) => a.at - b.at).filter((s) => s.at <= to);
  const clip = (t: number) => Math.min(to, Math.max(from, t));
  let pumpPath = '';
  steps.forEach((s, i) => {
    const x1 = xOf(clip(s.at));
    const x2 = xOf(clip(i + 1 < steps.length ? steps[i + 1]!.at : to));
    const y = yOf(pump, s.mlPerHour);
    pumpPath += `${i === 0 ? 'M' : 'L'}${r1(x1)} ${r1(y)}L${r1(x2)} ${r1(y)}`;
  });

  const times = data.readings.map((r) => r.at);
  const desc =
    data.readings.length === 0
      ? 'No vital signs recorded since the start yet.'
      : `${data.readings.length} readings from ${formatTime(Math.min(...times), data.zone)} to ${formatTime(Math.max(...times), data.zone)}. ` +
        `Systolic ${spanWords(
          data.readings.map((r) => r.systolic),
          ' mmHg',
        )}, diastolic ${spanWords(
          data.readings.map((r) => r.diastolic),
          ' mmHg',
        )}, heart rate ${spanWords(
          data.readings.map((r) => r.heartRate),
          '/min',
        )}, SpO₂ ${spanWords(
          data.readings.map((r) => r.spo2),
          ' %',
        )}. Pump rate ${spanWords(rates, ' mL/h')}. Dashed lines mark the alert limits. The table lists every reading.`;

  return (
    <div class="session-chart">
      <div class="chart-scroll" tabindex="0" role="region" aria-labelledby={`${id}-title`}>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          width="100%"
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          class="chart"
          preserveAspectRatio="xMinYMin meet"
        >
          <title id={`${id}-title`}>Vital signs and pump rate during the session</title>
          <desc id={`${id}-desc`}>{desc}</desc>
          <g class="chart-legend" aria-hidden="true">
            <Marker shape="down" x={LEFT + 6} y={16} cls="chart-sys" />
            <text x={LEFT + 16} y={20}>
              Systolic
            </text>
            <Marker shape="up" x={LEFT + 86} y={16} cls="chart-dia" />
            <text x={LEFT + 96} y={20}>
              Diastolic
            </text>
            <Marker shape="dot" x={LEFT + 172} y={16} cls="chart-hr" />
            <text x={LEFT + 182} y={20}>
              Heart rate
            </text>
            <Marker shape="square" x={LEFT + 262} y={16} cls="chart-spo2" />
            <text x={LEFT + 272} y={20}>
              SpO₂
            </text>
            <line x1={LEFT + 322} x2={LEFT + 350} y1={16} y2={16} class="chart-limit" />
            <text x={LEFT + 356} y={20}>
              Alert limit
            </text>
          </g>
          <Gridlines panel={top} step={20} unit="mmHg, /min" left={LEFT} width={PLOT_W} />
          <LimitLines panel={top} limits={limitsTop} />
          <Series
            cls="chart-sys"
            shape="down"
            points={data.readings.map((r) => ({ x: xOf(r.at), y: yOf(top, r.systolic) }))}
          />
          <Series
            cls="chart-dia"
            shape="up"
            points={data.readings.map((r) => ({ x: xOf(r.at), y: yOf(top, r.diastolic) }))}
          />
          <Series
            cls="chart-hr"
            shape="dot"
            points={data.readings.map((r) => ({ x: xOf(r.at), y: yOf(top, r.heartRate) }))}
          />
          <Gridlines panel={spo2} step={spo2.hi - spo2.lo > 12 ? 4 : 2} unit="SpO₂ %" left={LEFT} width={PLOT_W} />
          <LimitLines
            panel={spo2}
            limits={L.spo2Low !== null ? [{ value: L.spo2Low, label: `SpO₂ ≤ ${L.spo2Low}` }] : []}
          />
          <Series
            cls="chart-spo2"
            shape="square"
            points={data.readings.map((r) => ({ x: xOf(r.at), y: yOf(spo2, r.spo2) }))}
          />
          <Gridlines panel={pump} step={rateHi / 2} unit="Pump mL/h" left={LEFT} width={PLOT_W} />
          {pumpPath ? <path d={pumpPath} class="chart-line chart-pump" fill="none" /> : null}
          {ticks.map((t) => (
            <Fragment>
              <line x1={r1(xOf(t))} x2={r1(xOf(t))} y1={top.top} y2={axisY} class="chart-grid" />
              <text x={r1(xOf(t))} y={axisY + 18} text-anchor="middle" class="chart-axis">
                {formatTime(t, data.zone)}
              </text>
            </Fragment>
          ))}
        </svg>
      </div>
      <ChartTable data={data} id={id} />
    </div>
  );
}

/** The readings as a table, newest last; the pump rate in force at each reading's time. */
function ChartTable(p: { data: ChartData; id: string }) {
  const steps = [...p.data.rate].sort((a, b) => a.at - b.at);
  const rateAt = (t: number) => {
    let rate: number | null = null;
    for (const s of steps) if (s.at <= t) rate = s.mlPerHour;
    return rate;
  };
  const readings = [...p.data.readings].sort((a, b) => a.at - b.at);
  return (
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby={`${p.id}-caption`}>
      <table class="data-table chart-table">
        <caption id={`${p.id}-caption`}>Readings since the start</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Blood pressure (mmHg)</th>
            <th scope="col">Heart rate (/min)</th>
            <th scope="col">SpO₂ (%)</th>
            <th scope="col">Respiratory rate (/min)</th>
            <th scope="col">RASS</th>
            <th scope="col">Pump rate (mL/h)</th>
          </tr>
        </thead>
        <tbody>
          {readings.length === 0 ? (
            <tr>
              <td colspan="7">No readings yet.</td>
            </tr>
          ) : (
            readings.map((r) => {
              const rate = rateAt(r.at);
              return (
                <tr>
                  <th scope="row">{formatTime(r.at, p.data.zone)}</th>
                  <td>
                    {r.systolic}/{r.diastolic}
                  </td>
                  <td>{r.heartRate}</td>
                  <td>{r.spo2}</td>
                  <td>{r.respiratoryRate}</td>
                  <td>{r.sedation === null ? '—' : r.sedation > 0 ? `+${r.sedation}` : r.sedation}</td>
                  <td>{rate === null ? '—' : rate}</td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
