import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Database } from '../db/database.ts';
import { LEASE_MS } from './outbox.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per outbox job, so a resend after a crash can be recognised by the receiving side. */
  messageId: string;
  ics?: { method: 'PUBLISH' | 'CANCEL'; content: string };
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** SMTP when SMTP_URL is set; otherwise the local development mailbox at /dev/mailbox. */
export function createTransport(
  smtpUrl: string | undefined,
  from: string,
  database: Database,
  leaseMs = LEASE_MS,
): MailTransport {
  return smtpUrl ? smtpTransport(smtpUrl, from, leaseMs) : devMailboxTransport(database);
}

/**
 * Nodemailer waits up to two minutes to connect by default, as long as the default outbox lease: bound each phase
 * well under the lease (unless SMTP_URL sets its own; 20, 20 and 40 s for the default 2 minutes), so a send that
 * starts on a fresh claim (see claimIsFresh) never outlives the claim that allows it.
 */
const sendTimeouts = (leaseMs: number) => ({
  connectionTimeout: String(Math.round(leaseMs / 6)),
  greetingTimeout: String(Math.round(leaseMs / 6)),
  socketTimeout: String(Math.round(leaseMs / 3)),
});

export function smtpTransport(smtpUrl: string, from: string, leaseMs = LEASE_MS): MailTransport {
  const url = new URL(smtpUrl);
  for (const [key, value] of Object.entries(sendTimeouts(leaseMs)))
    if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  const transporter = nodemailer.createTransport(url.toString(), { from });
  return {
    async send(mail) {
      await transporter.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        ...(mail.ics
          ? {
              icalEvent: { method: mail.ics.method, filename: 'appointment.ics', content: mail.ics.content },
            }
          : {}),
      });
    },
    close: () => transporter.close(),
  };
}

function devMailboxTransport(database: Database): MailTransport {
  return {
    async send(mail) {
      await database.db
        .insertInto('dev_mailbox')
        .values({
          id: randomUUID(),
          message_id: mail.messageId,
          to_address: mail.to,
          subject: mail.subject,
          text_body: mail.text,
          html_body: mail.html,
          ics: mail.ics?.content ?? null,
          created_at: Date.now(),
        })
        .execute();
    },
    close: () => {},
  };
}
