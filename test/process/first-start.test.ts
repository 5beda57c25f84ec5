/**
 * A real clinic's first start, as an operator and the people would do it: an empty database in production mode,
 * `relief init` with options, the compiled server, the administrator enrolling and signing in (password and an
 * authenticator code), setting up hours, a provider and a room over the set-up pages, and then a patient requesting
 * a consultation, receiving the booking link over real SMTP, and booking a time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { totpCode } from '../../src/staff/totp.ts';
import { adminQuery } from '../helpers/runtime.ts';
import { formFields } from '../helpers/forms.ts';
import { offeredSlots, VALID_REQUEST } from '../helpers/journey.ts';
import { freePort, waitFor } from '../helpers/process.ts';

const root = new URL('../../', import.meta.url).pathname;

/** A browser without scripts: cookies, forms posted urlencoded, redirects not followed. */
class Visitor {
  cookies = new Map<string, string>();
  constructor(private readonly base: string) {}
  async request(path: string, body?: Record<string, string>) {
    const res = await fetch(new URL(path, this.base), {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body: new URLSearchParams(body).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (value.join('=') === '' || /max-age=0/i.test(line)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() };
  }
  get = (path: string) => this.request(path);
  post = (path: string, body: Record<string, string>) => this.request(path, body);
  /** Opens `page` and posts its form to `action` with `changes` (undefined removes a field). */
  async submit(page: string, action: string, changes: Record<string, string | undefined> = {}) {
    const fields = { ...formFields((await this.get(page)).body, action), ...changes };
    for (const [k, v] of Object.entries(fields)) if (v === undefined) delete fields[k];
    return this.post(action, fields as Record<string, string>);
  }
}

/** Every day of a week form open from midnight to midnight. */
function allWeek(html: string, action: string): Record<string, string | undefined> {
  const changes: Record<string, string | undefined> = {};
  for (const name of Object.keys(formFields(html, action))) if (name.endsWith('-off')) changes[name] = undefined;
  for (const [, name] of html.matchAll(/name="([^"]+)-from"/g)) {
    changes[`${name}-from`] = '00:00';
    changes[`${name}-to`] = '24:00';
  }
  return changes;
}

const decodeQp = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe('a real clinic’s first start (production)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-first-start-'));
  const schema = `first_${randomBytes(5).toString('hex')}`;
  const pgUrl = process.env.DATABASE_URL;
  const children: ChildProcess[] = [];
  let smtp: SMTPServer | undefined;

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (smtp) await new Promise<void>((resolve) => smtp!.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
    if (pgUrl) await adminQuery(pgUrl, `drop schema if exists ${schema} cascade`);
  });

  it('goes from an empty database through relief init to a booked consultation', async () => {
    const inbox: Array<{ to: string[]; text: string }> = [];
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            text: decodeQp(Buffer.concat(chunks).toString('utf8')),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    if (pgUrl) await adminQuery(pgUrl, `create schema ${schema}`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      SECRET: 'first-start-secret-first-start-secret-0123',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PUBLIC_URL: base,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MAIL_RETRY_SECONDS: '1',
      ...(pgUrl
        ? {
            DATABASE_URL: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
          }
        : {}),
    };
    const relief = (args: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin/relief.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env,
        timeout: 30_000,
      });

    // The demo is refused in production; init sets up the real clinic.
    expect(relief(['seed', '--demo']).status).toBe(1);
    const init = relief([
      'init',
      '--clinic-name',
      'Lakeside Pain Clinic',
      '--location-name',
      'Evanston',
      '--timezone',
      'America/Chicago',
      '--address',
      '1000 Davis St, Suite 200',
      '--city',
      'Evanston',
      '--state',
      'IL',
      '--zip',
      '60201',
      '--phone',
      '(847) 555-0100',
      '--admin-name',
      'Rosa Reyes',
      '--admin-email',
      'rosa@lakeside.example',
      '--accept-default-types',
    ]);
    expect(init.status, init.stderr).toBe(0);
    const welcome = new RegExp(`${base}(/staff/welcome/[A-Za-z0-9_-]+)`).exec(init.stdout)?.[1];
    expect(welcome, init.stdout).toBeDefined();
    // Only once.
    const again = relief(['init', '--clinic-name', 'Other', '--accept-default-types']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already has a clinic');

    const server = spawn(process.execPath, [join(root, 'bin/relief.js'), 'start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(server);
    const admin = new Visitor(base);
    await waitFor('the server', async () => ((await admin.get('/')).status === 200 ? true : undefined));

    // The administrator enrols: a password, then the authenticator (its key is on the page), then recovery codes.
    const password = 'lantern orchard velvet 42';
    const form = await admin.get(welcome!);
    expect(form.status).toBe(200);
    const set = await admin.submit(welcome!, welcome!, { password, confirm: password });
    expect(set.location).toBe('/staff/sign-in?reason=password');
    const step1 = await admin.submit('/staff/sign-in', '/staff/sign-in', {
      email: 'rosa@lakeside.example',
      password,
    });
    expect(step1.location).toBe('/staff/enrol');
    const enrol = await admin.get('/staff/enrol');
    const key = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replace(/ /g, '');
    expect(key).toBeDefined();
    const codes = await admin.submit('/staff/enrol', '/staff/enrol', { code: totpCode(key!, Date.now()) });
    expect(codes.status, codes.body.slice(0, 300)).toBeLessThan(400);
    expect((await admin.get('/staff/setup')).status).toBe(200);

    // Set-up as an administrator would: opening hours, a room, a provider and the provider's week.
    const locations = await admin.get('/staff/setup/locations');
    const locationId = /\/staff\/setup\/locations\/([0-9a-f-]{36})\/hours/.exec(locations.body)?.[1];
    expect(locationId).toBeDefined();
    const hoursUrl = `/staff/setup/locations/${locationId}/hours`;
    const hours = await admin.submit(hoursUrl, hoursUrl, allWeek((await admin.get(hoursUrl)).body, hoursUrl));
    expect(hours.status, hours.body.slice(0, 500)).toBe(200);
    const roomsUrl = `/staff/setup/locations/${locationId}/rooms`;
    expect((await admin.submit(roomsUrl, roomsUrl, { name: 'Consult room 1', kind: 'room' })).status).toBe(200);
    const added = await admin.submit('/staff/setup/clinicians', '/staff/setup/clinicians', {
      name: 'Dr. Lena Park',
      credentials: 'MD',
      kind: 'provider',
    });
    expect(added.status).toBe(200);
    const clinicianId = /\/staff\/setup\/clinicians\/([0-9a-f-]{36})\/hours/.exec(added.body)?.[1];
    expect(clinicianId, added.body.slice(0, 2000)).toBeDefined();
    const weekUrl = `/staff/setup/clinicians/${clinicianId}/hours`;
    const week = await admin.submit(weekUrl, weekUrl, allWeek((await admin.get(weekUrl)).body, weekUrl));
    expect(week.status, week.body.slice(0, 500)).toBe(200);

    // A patient requests a consultation on the public form and gets the booking link by email.
    const patient = new Visitor(base);
    const request = await patient.submit('/consultation', '/consultation', {
      ...VALID_REQUEST,
      location: 'evanston',
      email: 'ana@example.com',
    });
    expect(request.status, request.body.slice(0, 500)).toBe(303);
    const mail = await waitFor('the booking-link email', async () =>
      inbox.find((m) => m.to.includes('ana@example.com') && m.text.includes('/book/')),
    );
    const link = new RegExp(`${base}(/book/[A-Za-z0-9_.-]+)`).exec(mail.text)?.[1];
    expect(link).toBeDefined();
    const picker = await patient.get(link!);
    expect(picker.status).toBe(200);
    const slot = offeredSlots(picker.body)[0];
    expect(slot, 'a consultation time is offered').toBeDefined();
    const booked = await patient.post(link!, { slot: String(slot), location: 'evanston' });
    expect(booked.status).toBe(303);
    const confirmation = await patient.get(booked.location.replace(base, ''));
    expect(confirmation.status).toBe(200);
    expect(confirmation.body).toContain('Your consultation is booked');
  });
});
