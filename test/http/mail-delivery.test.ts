import { describe, expect, it } from 'vitest';
import { useTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';
import { classifyFailure } from '../../src/kernel/outbox/failure.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Runs the worker at every step of an outage of `ms`, as the running server would (its poll, coarser). */
async function through(rt: TestRuntime, ms: number, step = 5 * MINUTE) {
  for (let passed = 0; passed < ms; passed += step) {
    await rt.worker.runOnce();
    rt.clock.advance(step);
  }
  await rt.worker.runOnce();
}

const jobs = (rt: TestRuntime) =>
  rt.database.db.selectFrom('outbox').selectAll().where('kind', '=', 'booking_link').orderBy('created_at').execute();

describe('mail that cannot be lost silently', () => {
  const runtime = useTestRuntime({ seed: 'clinic-and-staff' });

  it('delivers every message, once each, after an SMTP outage longer than the old two-hour limit', async () => {
    const rt = runtime();
    rt.mail.failing = true;
    for (let i = 0; i < 3; i++) expect((await submitRequest(rt, { email: `p${i}@example.com` })).statusCode).toBe(303);
    await through(rt, 9 * HOUR);
    expect((await jobs(rt)).map((j) => j.status)).toEqual(['pending', 'pending', 'pending']);
    // Back-off is capped at an hour: nobody waits more than an hour after SMTP returns.
    for (const job of await jobs(rt)) expect(job.run_at - rt.clock.now()).toBeLessThanOrEqual(HOUR);
    rt.mail.failing = false;
    await through(rt, HOUR);
    const sent = await jobs(rt);
    expect(sent.map((j) => j.status)).toEqual(['sent', 'sent', 'sent']);
    const ids = rt.mail.sent.map((m) => m.messageId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it('fails a message only after its window, keeps it in view with its cause, and delivers it on Retry', async () => {
    const rt = runtime();
    rt.mail.failing = true;
    await submitRequest(rt);
    await through(rt, 71 * HOUR, 30 * MINUTE);
    expect((await jobs(rt))[0]).toMatchObject({ status: 'pending', failure_class: 'connection', failed_at: null });
    await through(rt, 2 * HOUR, 30 * MINUTE);
    const [failed] = await jobs(rt);
    expect(failed).toMatchObject({ status: 'dead', failure_class: 'connection' });
    expect(failed!.failed_at! - failed!.first_due_at!).toBeGreaterThanOrEqual(72 * HOUR);

    // Every staff page says so, naming the cause; the mail page lists it, with the address hidden.
    const admin = await signIn(rt, 'admin@relief.example');
    const page = await admin.get('/staff/mail');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="mail-alert"');
    expect(page.body).toContain('the mail server cannot be reached');
    expect(page.body).toContain('1 message was not delivered');
    expect(page.body).toMatch(/Booking link · Chicago/);
    expect(page.body).toContain('ECONNREFUSED');
    expect(page.body).not.toContain('ana@example.com');
    const desk = await signIn(rt, 'frontdesk@relief.example');
    const calendar = await desk.get('/staff/calendar');
    expect(calendar.body).toContain('id="mail-alert"');
    expect(calendar.body).not.toContain('href="/staff/mail"');
    expect((await desk.get('/staff/mail')).statusCode).toBe(403);

    // Retry: sent again at once, with a new window, and audited.
    rt.mail.failing = false;
    const retry = await admin.post(`/staff/mail/${failed!.id}/retry`, { _csrf: csrfFrom(page.body) });
    expect(retry.statusCode).toBe(303);
    expect(retry.headers.location).toBe('/staff/mail?retried=1');
    await rt.worker.runOnce();
    expect((await jobs(rt))[0]).toMatchObject({ status: 'sent' });
    expect(rt.mail.sent.filter((m) => m.subject.startsWith('Book your consultation'))).toHaveLength(1);
    const after = await admin.get('/staff/mail');
    expect(after.body).not.toContain('id="mail-alert"');
    expect(after.body).toContain('No message has failed.');
    const audit = await rt.database.db
      .selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'mail.retry')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.detail)).toEqual({ message: failed!.id, kind: 'booking_link' });

    // Retry on a message that is not failed: a clear refusal, nothing changes.
    const again = await admin.post(`/staff/mail/${failed!.id}/retry`, { _csrf: csrfFrom(after.body) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('That message is not a failed one');
    expect((await admin.post('/staff/mail/not-a-message/retry', { _csrf: csrfFrom(after.body) })).statusCode).toBe(409);
  });

  it('Retry all sends every failed message again', async () => {
    const rt = runtime();
    rt.mail.failing = true;
    for (let i = 0; i < 3; i++) await submitRequest(rt, { email: `r${i}@example.com` });
    await through(rt, 73 * HOUR, HOUR);
    expect((await jobs(rt)).map((j) => j.status)).toEqual(['dead', 'dead', 'dead']);
    rt.mail.failing = false;
    const admin = await signIn(rt, 'admin@relief.example');
    const page = await admin.get('/staff/mail');
    expect(page.body).toContain('Retry all 3');
    const res = await admin.post('/staff/mail/retry-all', { _csrf: csrfFrom(page.body) });
    expect(res.headers.location).toBe('/staff/mail?retried=3');
    await rt.worker.runOnce();
    expect((await jobs(rt)).map((j) => j.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('shows the banner only once mail has been failing for ten minutes', async () => {
    const rt = runtime();
    const desk = await signIn(rt, 'frontdesk@relief.example');
    rt.mail.failing = true;
    await submitRequest(rt);
    await rt.worker.runOnce();
    rt.clock.advance(5 * MINUTE);
    expect((await desk.get('/staff/calendar')).body).not.toContain('id="mail-alert"');
    await rt.worker.runOnce();
    rt.clock.advance(6 * MINUTE);
    const page = (await desk.get('/staff/calendar')).body;
    expect(page).toContain('Email has not been going out for 11 minutes.');
    expect(page).toContain('Messages are kept and retried.');
  });
});

describe('the cause of a failed delivery', () => {
  const smtpError = (code: string, responseCode?: number, command?: string) =>
    Object.assign(new Error('x'), { code, responseCode, command });

  it.each([
    [new Error('connect ECONNREFUSED 127.0.0.1:25'), 'connection', false],
    [smtpError('ETIMEDOUT', undefined, 'CONN'), 'connection', false],
    [smtpError('EDNS'), 'connection', false],
    [smtpError('EAUTH', 535, 'AUTH PLAIN'), 'authentication', false],
    [smtpError('EENVELOPE', 550, 'RCPT TO'), 'recipient', true],
    [smtpError('EENVELOPE', 452, 'RCPT TO'), 'recipient', false],
    [smtpError('EMESSAGE', 554, 'DATA'), 'recipient', true],
    [smtpError('EPROTOCOL', 421, 'CONN'), 'connection', false],
    [new Error('no mail template for kind "fax_sent"'), 'other', false],
    ['a string', 'other', false],
  ])('%s is %s (permanent: %s)', (err, cls, permanent) => {
    expect(classifyFailure(err)).toEqual({ class: cls, permanent });
  });
});
