import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getClinic } from '../clinic.ts';
import { notFound } from '../refusal.ts';
import { h, renderDocument, type Child } from '../ui/jsx.ts';
import { formatDateTime } from '../time/format.ts';
import { Layout } from '../ui/site-layout.tsx';
import { fromThisComputer } from '../http/loopback.ts';

/** Splits plain text into escaped text and clickable links. */
function linkify(text: string): Child[] {
  const parts: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    parts.push(text.slice(last, m.index));
    parts.push(<a href={m[0]}>{m[0]}</a>);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** Said on every page of the mailbox: nobody should mistake it for a clinic page, or for mail that was sent. */
const DevOnly = () => (
  <p class="dev-only">
    <strong>For development only.</strong> These emails were not sent: SMTP_URL is not set. This mailbox answers only on
    this computer.
  </p>
);

/**
 * The development mailbox: when SMTP_URL is unset (and never in production) mail is kept in the database and
 * shown here, so a newcomer can follow the whole journey from the README alone. It answers requests from this
 * computer only (a loopback connection with no proxy in between): a development copy reachable on a network would
 * otherwise show everyone's booking links.
 */
export async function devMailboxRoutes(app: FastifyInstance): Promise<void> {
  const db = app.deps.database.db;
  app.addHook('onRequest', async (req) => {
    if (!fromThisComputer(req)) throw notFound('That page');
  });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const idParams = z.object({ id: z.uuid('Unknown message.') });

  typed.get('/dev/mailbox', { config: { policy: 'public' } }, async (_req, reply) => {
    const [clinic, mails] = await Promise.all([
      getClinic(db),
      db
        .selectFrom('dev_mailbox')
        .select(['id', 'to_address', 'subject', 'created_at'])
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute(),
    ]);
    if (!clinic) throw new Error('clinic is not set up');
    const page = (
      <Layout title="Development mailbox" clinic={clinic}>
        <div class="wrap">
          <h1>Development mailbox</h1>
          <DevOnly />
          <p class="lead">Newest first. Refresh the page to see new mail.</p>
          {mails.length === 0 ? (
            <p>No mail yet. Request a consultation to receive your booking link.</p>
          ) : (
            <table class="mailbox">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                </tr>
              </thead>
              <tbody>
                {mails.map((m) => (
                  <tr>
                    <td>{formatDateTime(m.created_at, 'UTC')}</td>
                    <td>{m.to_address}</td>
                    <td>
                      <a href={`/dev/mailbox/${m.id}`}>{m.subject}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </Layout>
    );
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderDocument(page));
  });

  typed.get('/dev/mailbox/:id', { config: { policy: 'public' }, schema: { params: idParams } }, async (req, reply) => {
    const [clinic, mail] = await Promise.all([
      getClinic(db),
      db.selectFrom('dev_mailbox').selectAll().where('id', '=', req.params.id).executeTakeFirst(),
    ]);
    if (!mail) throw notFound('That message');
    if (!clinic) throw new Error('clinic is not set up');
    const page = (
      <Layout title={mail.subject} clinic={clinic}>
        <div class="wrap narrow">
          <p>
            <a href="/dev/mailbox">Back to the mailbox</a>
          </p>
          <h1>{mail.subject}</h1>
          <DevOnly />
          <dl class="summary-list">
            <dt>To</dt>
            <dd>{mail.to_address}</dd>
            <dt>Message-ID</dt>
            <dd>{mail.message_id}</dd>
          </dl>
          <p>
            <a href={`/dev/mailbox/${mail.id}/html`}>View the HTML version</a>
            {mail.ics ? (
              <span>
                {' · '}
                <a href={`/dev/mailbox/${mail.id}/invite.ics`}>Calendar invitation (.ics)</a>
              </span>
            ) : null}
          </p>
          <pre class="mail-frame">{linkify(mail.text_body)}</pre>
        </div>
      </Layout>
    );
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderDocument(page));
  });

  typed.get(
    '/dev/mailbox/:id/html',
    { config: { policy: 'public' }, schema: { params: idParams } },
    async (req, reply) => {
      const mail = await db
        .selectFrom('dev_mailbox')
        .select('html_body')
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!mail) throw notFound('That message');
      // Email markup relies on inline styles; allow those for this page only, and nothing else.
      return reply
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        )
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          '<p style="margin:0;padding:8px 12px;background:#fff4d6;color:#3d2e00;font:14px/1.4 sans-serif;border-bottom:1px solid #b08a00">' +
            '<strong>For development only.</strong> This email was not sent: it is kept in the development mailbox.</p>' +
            mail.html_body,
        );
    },
  );

  typed.get(
    '/dev/mailbox/:id/invite.ics',
    { config: { policy: 'public' }, schema: { params: idParams } },
    async (req, reply) => {
      const mail = await db.selectFrom('dev_mailbox').select('ics').where('id', '=', req.params.id).executeTakeFirst();
      if (!mail?.ics) throw notFound('That invitation');
      return reply
        .header('content-disposition', 'attachment; filename="invite.ics"')
        .type('text/calendar; charset=utf-8')
        .send(mail.ics);
    },
  );
}
