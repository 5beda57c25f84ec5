import type { Kysely } from 'kysely';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { greeting } from '../kernel/ui/text.ts';
import type { DB } from '../kernel/db/schema.ts';
import { sha256 } from '../kernel/http/sessions.ts';
import { EmailButton } from '../kernel/outbox/email-frame.tsx';
import type { MailTemplate, MailTemplates } from '../kernel/outbox/templates.tsx';
import { authLinkToken } from './users.ts';
import { formatDateTime } from '../kernel/time/format.ts';

declare module '../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: an auth_tokens row id, for both (the token is rebuilt from it: see users.ts). */
    staff_enrolment: true;
    staff_password_reset: true;
    /** ref: "<administrator's user id> <session id hash>": one notice per administrator per grant. */
    emergency_access_notice: true;
    /** ref: "<recipient's user id> <account's user id>": the account-wide sign-in limit was reached. */
    sign_in_limit_notice: true;
  }
}

/** The staff member a link was made for, with whether it is still usable. */
async function linkHolder(db: Kysely<DB>, token: string) {
  return db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.id', 'auth_tokens.user_id')
    .select(['users.email', 'users.name', 'auth_tokens.used_at', 'auth_tokens.expires_at'])
    .where('auth_tokens.token_hash', '=', sha256(token))
    .executeTakeFirst();
}

/** Enrolment and password-reset links for staff; the token is rebuilt from the row id (see users.ts). */
const staffLink: MailTemplate = async (job, { db, clinic, now, publicUrl, secret }) => {
  const token = authLinkToken(secret, job.ref_id);
  const row = await linkHolder(db, token);
  if (!row || row.used_at !== null || row.expires_at <= now()) return null;
  const firstName = row.name.split(' ')[0] ?? '';
  const enrol = job.kind === 'staff_enrolment';
  const url = `${publicUrl}/staff/${enrol ? 'welcome' : 'reset'}/${token}`;
  const lines = enrol
    ? [
        `An account has been created for you in ${clinic.name}'s Relief workspace. Choose your password with the link below (valid 72 hours, works once); next you will set up two-step sign-in with an authenticator app.`,
        'Set up my account',
      ]
    : [
        'Someone, hopefully you, asked to reset your staff password. The link below is valid for one hour and works once. You will still need your verification code to sign in. If you did not ask for this, tell your administrator.',
        'Choose a new password',
      ];
  return {
    to: row.email,
    subject: enrol ? `Your ${clinic.name} staff account` : `Reset your ${clinic.name} staff password`,
    preheader: enrol ? 'Set up your staff account.' : 'A link to choose a new password, valid for one hour.',
    body: (
      <Fragment>
        <p>{greeting(firstName)}</p>
        <p>{lines[0]}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          {lines[1]}
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(firstName)}\n\n${lines[0]}\n\n${url}`,
    reason: 'This message was sent about your staff account.',
  };
};

/**
 * Tells an administrator that a provider has started emergency access: who, and until when. Not the reason, which
 * may name a patient; the sessions page and the audit trail have it. Skipped when the administrator's account has
 * been disabled meanwhile.
 */
const emergencyAccessNotice: MailTemplate = async (job, { db, clinic, publicUrl }) => {
  const [adminId, idHash] = job.ref_id.split(' ');
  if (!adminId || !idHash) return null;
  const [admin, grant] = await Promise.all([
    db
      .selectFrom('users')
      .select(['email', 'name'])
      .where('id', '=', adminId)
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .executeTakeFirst(),
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id as user_id', 'users.name', 'sessions.break_glass_until'])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst(),
  ]);
  if (!admin || !grant?.break_glass_until) return null;
  const home = await db
    .selectFrom('user_locations')
    .innerJoin('locations', 'locations.id', 'user_locations.location_id')
    .select('locations.time_zone')
    .where('user_locations.user_id', '=', grant.user_id)
    .orderBy('locations.name')
    .executeTakeFirst();
  const until = formatDateTime(grant.break_glass_until, home?.time_zone ?? 'UTC');
  const url = `${publicUrl}/staff/sessions`;
  const line = `${grant.name} has started emergency access in ${clinic.name}'s Relief workspace: they may open patient records outside their locations until ${until}. Every record they open is audited and flagged. The reason they gave is on the sessions page and in the audit trail.`;
  return {
    to: admin.email,
    subject: `Emergency access started by ${grant.name}`,
    preheader: 'A provider has started emergency access. Review it on the sessions page.',
    body: (
      <Fragment>
        <p>{greeting(admin.name.split(' ')[0])}</p>
        <p>{line}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          Review the sessions
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(admin.name.split(' ')[0])}\n\n${line}\n\n${url}`,
    reason: 'This message was sent to the administrators of the workspace.',
  };
};

/**
 * The account-wide limit of failed sign-ins was reached: to the account holder, and to each administrator. Sign-in
 * from the holder's own usual address is paused too from now on, so both should know why.
 */
const signInLimitNotice: MailTemplate = async (job, { db, clinic, publicUrl }) => {
  const [toId, accountId] = job.ref_id.split(' ');
  if (!toId || !accountId) return null;
  const people = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'disabled_at'])
    .where('id', 'in', [toId, accountId])
    .execute();
  const to = people.find((p) => p.id === toId);
  const account = people.find((p) => p.id === accountId);
  if (!to || !account || to.disabled_at !== null) return null;
  const own = to.id === account.id;
  const line = own
    ? `There have been many failed attempts to sign in to your account in ${clinic.name}'s Relief workspace, from more than one place. Sign-in to your account is paused for 15 minutes after each further failure, wherever it comes from. Your password and your verification code are still both needed to sign in. If this was not you, tell your administrator.`
    : `There have been many failed attempts to sign in to ${account.name}'s account (${account.email}) in ${clinic.name}'s Relief workspace, from more than one place. Sign-in to that account is paused for 15 minutes after each further failure. The attempts are in the audit trail.`;
  const url = own ? `${publicUrl}/staff/sign-in` : `${publicUrl}/staff/audit`;
  const first = to.name.split(' ')[0];
  return {
    to: to.email,
    subject: own ? 'Many failed sign-ins to your staff account' : `Many failed sign-ins to ${account.name}'s account`,
    preheader: 'Sign-in is paused after each further failure.',
    body: (
      <Fragment>
        <p>{greeting(first)}</p>
        <p>{line}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          {own ? 'Sign in' : 'Open the audit trail'}
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(first)}\n\n${line}\n\n${url}`,
    reason: own
      ? 'This message was sent about your staff account.'
      : 'This message was sent to the administrators of the workspace.',
  };
};

export const staffEmails = {
  sign_in_limit_notice: signInLimitNotice,
  staff_enrolment: staffLink,
  staff_password_reset: staffLink,
  emergency_access_notice: emergencyAccessNotice,
} satisfies MailTemplates;
