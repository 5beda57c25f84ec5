import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../kernel/db/schema.ts';
import { sha256 } from '../kernel/http/sessions.ts';
import { linkExpiresAt, linkUsable, wellFormedLinkToken, type LinkPurpose } from './sign-in-rules.ts';

export { ENROL_LINK_MS, RESET_LINK_MS } from './sign-in-rules.ts';

/**
 * Enrolment and reset links: the token is HMAC(SECRET, row id), so the outbox can rebuild it at send time from the
 * row id alone, while the database keeps only its SHA-256 (a leaked database yields no usable link).
 */
export function authLinkToken(secret: string, rowId: string): string {
  return createHmac('sha256', secret).update(`relief-auth-link:${rowId}`).digest('base64url');
}

export async function createAuthLink(
  db: Kysely<DB>,
  secret: string,
  userId: string,
  purpose: LinkPurpose,
  now: number,
): Promise<{ rowId: string; token: string }> {
  const rowId = randomUUID();
  const token = authLinkToken(secret, rowId);
  await db
    .insertInto('auth_tokens')
    .values({
      token_hash: sha256(token),
      user_id: userId,
      purpose,
      expires_at: linkExpiresAt(purpose, now),
      used_at: null,
    })
    .execute();
  return { rowId, token };
}

/** The user a link belongs to, if the link is usable now (see linkUsable); does not use it up. */
export async function checkAuthLink(db: Kysely<DB>, token: string, purpose: LinkPurpose, now: number) {
  if (!wellFormedLinkToken(token)) return undefined;
  const link = await db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.id', 'auth_tokens.user_id')
    .select([
      'auth_tokens.token_hash',
      'auth_tokens.purpose',
      'auth_tokens.used_at',
      'auth_tokens.expires_at',
      'users.id',
      'users.email',
      'users.name',
      'users.disabled_at',
    ])
    .where('auth_tokens.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!link || !linkUsable(link, purpose, now)) return undefined;
  return {
    token_hash: link.token_hash,
    id: link.id,
    email: link.email,
    name: link.name,
    disabled_at: link.disabled_at,
  };
}

/** Marks a link used; false when someone used it first. */
export async function useAuthLink(db: Kysely<DB>, tokenHash: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('auth_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  locationIds: string[];
  clinicianId?: string | null;
}

export async function insertUser(
  db: Kysely<DB>,
  user: NewUser,
  now: number,
  passwordHash: string | null = null,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({
      id,
      email: user.email.toLowerCase(),
      name: user.name,
      role: user.role,
      clinician_id: user.clinicianId ?? null,
      password_hash: passwordHash,
      totp_secret: null,
      totp_enabled_at: null,
      last_totp_step: null,
      locked_until: null,
      disabled_at: null,
      created_at: now,
    })
    .execute();
  if (user.locationIds.length) {
    await db
      .insertInto('user_locations')
      .values(user.locationIds.map((location_id) => ({ user_id: id, location_id })))
      .execute();
  }
  return id;
}

export async function findUserByEmail(db: Kysely<DB>, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findUser(db: Kysely<DB>, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
