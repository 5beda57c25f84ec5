import { describe, expect, it } from 'vitest';
import { SessionChart, type ChartData } from '../../src/clinical/sessions/alerts-chart.tsx';
import { DEFAULT_VITALS_THRESHOLDS as T } from '../../src/clinical/sessions/alerts.ts';

const MIN = 60_000;
// 10:00 Chicago (CST) on 3 March 2026.
const START = Date.parse('2026-03-03T16:00:00Z');
const ZONE = 'America/Chicago';

function data(count: number, over: Partial<ChartData> = {}): ChartData {
  return {
    from: START,
    to: START + count * 5 * MIN,
    zone: ZONE,
    readings: Array.from({ length: count }, (_, i) => ({
      at: START + (i + 1) * 5 * MIN,
      systolic: 120 + (i % 7),
      diastolic: 80 - (i % 5),
      heartRate: 70 + (i % 9),
      spo2: 97 + (i % 3),
      respiratoryRate: 14,
      sedation: i % 4 === 0 ? -1 : 0,
    })),
    rate: [
      { at: START, mlPerHour: 24.5 },
      { at: START + 60 * MIN, mlPerHour: 0 },
      { at: START + 70 * MIN, mlPerHour: 30 },
    ],
    limits: {
      systolicHigh: T.systolicHigh,
      systolicLow: T.systolicLow,
      diastolicHigh: T.diastolicHigh,
      diastolicLow: null,
      heartRateHigh: T.heartRateHigh,
      heartRateLow: T.heartRateLow,
      spo2Low: T.spo2Low,
    },
    ...over,
  };
}

const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

describe('session chart', () => {
  it('draws 40 readings: one marker of each shape per reading (plus the legend’s) and a table row each', () => {
    const html = SessionChart(data(40)).value;
    expect(count(html, /<path d="[^"]*Z" class="chart-sys"/g)).toBe(41);
    expect(count(html, /<path d="[^"]*Z" class="chart-dia"/g)).toBe(41);
    expect(count(html, /<circle [^>]*class="chart-hr"/g)).toBe(41);
    expect(count(html, /<rect [^>]*class="chart-spo2"/g)).toBe(41);
    expect(count(html, /<th scope="row">/g)).toBe(40);
    expect(html).toContain('<td>126/76</td>');
    // The pump is a step line: paused at 11:00 (0 mL/h), restarted at 30.
    expect(html).toMatch(/class="chart-line chart-pump"/);
  });

  it('names itself for assistive technology and in print: a title, a description with the ranges, the table', () => {
    const html = SessionChart(data(40)).value;
    expect(html).toMatch(/<svg [^>]*role="img"[^>]*aria-labelledby="session-chart-title session-chart-desc"/);
    expect(html).toContain('<title id="session-chart-title">Vital signs and pump rate during the session</title>');
    expect(html).toContain('40 readings from 10:05 AM to 1:20 PM');
    expect(html).toContain('Systolic 120 to 126 mmHg');
    expect(html).toContain('Pump rate 0 to 30 mL/h');
    expect(html).toContain('<caption id="session-chart-caption">Readings since the start</caption>');
  });

  it('draws each alert limit in force as a labelled dashed line, and none that is off', () => {
    const html = SessionChart(data(10)).value;
    for (const label of [
      'Systolic ≥ 180',
      'Systolic ≤ 89',
      'Diastolic ≥ 110',
      'Heart rate ≥ 151',
      'Heart rate ≤ 49',
      'SpO₂ ≤ 89',
    ])
      expect(html).toContain(`>${label}</text>`);
    expect(html).not.toContain('Diastolic ≤');
    // Five limits in the first panel, SpO₂'s in the second, one in the legend.
    expect(count(html, /<line [^>]*class="chart-limit"/g)).toBe(7);
  });

  it('places values on the scale: the top panel holds every limit with room to spare, each at its value', () => {
    const html = SessionChart(data(10)).value;
    // The heart-rate limit 49 and systolic 180, half a step (10) beyond each: 20 … 200 over 240 px from y 44.
    const y = (v: number) => Math.round((44 + 240 - ((v - 20) * 240) / 180) * 10) / 10;
    const grid = (v: number) =>
      `y1="${y(v)}" y2="${y(v)}" class="chart-grid"></line><text x="46" y="${Math.round((y(v) + 4) * 10) / 10}" text-anchor="end" class="chart-axis">${v}</text>`;
    expect(html).toContain(grid(20));
    expect(html).toContain(grid(200));
    expect(html).toContain(`<line x1="52" x2="570" y1="${y(180)}" y2="${y(180)}" class="chart-limit">`);
    // The first reading's systolic marker (120) points down at its value, 5 minutes into a 50-minute span.
    const x = Math.round((52 + 518 / 10) * 10) / 10;
    expect(html).toContain(`L${x} ${Math.round((y(120) + 4.5) * 10) / 10}Z" class="chart-sys"`);
    // A reading above every limit widens the scale instead of leaving the plot.
    const high = data(1);
    high.readings = [{ ...high.readings[0]!, systolic: 236 }];
    expect(SessionChart(high).value).toMatch(/>260<\/text>/);
  });

  it('keeps the pump line inside the plot when a change falls outside the chart’s span', () => {
    const html = SessionChart(data(10)).value;
    const d = /<path d="([^"]+)" class="chart-line chart-pump"/.exec(html)![1]!;
    const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    expect(Math.max(...xs)).toBeLessThanOrEqual(570);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(52);
  });

  it('escapes nothing it should not: numbers only; an empty session says so', () => {
    const html = SessionChart(data(0)).value;
    expect(html).toContain('No vital signs recorded since the start yet.');
    expect(html).toContain('No readings yet.');
  });
});
