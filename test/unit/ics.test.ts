import { describe, expect, it } from 'vitest';
import { DateTime, IANAZone } from 'luxon';
import { vtimezone } from '../../src/kernel/time/vtimezone.ts';
import { appointmentIcs, type CalendarEvent } from '../../src/scheduling/ics.ts';

// ---------------------------------------------------------------------------------------------
// A minimal RFC 5545 reader, independent of the code under test.
// ---------------------------------------------------------------------------------------------

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}
interface Comp {
  type: string;
  props: Prop[];
  children: Comp[];
}

function unfold(text: string): string[] {
  const body = text.endsWith('\r\n') ? text.slice(0, -2) : text;
  return body.replace(/\r\n[ \t]/g, '').split('\r\n');
}

function parseLine(line: string): Prop {
  let i = 0;
  let quoted = false;
  const parts: string[] = [];
  let cur = '';
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === ';' || c === ':')) {
      parts.push(cur);
      cur = '';
      if (c === ':') break;
      continue;
    }
    cur += c;
  }
  if (i >= line.length) throw new Error(`no value in line: ${line}`);
  const [name, ...rawParams] = parts;
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return { name: name!.toUpperCase(), params, value: line.slice(i + 1) };
}

function parse(text: string): Comp {
  const stack: Comp[] = [];
  let root: Comp | null = null;
  for (const line of unfold(text)) {
    const p = parseLine(line);
    if (p.name === 'BEGIN') {
      const c: Comp = { type: p.value, props: [], children: [] };
      if (stack.length) stack[stack.length - 1]!.children.push(c);
      else root = c;
      stack.push(c);
    } else if (p.name === 'END') {
      const c = stack.pop();
      expect(c?.type).toBe(p.value);
    } else {
      stack[stack.length - 1]!.props.push(p);
    }
  }
  expect(stack).toHaveLength(0);
  if (!root) throw new Error('empty');
  return root;
}

function prop(c: Comp, name: string): Prop {
  const found = c.props.filter((p) => p.name === name);
  expect(found, `exactly one ${name}`).toHaveLength(1);
  return found[0]!;
}
const child = (c: Comp, type: string): Comp[] => c.children.filter((x) => x.type === type);

function unescapeText(v: string): string {
  return v.replace(/\\([\\;,nN])/g, (_, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}

/** "20260308T020000" read as if it were UTC, in ms. */
function wallMs(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(v);
  if (!m) throw new Error(`bad local date-time ${v}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
function offsetMinutes(v: string): number {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(v);
  if (!m) throw new Error(`bad utc-offset ${v}`);
  return (m[1] === '-' ? -1 : 1) * (+m[2]! * 60 + +m[3]! + +(m[4] ?? 0) / 60);
}

interface Observance {
  kind: string;
  onset: number;
  from: number;
  to: number;
  dtstart: string;
  name: string;
}
function observances(vtz: Comp): Observance[] {
  return vtz.children
    .map((c) => {
      const from = offsetMinutes(prop(c, 'TZOFFSETFROM').value);
      const dtstart = prop(c, 'DTSTART').value;
      return {
        kind: c.type,
        dtstart,
        from,
        to: offsetMinutes(prop(c, 'TZOFFSETTO').value),
        // RFC 5545 3.6.5: DTSTART is the onset in the offset in effect before it (TZOFFSETFROM).
        onset: wallMs(dtstart) - from * 60_000,
        name: unescapeText(prop(c, 'TZNAME').value),
      };
    })
    .sort((a, b) => a.onset - b.onset);
}

/** Offset in force at `instant` according to the VTIMEZONE. */
function offsetAt(obs: Observance[], instant: number): number {
  let off = obs[0]!.from;
  for (const o of obs) if (o.onset <= instant) off = o.to;
  return off;
}

/** A TZID local time resolved as RFC 5545 3.3.5 says: a repeated wall time means its first occurrence. */
function resolveLocal(obs: Observance[], local: string): number {
  const wall = wallMs(local);
  const offsets = new Set([obs[0]!.from, ...obs.map((o) => o.to)]);
  const hits = [...offsets].map((o) => wall - o * 60_000).filter((t) => offsetAt(obs, t) * 60_000 === wall - t);
  expect(hits.length, `local time ${local} exists`).toBeGreaterThan(0);
  return Math.min(...hits);
}

/** The instant a DTSTART/DTEND names, using the file's own VTIMEZONE for TZID values. */
function instantOf(cal: Comp, p: Prop): number {
  if (p.value.endsWith('Z')) {
    expect(p.params.TZID).toBeUndefined();
    return wallMs(p.value.slice(0, -1));
  }
  const tzid = p.params.TZID;
  expect(tzid, `${p.name} must be UTC or carry TZID`).toBeDefined();
  const vtz = child(cal, 'VTIMEZONE').find((v) => prop(v, 'TZID').value === tzid);
  expect(vtz, `VTIMEZONE for ${tzid}`).toBeDefined();
  return resolveLocal(observances(vtz!), p.value);
}

const local = (instant: number, zone: string): string =>
  DateTime.fromMillis(instant, { zone }).toFormat("yyyyLLdd'T'HHmmss");

// ---------------------------------------------------------------------------------------------
// VTIMEZONE
// ---------------------------------------------------------------------------------------------

const AROUND_2026 = Date.UTC(2026, 2, 10, 15);

function vtz(zone: string, around = AROUND_2026): { comp: Comp; obs: Observance[]; text: string } {
  const text = vtimezone(zone, around);
  expect(text).not.toBeNull();
  const comp = parse(text!);
  expect(comp.type).toBe('VTIMEZONE');
  expect(prop(comp, 'TZID').value).toBe(zone);
  return { comp, obs: observances(comp), text: text! };
}

function findObs(obs: Observance[], dtstart: string): Observance {
  const o = obs.find((x) => x.dtstart === dtstart);
  expect(o, `observance starting ${dtstart}`).toBeDefined();
  return o!;
}

describe('vtimezone', () => {
  it('America/Chicago 2026: CST→CDT on Mar 8 and CDT→CST on Nov 1, both at 02:00 local', () => {
    const { obs, text } = vtz('America/Chicago');
    expect(text).not.toMatch(/(?<!\r)\n|\r(?!\n)/);
    expect(text.startsWith('BEGIN:VTIMEZONE\r\n')).toBe(true);
    expect(text.endsWith('END:VTIMEZONE')).toBe(true);

    const spring = findObs(obs, '20260308T020000');
    expect(spring).toMatchObject({ kind: 'DAYLIGHT', from: -360, to: -300, name: 'CDT' });
    expect(spring.onset).toBe(Date.UTC(2026, 2, 8, 8));
    const fall = findObs(obs, '20261101T020000');
    expect(fall).toMatchObject({ kind: 'STANDARD', from: -300, to: -360, name: 'CST' });
    expect(fall.onset).toBe(Date.UTC(2026, 10, 1, 7));
    expect(text).toContain(
      'BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500\r\nTZNAME:CDT\r\nEND:DAYLIGHT',
    );
    expect(text).toContain(
      'BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\nTZNAME:CST\r\nEND:STANDARD',
    );

    // Window: one year before to two years after `around`.
    expect(obs.map((o) => o.dtstart)).toEqual([
      '20251102T020000',
      '20260308T020000',
      '20261101T020000',
      '20270314T020000',
      '20271107T020000',
    ]);
  });

  it('Europe/London: GMT→BST at 01:00 on the last Sunday of March, back at 02:00 BST in October', () => {
    const { obs } = vtz('Europe/London');
    expect(findObs(obs, '20260329T010000')).toMatchObject({ kind: 'DAYLIGHT', from: 0, to: 60, name: 'BST' });
    expect(findObs(obs, '20261025T020000')).toMatchObject({ kind: 'STANDARD', from: 60, to: 0, name: 'GMT' });
    expect(vtimezone('Europe/London', AROUND_2026)).toContain('TZOFFSETFROM:+0000');
  });

  it('Australia/Sydney (southern hemisphere): DST ends in April, starts in October', () => {
    const { obs } = vtz('Australia/Sydney');
    const april = findObs(obs, '20260405T030000');
    expect(april).toMatchObject({ kind: 'STANDARD', from: 660, to: 600, name: 'AEST' });
    expect(april.onset).toBe(Date.UTC(2026, 3, 4, 16));
    const october = findObs(obs, '20261004T020000');
    expect(october).toMatchObject({ kind: 'DAYLIGHT', from: 600, to: 660, name: 'AEDT' });
    expect(october.onset).toBe(Date.UTC(2026, 9, 3, 16));
  });

  it('zones without DST get a single STANDARD', () => {
    for (const [zone, offset] of [
      ['Asia/Kolkata', 330],
      ['America/Phoenix', -420],
      ['UTC', 0],
    ] as const) {
      const { comp, obs } = vtz(zone);
      expect(comp.children.map((c) => c.type)).toEqual(['STANDARD']);
      expect(obs[0]).toMatchObject({ from: offset, to: offset });
    }
    expect(vtimezone('Asia/Kolkata', AROUND_2026)).toContain('TZOFFSETTO:+0530');
    expect(vtz('Asia/Kolkata').obs[0]!.name).toBe('IST');
  });

  it('returns null for an invalid zone', () => {
    expect(vtimezone('Nope/Zone', AROUND_2026)).toBeNull();
    expect(vtimezone('', AROUND_2026)).toBeNull();
    expect(vtimezone('America/Chicago; X', AROUND_2026)).toBeNull();
  });

  it('agrees with Luxon at every hour of the window, transitions exact to the minute', () => {
    for (const zone of [
      'America/Chicago',
      'Europe/London',
      'Australia/Sydney',
      'Australia/Lord_Howe',
      'America/Santiago',
    ]) {
      const { obs } = vtz(zone);
      const z = IANAZone.create(zone);
      for (const o of obs) {
        expect(z.offset(o.onset - 60_000), `${zone} before ${o.dtstart}`).toBe(o.from);
        expect(z.offset(o.onset), `${zone} at ${o.dtstart}`).toBe(o.to);
        expect(o.kind).toBe(DateTime.fromMillis(o.onset, { zone }).isInDST ? 'DAYLIGHT' : 'STANDARD');
      }
      const from = DateTime.fromMillis(AROUND_2026, { zone: 'utc' }).minus({ years: 1 }).toMillis();
      const to = DateTime.fromMillis(AROUND_2026, { zone: 'utc' }).plus({ years: 2 }).toMillis();
      for (let t = from; t < to; t += 2 * 3_600_000)
        expect(offsetAt(obs, t), `${zone} @ ${new Date(t).toISOString()}`).toBe(z.offset(t));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// appointmentIcs
// ---------------------------------------------------------------------------------------------

const CHI = 'America/Chicago';
const base: CalendarEvent = {
  uid: 'a1b2c3@relief',
  sequence: 0,
  method: 'PUBLISH',
  start: Date.UTC(2026, 2, 10, 14), // 09:00 CDT
  end: Date.UTC(2026, 2, 10, 16),
  zone: CHI,
  summary: 'Ketamine infusion',
  description: 'Arrive 15 minutes early.',
  location: 'Relief Clinic, 100 Main St, Austin',
  organizerName: 'Relief Clinic',
  organizerEmail: 'hello@clinic.example',
  url: 'https://clinic.example/appointments/manage?t=abc',
  now: Date.UTC(2026, 1, 20, 18, 5, 7),
};

function event(cal: Comp): Comp {
  const events = child(cal, 'VEVENT');
  expect(events).toHaveLength(1);
  return events[0]!;
}

function assertWellFormed(text: string): void {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text).not.toMatch(/(?<!\r)\n|\r(?!\n)/);
  for (const line of text.slice(0, -2).split('\r\n')) {
    expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
    expect(line.length).toBeGreaterThan(0);
  }
}

/** DTSTART/DTEND name the event's instants; TZID local values match Luxon's wall time in the zone. */
function assertTimes(e: CalendarEvent, text: string): Comp {
  const cal = parse(text);
  const ev = event(cal);
  for (const [name, instant] of [
    ['DTSTART', e.start],
    ['DTEND', e.end],
  ] as const) {
    const p = prop(ev, name);
    expect(instantOf(cal, p), `${name} ${p.value}`).toBe(instant);
    if (p.params.TZID) {
      expect(p.params.TZID).toBe(e.zone);
      expect(p.value).toBe(local(instant, e.zone));
    } else {
      expect(p.value).toBe(DateTime.fromMillis(instant, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss'Z'"));
    }
  }
  return cal;
}

describe('appointmentIcs', () => {
  it('has the required calendar and event properties', () => {
    const text = appointmentIcs(base);
    assertWellFormed(text);
    const cal = parse(text);
    expect(cal.type).toBe('VCALENDAR');
    expect(prop(cal, 'VERSION').value).toBe('2.0');
    expect(prop(cal, 'PRODID').value).toMatch(/^-\/\/.+\/\/.+\/\/EN$/);
    expect(prop(cal, 'METHOD').value).toBe('PUBLISH');
    expect(cal.props.map((p) => p.name)).not.toContain('TIMEZONE-ID');

    const ev = event(cal);
    expect(prop(ev, 'UID').value).toBe('a1b2c3@relief');
    expect(prop(ev, 'SEQUENCE').value).toBe('0');
    expect(prop(ev, 'DTSTAMP').value).toBe('20260220T180507Z');
    expect(prop(ev, 'STATUS').value).toBe('CONFIRMED');
    expect(unescapeText(prop(ev, 'SUMMARY').value)).toBe('Ketamine infusion');
    expect(unescapeText(prop(ev, 'LOCATION').value)).toBe('Relief Clinic, 100 Main St, Austin');
    expect(unescapeText(prop(ev, 'DESCRIPTION').value)).toBe('Arrive 15 minutes early.');
    const org = prop(ev, 'ORGANIZER');
    expect(org.value).toBe('mailto:hello@clinic.example');
    expect(org.params.CN).toBe('Relief Clinic');
    expect(prop(ev, 'URL').value).toBe('https://clinic.example/appointments/manage?t=abc');
    expect(ev.props.map((p) => p.name)).not.toContain('ATTENDEE');

    expect(text).toContain('\r\nDTSTART;TZID=America/Chicago:20260310T090000\r\n');
    expect(text).toContain('\r\nDTEND;TZID=America/Chicago:20260310T110000\r\n');
    const vtzs = child(cal, 'VTIMEZONE');
    expect(vtzs.map((v) => prop(v, 'TZID').value)).toEqual([CHI]);
    assertTimes(base, text);
  });

  it('omits URL when not given', () => {
    const { url: _url, ...noUrl } = base;
    expect(event(parse(appointmentIcs(noUrl))).props.map((p) => p.name)).not.toContain('URL');
  });

  it('spring-forward day: local times straddle the gap correctly', () => {
    const cases: [number, number, string, string][] = [
      // 01:30 CST → 03:30 CDT is one real hour.
      [Date.UTC(2026, 2, 8, 7, 30), Date.UTC(2026, 2, 8, 8, 30), '20260308T013000', '20260308T033000'],
      [Date.UTC(2026, 2, 8, 8, 0), Date.UTC(2026, 2, 8, 9, 0), '20260308T030000', '20260308T040000'],
      [Date.UTC(2026, 2, 8, 15, 0), Date.UTC(2026, 2, 8, 16, 0), '20260308T100000', '20260308T110000'],
    ];
    for (const [start, end, s, en] of cases) {
      const e = { ...base, start, end };
      const text = appointmentIcs(e);
      assertWellFormed(text);
      expect(text).toContain(`\r\nDTSTART;TZID=America/Chicago:${s}\r\n`);
      expect(text).toContain(`\r\nDTEND;TZID=America/Chicago:${en}\r\n`);
      assertTimes(e, text);
    }
  });

  it('fall-back day: the first 01:30 (CDT) uses TZID local time', () => {
    const e = { ...base, start: Date.UTC(2026, 10, 1, 6, 30), end: Date.UTC(2026, 10, 1, 6, 45) };
    const text = appointmentIcs(e);
    expect(text).toContain('\r\nDTSTART;TZID=America/Chicago:20261101T013000\r\n');
    expect(text).toContain('\r\nDTEND;TZID=America/Chicago:20261101T014500\r\n');
    assertTimes(e, text);
  });

  it('fall-back day: the second 01:30 (CST, 07:30Z) is written in UTC, since TZID 01:30 means the first one', () => {
    const start = Date.UTC(2026, 10, 1, 7, 30);
    expect(DateTime.fromMillis(start, { zone: CHI }).toFormat('HH:mm ZZZZ')).toBe('01:30 CST');
    const e = { ...base, start, end: Date.UTC(2026, 10, 1, 8, 30) };
    const text = appointmentIcs(e);
    assertWellFormed(text);
    expect(text).toContain('\r\nDTSTART:20261101T073000Z\r\n');
    expect(text).toContain('\r\nDTEND:20261101T083000Z\r\n');
    expect(text).not.toContain('TZID=');
    assertTimes(e, text);

    // Why: per RFC 5545 3.3.5 the TZID form would name 06:30Z, an hour early.
    const obs = observances(parse(vtimezone(CHI, start)!));
    expect(resolveLocal(obs, '20261101T013000')).toBe(Date.UTC(2026, 10, 1, 6, 30));
  });

  it('fall-back day: an appointment ending in the repeated hour is written in UTC too', () => {
    const e = { ...base, start: Date.UTC(2026, 10, 1, 5, 30), end: Date.UTC(2026, 10, 1, 7, 30) }; // 00:30 CDT → 01:30 CST
    const text = appointmentIcs(e);
    expect(text).toContain('\r\nDTSTART:20261101T053000Z\r\n');
    expect(text).toContain('\r\nDTEND:20261101T073000Z\r\n');
    assertTimes(e, text);
  });

  it('local wall time matches Luxon across many instants and zones', () => {
    const zones = [CHI, 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'America/Phoenix', 'America/New_York'];
    let seed = 42;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 60; i++) {
      const zone = zones[i % zones.length]!;
      const start = Date.UTC(2026, 0, 1) + Math.floor(rand() * 365 * 96) * 15 * 60_000;
      const e = { ...base, zone, start, end: start + 60 * 60_000 };
      const text = appointmentIcs(e);
      assertWellFormed(text);
      assertTimes(e, text);
    }
    // Every quarter hour around both Chicago transitions.
    for (const day of [Date.UTC(2026, 2, 8, 4), Date.UTC(2026, 10, 1, 4)]) {
      for (let start = day; start < day + 6 * 3_600_000; start += 15 * 60_000) {
        const e = { ...base, start, end: start + 30 * 60_000 };
        assertTimes(e, appointmentIcs(e));
      }
    }
  });

  it('escapes commas, semicolons, backslashes and newlines in text', () => {
    const tricky = 'a, b; c \\ d\ne\r\nf\\n';
    const e = { ...base, summary: tricky, description: tricky, location: tricky };
    const text = appointmentIcs(e);
    assertWellFormed(text);
    const ev = event(parse(text));
    for (const name of ['SUMMARY', 'DESCRIPTION', 'LOCATION']) {
      const raw = prop(ev, name).value;
      expect(raw).toBe('a\\, b\\; c \\\\ d\\ne\\nf\\\\n');
      expect(unescapeText(raw)).toBe('a, b; c \\ d\ne\nf\\n');
    }
  });

  it('treats markup as plain text', () => {
    const summary = '<script>alert("x")</script>';
    const ev = event(parse(appointmentIcs({ ...base, summary })));
    expect(prop(ev, 'SUMMARY').value).toBe(summary);
  });

  it('keeps ORGANIZER parameter and URL values valid', () => {
    const e = {
      ...base,
      organizerName: 'Relief "Downtown"\\East\nClinic',
      url: 'https://clinic.example/m?a=1,2;3',
    };
    const text = appointmentIcs(e);
    const ev = event(parse(text));
    const org = prop(ev, 'ORGANIZER');
    expect(org.params.CN).toBe("Relief 'Downtown'/East Clinic");
    expect(org.value).toBe('mailto:hello@clinic.example');
    expect(prop(ev, 'URL').value).toBe('https://clinic.example/m?a=1%2C2%3B3');
  });

  it('folds long lines at 75 octets, including multi-byte text, and unfolds losslessly', () => {
    const description =
      `${'Préparez-vous: jeûne de 4 heures avant la séance. '.repeat(6)}😀🩺 日本語のテキスト。`.repeat(3);
    const e = { ...base, description, summary: 'x'.repeat(200) };
    const text = appointmentIcs(e);
    assertWellFormed(text);
    expect(text).toMatch(/\r\n [^\r]/);
    const ev = event(parse(text));
    expect(unescapeText(prop(ev, 'DESCRIPTION').value)).toBe(description);
    expect(prop(ev, 'SUMMARY').value).toBe('x'.repeat(200));
  });

  it('CANCEL keeps the UID, bumps SEQUENCE and marks the event CANCELLED', () => {
    const published = event(parse(appointmentIcs(base)));
    const text = appointmentIcs({ ...base, method: 'CANCEL', sequence: 1 });
    assertWellFormed(text);
    const cal = parse(text);
    expect(prop(cal, 'METHOD').value).toBe('CANCEL');
    const ev = event(cal);
    expect(prop(ev, 'UID').value).toBe(prop(published, 'UID').value);
    expect(prop(ev, 'SEQUENCE').value).toBe('1');
    expect(prop(ev, 'STATUS').value).toBe('CANCELLED');
    assertTimes({ ...base, method: 'CANCEL', sequence: 1 }, text);
  });

  it('rejects invalid input', () => {
    expect(() => appointmentIcs({ ...base, zone: 'Nope/Zone' })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, end: base.start })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, start: Number.NaN })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, sequence: -1 })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, organizerEmail: 'x;y@z' })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, url: 'javascript:alert(1)' })).toThrow(RangeError);
  });
});
