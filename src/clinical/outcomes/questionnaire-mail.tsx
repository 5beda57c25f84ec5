import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { greeting } from '../../kernel/ui/text.ts';
import { EmailButton } from '../../kernel/outbox/email-frame.tsx';
import type { MailTemplate, MailTemplates } from '../../kernel/outbox/templates.tsx';
import { formatDay } from '../../kernel/time/format.ts';
import { DIARY_LINK_DAYS } from './diary-link.ts';
import { findQuestionnaire, patientFirstName } from './questionnaire-repository.ts';

declare module '../../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: questionnaire id: the follow-up questions by signed link, with the pain diary's link. */
    questionnaire_link: true;
    /** ref: questionnaire id: the one reminder, two days after the first email. */
    questionnaire_reminder: true;
  }
}

const DAY = 24 * 3_600_000;

/**
 * The follow-up questions by signed link. An inbox can be shared, so the email names no condition, treatment or
 * questionnaire: "a few short questions about how you are". The link works until the window closes; the pain
 * diary's link, sent beside it, works for DIARY_LINK_DAYS days. Dropped when the questionnaire was answered,
 * cancelled or closed before the email went out.
 */
function template(reminder: boolean): MailTemplate {
  return async (job, { db, clinic, tokens, publicUrl, now }) => {
    const q = await findQuestionnaire(db, job.ref_id);
    if (!q || (q.status !== 'sent' && q.status !== 'partial') || q.closes_at <= now()) return null;
    const patient = await patientFirstName(db, q.patient_id);
    if (!patient) return null;
    const zone =
      (await db.selectFrom('locations').select('time_zone').where('id', '=', q.location_id).executeTakeFirst())
        ?.time_zone ?? 'UTC';
    const url = `${publicUrl}/questionnaire/${tokens.sign({ purpose: 'questionnaire', ref: q.id, location: q.location_id, expiresAt: q.closes_at })}`;
    const diary = `${publicUrl}/diary/${tokens.sign({ purpose: 'diary', ref: q.patient_id, location: q.location_id, expiresAt: now() + DIARY_LINK_DAYS * DAY })}`;
    const lead = reminder
      ? 'A reminder: a few short questions about how you are are waiting for you. They take a few minutes; answers you have already saved are kept.'
      : 'Please answer a few short questions about how you are. They take a few minutes, and your answers help your care team see how things are going.';
    const until = `The link is private to you and works until ${formatDay(q.closes_at - 1, zone)}.`;
    const diaryLine = `If you like, you can also note your pain each day between visits: ${diary} (this link works for ${DIARY_LINK_DAYS} days).`;
    return {
      to: patient.email,
      subject: reminder ? `Reminder: a few questions from ${clinic.name}` : `A few questions from ${clinic.name}`,
      preheader: 'A few short questions about how you are.',
      body: (
        <Fragment>
          <p>{greeting(patient.first_name)}</p>
          <p>{lead}</p>
          <EmailButton accent={clinic.brand.accent} href={url}>
            Answer the questions
          </EmailButton>
          <p>{until}</p>
          <p>
            If you like, you can also <a href={diary}>note your pain each day</a> between visits (this link works for{' '}
            {DIARY_LINK_DAYS} days).
          </p>
        </Fragment>
      ),
      text: `${greeting(patient.first_name)}\n\n${lead}\n\n${url}\n\n${until}\n\n${diaryLine}`,
      reason: 'This message was sent because you are being treated at our clinic.',
    };
  };
}

export const questionnaireEmails = {
  questionnaire_link: template(false),
  questionnaire_reminder: template(true),
} satisfies MailTemplates;
