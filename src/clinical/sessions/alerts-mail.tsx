import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { greeting } from '../../kernel/ui/text.ts';
import { EmailButton } from '../../kernel/outbox/email-frame.tsx';
import type { MailTemplate, MailTemplates } from '../../kernel/outbox/templates.tsx';
import { findAlert } from './alerts-repository.ts';
import { sessionHref } from './views.tsx';

declare module '../../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: "<provider's user id> <alert id>": an alert of a session waits unacknowledged past its N minutes. */
    session_alert_escalation: true;
  }
}

/**
 * To the supervising provider: an alert at a chair is waiting. An inbox can be read by others, so the message names
 * only the location and the chair, never the patient or the reading; the link is to the session page, behind
 * sign-in, by ids. Dropped when the alert was acknowledged before it went out, or the account is disabled.
 */
const escalation: MailTemplate = async (job, { db, clinic, publicUrl }) => {
  const [userId, alertId] = job.ref_id.split(' ');
  if (!userId || !alertId) return null;
  const [to, alert] = await Promise.all([
    db
      .selectFrom('users')
      .select(['email', 'name'])
      .where('id', '=', userId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst(),
    findAlert(db, alertId),
  ]);
  if (!to || !alert || alert.acknowledged_at !== null) return null;
  const where = await db
    .selectFrom('infusion_sessions as s')
    .innerJoin('appointments as a', 'a.id', 's.appointment_id')
    .innerJoin('locations as l', 'l.id', 's.location_id')
    .leftJoin('rooms as r', 'r.id', 'a.room_id')
    .select(['s.id', 's.patient_id', 'l.name as location', 'r.name as chair'])
    .where('s.id', '=', alert.session_id)
    .executeTakeFirst();
  if (!where) return null;
  const first = to.name.split(' ')[0];
  const place = where.chair ? `${where.location}, ${where.chair}` : where.location;
  const url = `${publicUrl}${sessionHref(where.patient_id, where.id)}`;
  const line = `An alert at ${place} is waiting for an acknowledgement. Please open Relief.`;
  return {
    to: to.email,
    subject: `An alert at ${place} is waiting`,
    preheader: 'Open the session in Relief.',
    body: (
      <Fragment>
        <p>{greeting(first)}</p>
        <p>{line}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          Open the session
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(first)}\n\n${line}\n\n${url}`,
    reason: `This message was sent because you are a provider at ${clinic.name}.`,
  };
};

export const sessionAlertEmails = { session_alert_escalation: escalation } satisfies MailTemplates;
