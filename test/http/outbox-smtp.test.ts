import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { smtpTransport } from '../../src/kernel/outbox/transport.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { book, bookingPath, submitRequest } from '../helpers/journey.ts';

interface Received {
  to: string[];
  raw: string;
}

/**
 * A real SMTP peer on loopback that keeps every message it accepts; with `refuseRecipients` it refuses every
 * recipient the way Postfix does, naming the address in its reply.
 */
async function startSmtp(
  options: { refuseRecipients?: boolean } = {},
): Promise<{ server: SMTPServer; port: number; inbox: Received[] }> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!options.refuseRecipients) return callback();
      const err = new Error(
        `5.1.1 <${address.address}>: Recipient address rejected: User unknown in local recipient table`,
      ) as Error & { responseCode: number };
      err.responseCode = 550;
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, inbox };
}

/** Undoes quoted-printable soft breaks and escapes enough to search the text. */
function decodeQp(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The runtime's options for sending through the SMTP server at `port`. */
function overSmtp(port: number) {
  const smtpUrl = `smtp://127.0.0.1:${port}`;
  return { env: { SMTP_URL: smtpUrl }, transport: smtpTransport(smtpUrl, 'Relief <no-reply@relief.test>') };
}

describe('mail over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });
  const rt = useTestRuntime({ shared: true, late: () => overSmtp(smtp.port) });

  it('delivers the booking link and the confirmation with a calendar invitation, with no PHI beyond a first name', async () => {
    const res = await submitRequest(rt(), {
      last_name: 'Zebulon',
      phone: '(312) 555-0199',
      message: 'fracture in 2019',
    });
    expect(res.statusCode).toBe(303);
    await rt().worker.runOnce();
    expect(smtp.inbox).toHaveLength(1);
    const first = smtp.inbox[0]!;
    expect(first.to).toEqual(['ana@example.com']);
    const text = decodeQp(first.raw);
    expect(text).toMatch(/^Subject: Book your consultation with Relief Infusion Clinic/m);
    expect(text).toMatch(/^Message-ID: <[0-9a-f-]+@relief\.test>/im);
    expect(text).toContain('Content-Type: text/plain');
    expect(text).toContain('Content-Type: text/html');
    expect(text).toContain('Hello Ana');
    for (const secret of ['Zebulon', '555-0199', '5550199', 'fracture', 'crps', 'CRPS'])
      expect(text).not.toContain(secret);

    const link = bookingPath(text);
    const page = await rt().app.inject({ url: link });
    const slot = Number(/name="slot" value="(\d+)"/.exec(page.body)![1]);
    expect((await book(rt(), link, slot)).statusCode).toBe(303);
    await rt().worker.runOnce();
    // The confirmation, and the pre-visit intake's link that booking a consultation sends.
    expect(smtp.inbox).toHaveLength(3);
    const sent = smtp.inbox.slice(1).map((m) => decodeQp(m.raw));
    expect(sent.filter((m) => /^Subject: Before your visit with /m.test(m))).toHaveLength(1);
    for (const m of sent) for (const secret of ['Zebulon', 'fracture', 'crps', 'CRPS']) expect(m).not.toContain(secret);
    const confirmation = sent.find((m) => m.includes('BEGIN:VCALENDAR')) ?? '';
    expect(confirmation).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=PUBLISH/i);
    expect(confirmation).toContain('BEGIN:VCALENDAR');
    expect(confirmation).toContain('TZID=America/Chicago');
    expect(confirmation).not.toContain('Zebulon');
  });
});

describe('mail to a recipient the SMTP server refuses', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp({ refuseRecipients: true });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });
  const rt = useTestRuntime({ late: () => overSmtp(smtp.port) });

  it('fails a message the recipient’s server refuses for good at once, never retries it, and keeps no address', async () => {
    const res = await rt().app.inject({
      method: 'POST',
      url: '/api/consultation-requests',
      payload: {
        first_name: 'Ana',
        last_name: 'Zebulon',
        email: 'ana.zebulon@example.com',
        phone: '(312) 555-0147',
        location: 'chicago',
        contact_method: 'email',
        reason: 'crps',
        consent: true,
        form_key: 'review-smtp-refusal-0001',
      },
    });
    expect(res.statusCode).toBe(201);
    await rt().worker.runOnce();
    const job = () =>
      rt()
        .database.db.selectFrom('outbox')
        .select(['status', 'last_error', 'failure_class', 'attempts'])
        .where('kind', '=', 'booking_link')
        .executeTakeFirstOrThrow();
    // A permanent refusal of the recipient (550) is failed at once and shown, never retried.
    expect(await job()).toMatchObject({ status: 'dead', failure_class: 'recipient', attempts: 1 });
    expect((await job()).last_error, 'outbox.last_error').not.toContain('ana.zebulon@example.com');
    expect((await job()).last_error).toContain('[address]');
    rt().clock.advance(6 * 3_600_000);
    await rt().worker.runOnce();
    expect(await job()).toMatchObject({ status: 'dead', attempts: 1 });
  });
});
