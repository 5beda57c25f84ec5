import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, nextIp, requestAndGetLink, VALID_REQUEST } from '../helpers/journey.ts';
import { breakAuditInserts, lastSeq, oneEvent, send } from '../helpers/audit.ts';

/**
 * A patient's action and its audit event commit together: when the event cannot be written, the booking, move,
 * cancellation, request or waitlist change is not made either, and a page that shows the record is not sent.
 */

const HOUR = 3_600_000;
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z');
const WED_0900 = TUE_0900 + 24 * HOUR;
const THU_0900 = WED_0900 + 24 * HOUR;
const FRI_0900 = THU_0900 + 24 * HOUR;

const rt = useTestRuntime();

/** Everything a patient action could change (outbox by id only: the worker may be sending meanwhile). */
async function snapshot(): Promise<string> {
  const db = rt().database.db;
  const all = await Promise.all([
    db.selectFrom('appointments').selectAll().orderBy('id').execute(),
    db.selectFrom('consultation_requests').select(['id', 'status', 'patient_id']).orderBy('id').execute(),
    db.selectFrom('patients').select('id').orderBy('id').execute(),
    db.selectFrom('outbox').select('id').orderBy('id').execute(),
    db.selectFrom('waitlist_entries').select(['id', 'status']).orderBy('id').execute(),
    db.selectFrom('waitlist_offers').select(['id', 'accepted_at']).orderBy('id').execute(),
  ]);
  return JSON.stringify(all);
}

describe(`patient actions roll back when their audit event fails (${engine})`, () => {
  it('books, moves, cancels, requests, joins and accepts nothing, and shows no record, without its event', async () => {
    const ana = await requestAndGetLink(rt(), { email: 'ana@example.com' });
    expect((await book(rt(), ana, WED_0900)).statusCode).toBe(303);
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com' });
    const cy = await requestAndGetLink(rt(), { email: 'cy@example.com' });
    expect((await send(rt(), 'POST', `${ben}/waitlist`, nextIp(), { location: 'chicago' })).statusCode).toBe(303);
    // Dee books Thursday and cancels it, so Ben holds an offer for that time.
    rt().mail.sent.length = 0;
    const dee = await requestAndGetLink(rt(), { email: 'dee@example.com' });
    expect((await book(rt(), dee, THU_0900)).statusCode).toBe(303);
    expect((await send(rt(), 'POST', `${dee}/cancel`, nextIp())).statusCode).toBe(303);
    await rt().worker.runOnce();
    const offer = /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(
      rt().mail.sent.find((m) => m.to === 'ben@example.com')!.text,
    )![1]!;

    const before = await snapshot();
    const seq = await lastSeq(rt());
    const restore = await breakAuditInserts(rt());
    const attempts: Array<[string, 'GET' | 'POST', string, Record<string, string> | undefined]> = [
      [
        'request',
        'POST',
        '/consultation',
        { ...VALID_REQUEST, email: 'eve@example.com', form_key: 'rollback-form-key-000001' },
      ],
      ['book', 'POST', cy, { slot: String(TUE_0900), location: 'chicago' }],
      ['reschedule', 'POST', `${ana}/reschedule`, { slot: String(FRI_0900), location: 'chicago' }],
      ['cancel', 'POST', `${ana}/cancel`, {}],
      ['join', 'POST', `${cy}/waitlist`, { location: 'chicago' }],
      ['accept', 'POST', offer, {}],
      ['manage page', 'GET', ana, undefined],
    ];
    for (const [what, method, url, fields] of attempts) {
      const res = await send(rt(), method, url, nextIp(), fields);
      expect(res.statusCode, what).toBe(500);
      expect(res.body, what).not.toContain('March 4');
      expect(await snapshot(), `${what} changed data`).toBe(before);
    }
    await restore();

    expect(await lastSeq(rt())).toBe(seq);
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
    // With the trail back, the same cancellation goes through with its one event.
    const cancelled = await oneEvent(rt(), () => send(rt(), 'POST', `${ana}/cancel`, nextIp(), {}));
    expect(cancelled).toMatchObject({ action: 'appointment.cancel', outcome: 'success' });
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });
});
