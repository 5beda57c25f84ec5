import { beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/kernel/http/loopback.ts';
import { useTestRuntime } from '../helpers/runtime.ts';

const MAIL_ID = '00000000-0000-4000-8000-0000000000aa';

describe('the development mailbox', () => {
  const runtime = useTestRuntime({ shared: true });
  beforeAll(async () => {
    await runtime()
      .database.db.insertInto('dev_mailbox')
      .values({
        id: MAIL_ID,
        message_id: '<dev@relief.example>',
        to_address: 'a.very.long.address.that.would.widen.a.phone.page@example.com',
        subject: 'Book your consultation',
        text_body: 'Hello Ana,\n\nhttp://localhost:3000/book/abc',
        html_body: '<p>Hello Ana,</p>',
        ics: null,
        created_at: Date.now(),
      })
      .execute();
  });

  const pages = ['/dev/mailbox', `/dev/mailbox/${MAIL_ID}`, `/dev/mailbox/${MAIL_ID}/html`];

  it('says on every page that it is for development, and that the mail was not sent', async () => {
    for (const url of pages) {
      const res = await runtime().app.inject({ url, remoteAddress: '127.0.0.1' });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<strong>For development only.</strong>');
      expect(res.body, url).toMatch(/not sent/);
    }
  });

  it('answers a loopback connection only, with no proxy in between', async () => {
    for (const url of [...pages, `/dev/mailbox/${MAIL_ID}/invite.ics`]) {
      for (const remoteAddress of ['192.168.1.20', '10.0.0.5', '::ffff:203.0.113.9', '2001:db8::1']) {
        const res = await runtime().app.inject({ url, remoteAddress });
        expect(res.statusCode, `${url} from ${remoteAddress}`).toBe(404);
        expect(res.body).not.toContain('Book your consultation');
      }
      for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }]) {
        const res = await runtime().app.inject({ url, remoteAddress: '127.0.0.1', headers });
        expect(res.statusCode, `${url} through a proxy`).toBe(404);
      }
    }
    for (const remoteAddress of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect((await runtime().app.inject({ url: '/dev/mailbox', remoteAddress })).statusCode, remoteAddress).toBe(200);
    // The rest of the site does not care where a request comes from.
    expect((await runtime().app.inject({ url: '/', remoteAddress: '192.168.1.20' })).statusCode).toBe(200);
  });

  it('knows a loopback address when it sees one', () => {
    for (const a of ['127.0.0.1', '127.255.0.1', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of [undefined, '', '128.0.0.1', '10.127.0.1', '::2', '::ffff:10.0.0.1', '127.0.0.1.evil', 'localhost'])
      expect(isLoopback(a), String(a)).toBe(false);
  });
});
