import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

/** Leads whose booking link never arrived: marked in the inbox, a task on the lead, resolved by a phone call. */
const DESK = 'frontdesk@relief.example';
const DENVER_DESK = 'denver.desk@relief.example';
const REFUSAL = '550 5.1.1 <ana.typo@exampel.com>: Recipient address rejected: User unknown';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

async function createRequest(lastName: string, email: string, location = 'chicago'): Promise<string> {
  const res = await submitRequest(rt(), { last_name: lastName, email, location });
  expect(res.statusCode).toBe(303);
  return (
    await db().selectFrom('consultation_requests').select('id').where('email', '=', email).executeTakeFirstOrThrow()
  ).id;
}

const linkOf = (requestId: string) =>
  db()
    .selectFrom('outbox')
    .selectAll()
    .where('kind', '=', 'booking_link')
    .where('ref_id', '=', requestId)
    .orderBy('created_at')
    .execute();

/** What the worker leaves when the recipient's server refuses the message for good (see mail-delivery tests). */
async function failLink(requestId: string): Promise<string> {
  const [job] = await linkOf(requestId);
  await db()
    .updateTable('outbox')
    .set({
      status: 'dead',
      sent_at: null,
      failure_class: 'recipient',
      failed_at: rt().clock.now(),
      last_error: REFUSAL,
    })
    .where('id', '=', job!.id)
    .execute();
  return job!.id;
}

async function lastSeq(): Promise<number> {
  const row = await db().selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.seq) : 0;
}
const eventsAfter = (seq: number) =>
  db().selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq', 'asc').execute();

const MARKER = '<strong class="lead-flag">Booking link not delivered</strong>';

describe(`leads: booking links not delivered (${engine})`, () => {
  it('inbox: the front desk sees its own locations’ leads whose link failed, marked and as a filter', async () => {
    const failed = await createRequest('Failed-CHI', 'ana.typo@exampel.com');
    const delivered = await createRequest('Delivered-CHI', 'fine@example.com');
    const denver = await createRequest('Failed-DEN', 'den.typo@exampel.com', 'denver');
    await rt().worker.runOnce();
    await failLink(failed);
    await failLink(denver);

    const desk = await signIn(rt(), DESK);
    const list = await desk.get('/staff/leads');
    expect(list.statusCode).toBe(200);
    // One marker, on the failed lead's row; Denver's failure is not Chicago's business.
    expect(list.body.split(MARKER)).toHaveLength(2);
    expect(list.body).toMatch(new RegExp(`Failed-CHI</a></td>(?:(?!</tr>).)*${MARKER}`));
    expect(list.body).not.toContain('Failed-DEN');
    expect(list.body).toContain('The booking link of 1 lead could not be delivered.');
    expect(list.body).toMatch(/<a href="\/staff\/leads\?link=undelivered&amp;from=[^"]+">show the leads whose link/);

    const only = await desk.get('/staff/leads?link=undelivered');
    expect(only.statusCode).toBe(200);
    expect(only.body).toContain('Failed-CHI');
    expect(only.body).not.toContain('Delivered-CHI');
    expect(only.body).not.toContain('Failed-DEN');
    expect(only.body).toContain('<option value="undelivered" selected>Not delivered</option>');
    // The raw refusal (it quotes the address) stays on the administrators' mail page.
    expect(only.body).not.toContain('550 5.1.1');

    const denverDesk = await signIn(rt(), DENVER_DESK);
    const theirs = await denverDesk.get('/staff/leads?link=undelivered');
    expect(theirs.body).toContain('Failed-DEN');
    expect(theirs.body).not.toContain('Failed-CHI');

    const bad = await desk.get('/staff/leads?link=lost');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Some of the filters are not valid.');
    expect(delivered).toBeTruthy();
  });

  it('lead page: the notice says why, gives the phone, and "Mark as contacted by phone" resolves it with a note', async () => {
    const id = await createRequest('Failed-CHI', 'ana.typo@exampel.com');
    const other = await createRequest('Delivered-CHI', 'fine@example.com');
    await rt().worker.runOnce();
    const messageId = await failLink(id);
    const [sent] = await linkOf(other);

    const desk = await signIn(rt(), DESK);
    const page = await desk.get(`/staff/leads/${id}`);
    const notice = /<section class="notice notice-warning undelivered"(?:(?!<\/section>).)*<\/section>/s.exec(
      page.body,
    )?.[0];
    expect(notice).toBeDefined();
    expect(notice).toContain('<h2 id="undelivered-heading">Booking link not delivered</h2>');
    expect(notice).toContain('their email provider refused it. The address may be mistyped');
    expect(notice).toContain('<a href="tel:+13125550147">(312) 555-0147</a>');
    expect(notice).toContain(`<input type="hidden" name="message" value="${messageId}">`);
    expect(notice).toContain('Mark as contacted by phone</button>');
    expect(notice).not.toContain('exampel.com');
    expect(page.body).not.toContain('550 5.1.1');
    // Resending stays on offer.
    expect(page.body).toContain('Resend booking link</button>');
    const csrf = csrfFrom(page.body);

    // Without the token, nothing.
    const forged = await desk.post(`/staff/leads/${id}/contacted-by-phone`, { message: messageId });
    expect(forged.statusCode).toBe(403);

    // Another location's desk: the lead does not exist for them, and nothing changes.
    const denverDesk = await signIn(rt(), DENVER_DESK);
    const denverCsrf = csrfFrom((await denverDesk.get('/staff/leads')).body);
    let seq = await lastSeq();
    const elsewhere = await denverDesk.post(`/staff/leads/${id}/contacted-by-phone`, {
      _csrf: denverCsrf,
      message: messageId,
    });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.body).not.toContain('Failed-CHI');
    expect(await eventsAfter(seq)).toMatchObject([
      { action: 'lead.contacted_by_phone', outcome: 'denied', patient_ref: id },
    ]);
    expect((await linkOf(id))[0]).toMatchObject({ status: 'dead', resolved_at: null });

    // A nurse works no leads: refused for the role (with a valid token), recorded, nothing changed.
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const nurseCsrf = (
      await db()
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select('sessions.csrf_token')
        .where('users.email', '=', 'nurse@relief.example')
        .where('sessions.revoked_at', 'is', null)
        .orderBy('sessions.created_at', 'desc')
        .executeTakeFirstOrThrow()
    ).csrf_token;
    seq = await lastSeq();
    const role = await nurse.post(`/staff/leads/${id}/contacted-by-phone`, { _csrf: nurseCsrf, message: messageId });
    expect(role.statusCode).toBe(403);
    expect(role.body).not.toContain('Failed-CHI');
    expect(await eventsAfter(seq)).toMatchObject([{ action: 'access_denied', outcome: 'denied' }]);
    expect((await linkOf(id))[0]).toMatchObject({ status: 'dead', resolved_at: null });

    // A message id that is not one, or a message that did not fail: named, and nothing written.
    const malformed = await desk.post(`/staff/leads/${id}/contacted-by-phone`, { _csrf: csrf, message: 'x' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('That booking link could not be found.');
    const notFailed = await desk.post(`/staff/leads/${other}/contacted-by-phone`, { _csrf: csrf, message: sent!.id });
    expect(notFailed.statusCode).toBe(409);
    expect(notFailed.body).toContain('That booking link no longer needs following up');
    // Another lead's failed message, posted on this one: not this lead's to resolve.
    const crossed = await desk.post(`/staff/leads/${other}/contacted-by-phone`, { _csrf: csrf, message: messageId });
    expect(crossed.statusCode).toBe(409);
    expect((await linkOf(id))[0]).toMatchObject({ status: 'dead', resolved_at: null });

    // Done: resolved by this person, a note in the contact log, audited, in one step; PRG with a notice.
    rt().clock.advance(60_000);
    seq = await lastSeq();
    const res = await desk.post(`/staff/leads/${id}/contacted-by-phone`, { _csrf: csrf, message: messageId });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/staff/leads/${id}?done=contacted`);
    const deskId = (await db().selectFrom('users').select('id').where('email', '=', DESK).executeTakeFirstOrThrow()).id;
    expect((await linkOf(id))[0]).toMatchObject({
      status: 'dead',
      resolution: 'contacted_by_phone',
      resolved_by: deskId,
    });
    expect(Number((await linkOf(id))[0]!.resolved_at)).toBe(rt().clock.now());
    const notes = await db().selectFrom('request_notes').selectAll().where('request_id', '=', id).execute();
    expect(notes).toMatchObject([
      {
        kind: 'call',
        author_id: deskId,
        body: 'Booking link not delivered (refused by their email provider). Contacted by phone instead.',
      },
    ]);
    const [event, ...rest] = await eventsAfter(seq);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      action: 'lead.contacted_by_phone',
      outcome: 'success',
      patient_ref: id,
      location_id: 'loc-chicago',
    });
    expect(JSON.parse(event!.detail)).toEqual({ message: messageId, noteId: notes[0]!.id });

    const after = await desk.get(res.headers.location as string);
    expect(after.body).toContain('Marked as contacted by phone. The contact log has a note of it.');
    expect(after.body).not.toContain('undelivered-heading');
    expect(after.body).toContain('Booking link not delivered (refused by their email provider).');
    expect((await desk.get('/staff/leads')).body).not.toContain(MARKER);

    // Twice: a clear 409, recorded, and no second note.
    seq = await lastSeq();
    const twice = await desk.post(`/staff/leads/${id}/contacted-by-phone`, { _csrf: csrf, message: messageId });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain(
      '<div class="notice notice-error" role="alert" id="phone-error"><p>That booking link no longer needs following up',
    );
    expect(await eventsAfter(seq)).toMatchObject([{ action: 'lead.contacted_by_phone', outcome: 'failure' }]);
    expect(await db().selectFrom('request_notes').select('id').where('request_id', '=', id).execute()).toHaveLength(1);
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('resend on such a lead sends the failed link again (no second message), and not twice while it waits', async () => {
    const id = await createRequest('Failed-CHI', 'ana.typo@exampel.com');
    await rt().worker.runOnce();
    const messageId = await failLink(id);
    const desk = await signIn(rt(), DESK);
    const csrf = csrfFrom((await desk.get(`/staff/leads/${id}`)).body);

    rt().mail.failing = true; // the mail server is down now: the message waits and is retried
    const seq = await lastSeq();
    const res = await desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf });
    expect(res.statusCode).toBe(303);
    expect(await eventsAfter(seq)).toMatchObject([{ action: 'lead.resend_link', outcome: 'success', patient_ref: id }]);
    await rt().worker.runOnce();
    const jobs = await linkOf(id);
    expect(jobs.map((j) => j.id)).toEqual([messageId]);
    expect(jobs[0]).toMatchObject({ status: 'pending', failed_at: null, resolved_at: null });
    expect((await desk.get('/staff/leads')).body).not.toContain(MARKER);

    const again = await desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf });
    expect(again.statusCode).toBe(429);
    expect(again.body).toContain('A booking link is already waiting to go out to them');
    expect(await linkOf(id)).toHaveLength(1);
  });
});
