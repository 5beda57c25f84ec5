import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../kernel/db/schema.ts';
import { sha256 } from '../kernel/http/sessions.ts';

export const ENROL_LINK_MS = 72 * 3_600_000;
export const RESET_LINK_MS = 60 * 60_000;

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
  purpose: 'enrol' | 'reset',
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
      expires_at: now + (purpose === 'enrol' ? ENROL_LINK_MS : RESET_LINK_MS),
      used_at: null,
    })
    .execute();
  return { rowId, token };
}

/** The user a link belongs to, if it is unused and unexpired; does not use it up. */
export async function checkAuthLink(db: Kysely<DB>, token: string, purpose: 'enrol' | 'reset', now: number) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  return db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.id', 'auth_tokens.user_id')
    .select(['auth_tokens.token_hash', 'users.id', 'users.email', 'users.name', 'users.disabled_at'])
    .where('auth_tokens.token_hash', '=', sha256(token))
    .where('auth_tokens.purpose', '=', purpose)
    .where('auth_tokens.used_at', 'is', null)
    .where('auth_tokens.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
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
  providerId?: string | null;
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
      provider_id: user.providerId ?? null,
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

/** Growing pause after failed sign-ins: none for the first three, then 1 s, 2 s, 4 s ... up to 15 minutes. */
export function lockoutMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(1000 * 2 ** (failures - 3), 15 * 60_000);
}
