import type { Kysely } from 'kysely';
import { h, renderDocument } from '../ui/jsx.ts';
import { logoPath } from '../ui/brand/brand.ts';
import { getClinic, type Clinic } from '../clinic.ts';
import type { DB } from '../db/schema.ts';
import type { Tokens } from '../tokens.ts';
import { EmailLayout } from './email-frame.tsx';
import type { JobKind, OutboxJob } from './outbox.ts';
import type { OutgoingMail } from './transport.ts';
import type { JobRenderer } from './worker.ts';

/**
 * Mail renders nothing itself: each feature exports its templates, one per kind of job it sends
 * (`export const requestEmails = { booking_link: bookingLink }`), and runtime.ts composes them into the registry the
 * worker renders with. Templates build each email at send time from the current records, so the outbox holds only
 * ids (no personal data) and a job whose record has since changed is dropped (null) instead of sending stale news.
 */

/** What a template may use besides the clinic. */
export interface MailDeps {
  db: Kysely<DB>;
  tokens: Tokens;
  publicUrl: string;
  /** Rebuilds staff enrolment/reset link tokens from their row ids. */
  secret: string;
  now: () => number;
}

/** A template's context: its deps and the clinic as it is at send time. */
export interface MailContext extends MailDeps {
  clinic: Clinic;
}

/** One message's own content; the outbox puts it in the clinic's frame (header, footer, Message-ID). */
export interface RenderedMail {
  to: string;
  subject: string;
  /** The line a mail client shows after the subject. */
  preheader: string;
  body: JSX.Element;
  text: string;
  /** The footer's reason for writing, e.g. "This message was sent about your staff account." */
  reason: string;
  ics?: OutgoingMail['ics'];
}

/** Renders one kind of job, or null when the job no longer applies (e.g. a reminder for a cancelled visit). */
export type MailTemplate = (job: OutboxJob, ctx: MailContext) => Promise<RenderedMail | null>;

/** A feature's templates by kind. */
export type MailTemplates = Readonly<Record<string, MailTemplate>>;

/** The kinds in a list of template maps. */
type KindsOf<T extends readonly MailTemplates[]> = { [I in keyof T]: keyof T[I] }[number];

/** Every kind's template. A kind registered twice is refused at start-up: one of the two would never be used. */
export function mailRegistry<const T extends readonly MailTemplates[]>(
  ...sets: T
): Readonly<Record<KindsOf<T> & string, MailTemplate>> {
  const all: Record<string, MailTemplate> = {};
  for (const set of sets) {
    for (const [kind, template] of Object.entries(set)) {
      if (Object.hasOwn(all, kind)) throw new Error(`two mail templates are registered for kind "${kind}"`);
      all[kind] = template;
    }
  }
  return all as Record<KindsOf<T> & string, MailTemplate>;
}

/**
 * The worker's renderer: looks the job's kind up (every declared kind must have a template, or this fails to
 * compile where it is called) and frames the template's message. A job of a kind without a template, say one queued
 * by a newer version, fails with a clear error and is retried like any failed send, then given up.
 */
export function createMailRenderer(
  templates: Readonly<Record<JobKind, MailTemplate>>,
  deps: MailDeps & {
    /** Host part of Message-IDs. */
    messageDomain: string;
  },
): JobRenderer {
  const { messageDomain, ...mailDeps } = deps;
  return async (job) => {
    const template = Object.hasOwn(templates, job.kind) ? templates[job.kind as JobKind] : undefined;
    if (!template) throw new Error(`no mail template for kind "${job.kind}"`);
    const clinic = await getClinic(deps.db);
    if (!clinic) throw new Error('clinic is not set up');
    const mail = await template(job, { ...mailDeps, clinic });
    return mail && framed(job, clinic, mail, deps.publicUrl, messageDomain);
  };
}

function framed(
  job: OutboxJob,
  clinic: Clinic,
  mail: RenderedMail,
  publicUrl: string,
  messageDomain: string,
): OutgoingMail {
  // Emails are read away from the site, so the logo's URL is absolute (PUBLIC_URL).
  const logo = logoPath(clinic.brand);
  const html = renderDocument(
    <EmailLayout
      clinic={clinic}
      preheader={mail.preheader}
      reason={mail.reason}
      logoUrl={logo ? `${publicUrl}${logo}` : undefined}
    >
      {mail.body}
    </EmailLayout>,
  );
  const text = `${mail.text}\n\n--\n${clinic.name} · ${clinic.phone}\n${mail.reason} In an emergency call 911; for a mental health crisis call or text 988.\n`;
  return {
    to: mail.to,
    subject: mail.subject,
    html,
    text,
    messageId: `<${job.id}@${messageDomain}>`,
    ...(mail.ics ? { ics: mail.ics } : {}),
  };
}
