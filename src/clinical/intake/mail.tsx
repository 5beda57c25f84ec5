import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { greeting } from '../../kernel/ui/text.ts';
import { EmailButton } from '../../kernel/outbox/email-frame.tsx';
import type { MailTemplate, MailTemplates } from '../../kernel/outbox/templates.tsx';
import { intakeLinkExpiry, INTAKE_LINK_DAYS } from './intake-service.ts';
import { appointmentStart, findAlert, findIntake, patientContact } from './repository.ts';

declare module '../../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: "<intake id> <appointment id> <location id>": the pre-visit questions and documents, by signed link. */
    intake_link: true;
    /** ref: "<provider's user id> <alert id>": a safety alert waits on the worklist. */
    safety_review: true;
  }
}

/**
 * The link to the pre-visit questions. An inbox can be shared, so the email names no condition, treatment or
 * questionnaire: "a few questions about your health and the clinic's forms". The link is signed at send time and
 * stays valid 14 days, or until a day after the visit when that is later. Dropped once the intake is sent.
 */
const intakeLink: MailTemplate = async (job, { db, clinic, tokens, publicUrl, now }) => {
  const [intakeId, appointmentId, locationId] = job.ref_id.split(' ');
  if (!intakeId || !appointmentId || !locationId) return null;
  const intake = await findIntake(db, intakeId);
  if (intake?.status !== 'open') return null;
  const [patient, visit] = await Promise.all([
    patientContact(db, intake.patient_id),
    appointmentStart(db, appointmentId),
  ]);
  if (!patient) return null;
  const expiresAt = intakeLinkExpiry(now(), visit?.starts_at);
  const url = `${publicUrl}/intake/${tokens.sign({ purpose: 'intake', ref: intake.id, location: locationId, expiresAt })}`;
  const lead =
    'Before your first visit, please answer a few questions about your health and read and sign our forms. It takes about 15 minutes; your answers are saved as you go, so you can stop and come back with the same link.';
  const validity = `The link is private to you and works for ${INTAKE_LINK_DAYS} days, or until the day after your visit if that is later.`;
  return {
    to: patient.email,
    subject: `Before your visit with ${clinic.name}`,
    preheader: 'A few questions and forms to complete before your visit.',
    body: (
      <Fragment>
        <p>{greeting(patient.first_name)}</p>
        <p>{lead}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          Start the questions
        </EmailButton>
        <p>{validity}</p>
      </Fragment>
    ),
    text: `${greeting(patient.first_name)}\n\n${lead}\n\n${url}\n\n${validity}`,
    reason: 'This message was sent because you booked a visit with us.',
  };
};

/**
 * To each provider of the patient's location: a patient's answer needs a safety review. No name, no answer, no
 * location: only a link to the worklist, behind sign-in. Dropped when the alert was closed before it went out, or
 * the account is disabled.
 */
const safetyReview: MailTemplate = async (job, { db, clinic, publicUrl }) => {
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
  if (!to || !alert || alert.resolved_at !== null) return null;
  const first = to.name.split(' ')[0];
  const url = `${publicUrl}/staff/worklist`;
  const line = 'A patient needs a safety review in Relief. Please open the worklist and record your assessment.';
  return {
    to: to.email,
    subject: 'A patient needs a safety review in Relief',
    preheader: 'Open the worklist to review it.',
    body: (
      <Fragment>
        <p>{greeting(first)}</p>
        <p>{line}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          Open the worklist
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(first)}\n\n${line}\n\n${url}`,
    reason: `This message was sent because you are a provider at ${clinic.name}.`,
  };
};

export const intakeEmails = { intake_link: intakeLink, safety_review: safetyReview } satisfies MailTemplates;
