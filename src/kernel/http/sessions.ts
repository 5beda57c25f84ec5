import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role, SessionTable } from '../db/schema.ts';

export interface SessionSettings {
  idleMs: number;
  absoluteMs: number;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface LoadedSession {
  session: SessionTable;
  user: { id: string; name: string; email: string; role: Role; disabled_at: number | null };
  locationIds: string[];
}

/** A new session with a fresh random id; only its hash is stored, so a database leak yields no live sessions. */
export async function createSession(
  db: Kysely<DB>,
  input: { userId: string; stage: SessionTable['stage']; ip: string; userAgent: string },
  now: number,
  settings: SessionSettings,
): Promise<{ token: string; idHash: string }> {
  const token = randomBytes(32).toString('base64url');
  const idHash = sha256(token);
  await db
    .insertInto('sessions')
    .values({
      id_hash: idHash,
      user_id: input.userId,
      stage: input.stage,
      csrf_token: randomBytes(24).toString('base64url'),
      created_at: now,
      last_seen_at: now,
      expires_at: now + settings.absoluteMs,
      revoked_at: null,
      break_glass_until: null,
      break_glass_reason: null,
      ip: input.ip.slice(0, 64),
      user_agent: input.userAgent.slice(0, 300),
    })
    .execute();
  return { token, idHash };
}

export async function loadSession(db: Kysely<DB>, token: string): Promise<LoadedSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select(['users.name', 'users.email', 'users.role', 'users.disabled_at'])
    .where('sessions.id_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row) return undefined;
  const locations = await db
    .selectFrom('user_locations')
    .select('location_id')
    .where('user_id', '=', row.user_id)
    .execute();
  const { name, email, role, disabled_at, ...session } = row;
  return {
    session,
    user: { id: row.user_id, name, email, role, disabled_at },
    locationIds: locations.map((l) => l.location_id),
  };
}

/** Why a stored session can no longer be used, or null while it is valid. */
export function sessionProblem(
  loaded: LoadedSession,
  now: number,
  settings: SessionSettings,
): 'revoked' | 'expired' | 'idle' | 'disabled' | null {
  if (loaded.session.revoked_at !== null) return 'revoked';
  if (loaded.user.disabled_at !== null) return 'disabled';
  if (loaded.session.expires_at <= now) return 'expired';
  if (now - loaded.session.last_seen_at >= settings.idleMs) return 'idle';
  return null;
}

export async function touchSession(db: Kysely<DB>, idHash: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

/** Ends a session; true when this call ended it (false: unknown, or already ended). */
export async function revokeSession(db: Kysely<DB>, idHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeUserSessions(db: Kysely<DB>, userId: string, now: number): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Emergency access for one session until `until`; the session keeps only the latest reason. */
export async function grantBreakGlass(db: Kysely<DB>, idHash: string, until: number, reason: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ break_glass_until: until, break_glass_reason: reason })
    .where('id_hash', '=', idHash)
    .execute();
}

/** Whose session this is, while it has not been ended. */
export async function openSessionOwner(db: Kysely<DB>, idHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select('user_id')
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.user_id;
}

/** Sessions still in use (not ended, not expired, not idle), most recently active first, with their people. */
export function listOpenSessions(db: Kysely<DB>, now: number, idleMs: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash',
      'users.name',
      'users.email',
      'users.role',
      'sessions.ip',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.break_glass_until',
      'sessions.break_glass_reason',
    ])
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', now - idleMs)
    .orderBy('sessions.last_seen_at', 'desc')
    .execute();
}

/** Emergency access active now, across all sessions: whose and until when, soonest to end first. */
export function activeEmergencyAccess(db: Kysely<DB>, now: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.name', 'sessions.break_glass_until as until'])
    .where('sessions.break_glass_until', '>', now)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .orderBy('sessions.break_glass_until')
    .execute() as Promise<Array<{ name: string; until: number }>>;
}
