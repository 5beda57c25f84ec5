import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { OutboxWorker } from '../../src/kernel/outbox/worker.ts';
import { enqueue } from '../../src/kernel/outbox/outbox.ts';
import type { MailTransport, OutgoingMail } from '../../src/kernel/outbox/transport.ts';
import { submitRequest } from '../helpers/journey.ts';

describe('the outbox with the features’ templates', () => {
  const rt = useTestRuntime({ shared: true });

  it('keeps a job of an unknown kind for retry with a clear error, and sends nothing for it', async () => {
    const now = rt().clock.now();
    await rt()
      .database.db.insertInto('outbox')
      .values({
        id: 'job-unknown',
        kind: 'fax_sent',
        ref_id: 'ref-1',
        dedupe_key: null,
        status: 'pending',
        run_at: now,
        locked_until: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .execute();
    await rt().worker.runOnce();
    const job = await rt()
      .database.db.selectFrom('outbox')
      .select(['status', 'attempts', 'last_error'])
      .where('id', '=', 'job-unknown')
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'pending', attempts: 1, last_error: 'no mail template for kind "fax_sent"' });
    expect(rt().mail.sent).toEqual([]);
  });
});

describe('email delivery through the outbox', () => {
  const rt = useTestRuntime();
  const jobs = () => rt().database.db.selectFrom('outbox').selectAll().execute();

  it('retries with back-off while SMTP is down and delivers once it is back', async () => {
    rt().mail.failing = true;
    await submitRequest(rt());
    await rt().worker.runOnce();
    let [job] = await jobs();
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
    expect(job!.run_at).toBe(rt().clock.now() + 30_000);
    expect(job!.last_error).toContain('ECONNREFUSED');
    await rt().worker.runOnce(); // not due yet: nothing happens
    expect((await jobs())[0]!.attempts).toBe(1);
    rt().clock.advance(30_000);
    await rt().worker.runOnce();
    [job] = await jobs();
    expect(job).toMatchObject({ status: 'pending', attempts: 2 });
    expect(job!.run_at).toBe(rt().clock.now() + 60_000);
    rt().mail.failing = false;
    rt().clock.advance(60_000);
    await rt().worker.runOnce();
    expect((await jobs())[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(rt().mail.sent).toHaveLength(1);
  });

  it('keeps retrying a job that keeps failing for its window (72 hours), then fails it in view', async () => {
    rt().mail.failing = true;
    await submitRequest(rt());
    for (let i = 0; i < 80; i++) {
      await rt().worker.runOnce();
      rt().clock.advance(3_600_000);
    }
    const [job] = await jobs();
    expect(job).toMatchObject({ status: 'dead', failure_class: 'connection' });
    expect(job!.attempts).toBeGreaterThan(8);
  });

  it('takes over a job left mid-send by a crashed worker once its lease ends', async () => {
    await submitRequest(rt());
    await rt().worker.runOnce();
    const first = rt().mail.sent.splice(0);
    expect(first).toHaveLength(1);
    // As if the process died after claiming the job and before recording the send.
    await rt()
      .database.db.updateTable('outbox')
      .set({ status: 'sending', locked_until: rt().clock.now() + 120_000 })
      .execute();
    await rt().worker.runOnce();
    expect(rt().mail.sent).toHaveLength(0);
    rt().clock.advance(121_000);
    await rt().worker.runOnce();
    expect(rt().mail.sent).toHaveLength(1);
    // The resend carries the same Message-ID, so receiving systems can recognise the duplicate.
    expect(rt().mail.sent[0]!.messageId).toBe(first[0]!.messageId);
    expect(rt().mail.sent[0]!.messageId).toMatch(/^<[0-9a-f-]+@relief\.test>$/);
  });

  it('drains a backlog at once: a full batch delivered is followed by the next, not by the next poll', async () => {
    await submitRequest(rt());
    const requestId = (await jobs())[0]!.ref_id;
    const now = rt().clock.now();
    const more = Array.from({ length: 59 }, () => ({ kind: 'booking_link' as const, refId: requestId, runAt: now }));
    await rt().database.transact((trx) => enqueue(trx, more, now));
    rt().worker.nudge();
    for (let i = 0; i < 500 && rt().mail.sent.length < 60; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rt().mail.sent).toHaveLength(60);
  });

  it('holds a claimed job for MAIL_LEASE_SECONDS: another instance takes it over only once that has passed', async () => {
    // A send that hangs until let go, as in a process that stalled or died mid-send.
    const stalled: Array<(err: Error) => void> = [];
    const hanging: MailTransport = {
      send: (_mail: OutgoingMail) => new Promise<void>((_resolve, reject) => stalled.push(reject)),
      close() {},
    };
    const first = await rt.restart({ env: { MAIL_LEASE_SECONDS: '15' }, transport: hanging });
    await submitRequest(first);
    const claimedAt = first.clock.now();
    void first.worker.runOnce();
    for (let i = 0; i < 200 && stalled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const [job] = await jobs();
    expect({ status: job!.status, lease: job!.locked_until }).toEqual({ status: 'sending', lease: claimedAt + 15_000 });

    const sent: string[] = [];
    const other = new OutboxWorker({
      database: first.database,
      transport: { send: async (mail) => void sent.push(mail.messageId), close() {} },
      render: async (j) => ({ to: 'a@example.com', subject: 's', text: 't', html: 'h', messageId: j.id }),
      now: first.clock.now,
      leaseMs: 15_000,
    });
    first.clock.advance(14_000);
    await other.runOnce();
    expect(sent).toEqual([]);
    first.clock.advance(2_000);
    await other.runOnce();
    expect(sent).toEqual([job!.id]);
    for (const reject of stalled) reject(new Error('connection closed'));
  });
});
