import type { Kysely } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';
import { CLEARED, type Lockout, type StoredRecoveryCode } from './sign-in-rules.ts';

/**
 * Queries on staff accounts beyond the basics in users.ts: the failure count and pause, TOTP steps, recovery
 * codes, passwords, and the accounts list. Tables: users, user_locations, recovery_codes, auth_tokens, sign_in_pauses.
 */

export async function saveLockout(db: Kysely<DB>, userId: string, lockout: Lockout): Promise<void> {
  await db.updateTable('users').set(lockout).where('id', '=', userId).execute();
}

/** The failure count and pause of one account from one address, if it has failed there. */
export function addressLockout(db: Kysely<DB>, userId: string, ip: string): Promise<Lockout | undefined> {
  return db
    .selectFrom('sign_in_pauses')
    .select(['failed_logins', 'locked_until'])
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .executeTakeFirst();
}

export async function saveAddressLockout(db: Kysely<DB>, userId: string, ip: string, lockout: Lockout): Promise<void> {
  await db
    .insertInto('sign_in_pauses')
    .values({ user_id: userId, ip, ...lockout })
    .onConflict((oc) => oc.columns(['user_id', 'ip']).doUpdateSet(lockout))
    .execute();
}

/** A completed sign-in from an address forgets its failures there. */
export async function clearAddressLockout(db: Kysely<DB>, userId: string, ip: string): Promise<void> {
  await db.deleteFrom('sign_in_pauses').where('user_id', '=', userId).where('ip', '=', ip).execute();
}

/**
 * Stores a TOTP step as the last accepted one and clears the pause; false when the step is no longer fresh.
 * Conditional write: of two requests racing with one code, only one can move the step forward (totpStepFresh in SQL).
 */
export async function acceptTotpStep(db: Kysely<DB>, userId: string, step: number): Promise<boolean> {
  const res = await db
    .updateTable('users')
    .set({ last_totp_step: step, ...CLEARED })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function recoveryCodesOf(db: Kysely<DB>, userId: string): Promise<StoredRecoveryCode[]> {
  return db.selectFrom('recovery_codes').select(['code_hash', 'used_at']).where('user_id', '=', userId).execute();
}

/** Uses up a recovery code; false when it was used meanwhile (the write decides, not the read before it). */
export async function useRecoveryCode(db: Kysely<DB>, userId: string, codeHash: string, now: number) {
  const res = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function saveTotpSecret(db: Kysely<DB>, userId: string, sealedSecret: string): Promise<void> {
  await db.updateTable('users').set({ totp_secret: sealedSecret }).where('id', '=', userId).execute();
}

/** Turns two-step sign-in on with its first accepted step; false when it was already on (only the first counts). */
export async function enableTotp(db: Kysely<DB>, userId: string, step: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('users')
    .set({ totp_enabled_at: now, last_totp_step: step, ...CLEARED })
    .where('id', '=', userId)
    .where('totp_enabled_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The account's recovery codes become exactly these (by hash), all unused. */
export async function replaceRecoveryCodes(db: Kysely<DB>, userId: string, codeHashes: string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
    .execute();
}

/** Ends every outstanding enrolment or reset link of the account. */
export async function endOpenLinks(db: Kysely<DB>, userId: string, now: number): Promise<void> {
  await db
    .updateTable('auth_tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

export async function setPasswordHash(db: Kysely<DB>, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function roleOf(db: Kysely<DB>, userId: string) {
  return (await db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirstOrThrow()).role;
}

/** Sets or clears disabled_at; false when there is no such account. */
export async function setDisabledAt(db: Kysely<DB>, userId: string, disabledAt: number | null): Promise<boolean> {
  const res = await db
    .updateTable('users')
    .set({ disabled_at: disabledAt })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function listUsers(db: Kysely<DB>) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'role', 'totp_enabled_at', 'disabled_at'])
    .orderBy('name')
    .execute();
}

/** Which locations each account works at. */
export function userLocationLinks(db: Kysely<DB>) {
  return db.selectFrom('user_locations').select(['user_id', 'location_id']).execute();
}

/** Administrators whose accounts are in use. */
export async function activeAdminIds(db: Kysely<DB>): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}
