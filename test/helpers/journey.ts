import type { TestRuntime } from './runtime.ts';

export const VALID_REQUEST = {
  first_name: 'Ana',
  last_name: 'Moreno',
  email: 'ana@example.com',
  phone: '(312) 555-0147',
  location: 'chicago',
  contact_method: 'email',
  reason: 'crps',
  heard_from: 'physician',
  message: 'My left hand has hurt since a fracture.',
  consent: 'yes',
};

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

let keyCounter = 0;
let ipCounter = 0;
/** Each simulated person comes from their own address, as real visitors do (the form is rate-limited per IP). */
export function nextIp(): string {
  ipCounter += 1;
  return `127.1.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}
export function newKey(): string {
  keyCounter += 1;
  return `test-form-key-${String(keyCounter).padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Submits the consultation form; returns the response. */
export async function submitRequest(rt: TestRuntime, overrides: Record<string, string> = {}) {
  return rt.app.inject({
    method: 'POST',
    url: '/consultation',
    remoteAddress: nextIp(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ ...VALID_REQUEST, form_key: newKey(), ...overrides }),
  });
}

/** Submits a request, delivers its email and returns the booking link path from it. */
export async function requestAndGetLink(rt: TestRuntime, overrides: Record<string, string> = {}): Promise<string> {
  const before = rt.mail.sent.length;
  const res = await submitRequest(rt, overrides);
  if (res.statusCode !== 303) throw new Error(`request failed: ${res.statusCode} ${res.body.slice(0, 500)}`);
  await rt.worker.runOnce();
  const mail = rt.mail.sent.slice(before).find((m) => m.subject.startsWith('Book your consultation'));
  if (!mail) throw new Error('no booking-link email');
  return bookingPath(mail.text);
}

export function bookingPath(text: string): string {
  const match = /http:\/\/relief\.test(\/book\/[A-Za-z0-9_.-]+)/.exec(text);
  if (!match) throw new Error('no booking link in email');
  return match[1]!;
}

/** The slot instants offered on a booking page, in page order. */
export function offeredSlots(html: string): number[] {
  return [...html.matchAll(/name="slot" value="(\d+)"/g)].map((m) => Number(m[1]));
}

/**
 * The times a booking link offers over its first `days` local days, gathered day by day as a person would tap
 * through the day chooser (each page shows one day's times). `url` may carry ?location=.
 */
export async function offeredTimes(rt: TestRuntime, url: string, days = 14): Promise<number[]> {
  const sep = url.includes('?') ? '&' : '?';
  const first = (await rt.app.inject({ url })).body;
  const links = (html: string) => [...html.matchAll(/[?&;]day=(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1]!);
  const chosen = /day=(\d{4}-\d{2}-\d{2})" aria-current="date"/.exec(first)?.[1];
  if (!chosen) return offeredSlots(first);
  const next = /<a class="month-step month-next" href="[^"]*day=(\d{4}-\d{2}-\d{2})"/.exec(first)?.[1];
  const nextMonth = next ? links((await rt.app.inject({ url: `${url}${sep}day=${next}` })).body) : [];
  const last = new Date(Date.parse(`${chosen}T00:00:00Z`) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const open = [...new Set([...links(first), ...nextMonth])].filter((d) => d >= chosen && d <= last).sort();
  const times: number[] = [];
  for (const day of open)
    times.push(
      ...(day === chosen
        ? offeredSlots(first)
        : offeredSlots((await rt.app.inject({ url: `${url}${sep}day=${day}` })).body)),
    );
  return times;
}

export async function book(rt: TestRuntime, path: string, slot: number, location = 'chicago') {
  return rt.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ slot: String(slot), location }),
  });
}

/** Posts a form as a browser without scripts would (urlencoded). */
export function postForm(rt: TestRuntime, url: string, fields: Record<string, string> = {}) {
  return rt.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(fields),
  });
}

let people = 0;
/** A new person (own email and phone) requests and books online at `slot` (or the first offered); returns the appointment id. */
export async function bookOnline(
  rt: TestRuntime,
  slot: number | 'first',
  location = 'chicago',
  extra: Record<string, string> = {},
): Promise<string> {
  people += 1;
  const link = await requestAndGetLink(rt, {
    email: `person${people}@example.com`,
    phone: `(312) 555-${String(1000 + people)}`,
    location,
    ...extra,
  });
  const at = slot === 'first' ? offeredSlots((await rt.app.inject({ url: link })).body)[0]! : slot;
  const res = await book(rt, link, at, location);
  if (res.headers.location !== `${link}?status=booked`)
    throw new Error(`booking failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const row = await rt.database.db
    .selectFrom('appointments')
    .select('id')
    .where('starts_at', '=', at)
    .where('location_id', '=', `loc-${location}`)
    .where('status', '=', 'booked')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return row.id;
}

let patients = 0;
/**
 * A new person (own email and phone) who booked a consultation online at Chicago on any day but `notOn`
 * ('YYYY-MM-DD'), so that a visit staff book for them that day meets nothing of theirs; returns their patient id.
 */
export async function bookedPatient(rt: TestRuntime, notOn: string): Promise<string> {
  patients += 1;
  const email = `patient${patients}@example.com`;
  const link = await requestAndGetLink(rt, {
    first_name: 'R',
    last_name: `V${patients}`,
    email,
    phone: `(312) 555-${4000 + patients}`,
  });
  const slot = (await offeredTimes(rt, link)).filter((t) => new Date(t).toISOString().slice(0, 10) !== notOn)[
    patients
  ]!;
  const res = await book(rt, link, slot);
  if (res.statusCode !== 303) throw new Error(`booking failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return (await rt.database.db.selectFrom('patients').select('id').where('email', '=', email).executeTakeFirstOrThrow())
    .id;
}
