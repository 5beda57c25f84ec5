import type { AuditDetail } from '../kernel/audit/audit.ts';
import { auditStaff, type Actor } from '../kernel/audit/staff-audit.ts';
import { listLocations } from '../kernel/clinic.ts';
import { isUniqueViolation } from '../kernel/db/database.ts';
import {
  grantBreakGlass,
  listOpenSessions,
  openSessionOwner,
  revokeSession,
  revokeUserSessions,
} from '../kernel/http/sessions.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { notFound, Refusal } from '../kernel/refusal.ts';
import type { NewAccount } from './admin-schema.ts';
import type { StaffDeps } from './deps.ts';
import { activeAdminIds, listUsers, setDisabledAt, userLocationLinks } from './repository.ts';
import { authLinkToken, createAuthLink, insertUser } from './users.ts';

/** Administration of staff accounts and sessions (admins), and emergency access (providers). */

export const BREAK_GLASS_MS = 60 * 60_000;
const NO_ACTION = { locationId: null, patientRef: null };

/** Every account with the names of its locations, and the clinic's locations to choose from. */
export async function accountsOverview(deps: StaffDeps) {
  const db = deps.database.db;
  const [users, links, allLocations] = await Promise.all([listUsers(db), userLocationLinks(db), listLocations(db)]);
  const names = new Map(allLocations.map((l) => [l.id, l.name]));
  const users_ = users.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    mfa: u.totp_enabled_at !== null,
    disabled: u.disabled_at !== null,
    locations: links.flatMap((l) =>
      l.user_id === u.id && names.has(l.location_id) ? [names.get(l.location_id)!] : [],
    ),
  }));
  return { users: users_, locations: allLocations.map((l) => ({ id: l.id, name: l.name })) };
}

/**
 * A new account, with an enrolment link mailed to it (and returned, for the admin to hand over). Admins work at
 * every location; everyone else at one or more chosen ones.
 */
export async function createAccount(
  deps: StaffDeps,
  actor: Actor,
  input: NewAccount,
): Promise<{ ok: true; link: string } | Refusal> {
  const { database, config } = deps;
  const locations = await listLocations(database.db);
  const errors: Record<string, string> = {};
  const chosen = input.locations;
  if (chosen.some((id) => !locations.some((l) => l.id === id))) errors.locations = 'Choose locations from the list.';
  if (input.role !== 'admin' && chosen.length === 0) errors.locations = 'Choose at least one location.';
  if (Object.keys(errors).length) return new Refusal('invalid_request', 'Check the form.', errors);
  try {
    const link = await database.transact(async (trx) => {
      const locationIds = input.role === 'admin' ? locations.map((l) => l.id) : chosen;
      const id = await insertUser(
        trx,
        { email: input.email, name: input.name, role: input.role, locationIds },
        actor.now,
      );
      const { rowId } = await createAuthLink(trx, config.secret, id, 'enrol', actor.now);
      await enqueue(trx, { kind: 'staff_enrolment', refId: rowId, runAt: actor.now }, actor.now);
      await auditStaff(trx, database, actor, 'user.create', 'success', NO_ACTION, { user: id, role: input.role });
      return `${config.publicUrl}/staff/welcome/${authLinkToken(config.secret, rowId)}`;
    });
    deps.onOutbox?.();
    return { ok: true, link };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const email = 'There is already an account with this email.';
    return new Refusal('invalid_request', email, { email });
  }
}

/**
 * Disables or enables an account. Disabling ends every session of that person at once. An admin's own account is
 * left as it is (nothing happens), so nobody locks themselves out.
 */
export async function setAccountDisabled(
  deps: StaffDeps,
  actor: Actor,
  userId: string,
  action: 'disable' | 'enable',
): Promise<{ ok: true } | Refusal> {
  if (userId === actor.staff.userId) return { ok: true };
  const { database } = deps;
  const done = await database.transact(async (trx) => {
    if (!(await setDisabledAt(trx, userId, action === 'disable' ? actor.now : null))) return false;
    // Disabling ends every session of that person at once.
    if (action === 'disable') await revokeUserSessions(trx, userId, actor.now);
    await auditStaff(trx, database, actor, `user.${action}`, 'success', NO_ACTION, { user: userId });
    return true;
  });
  return done ? { ok: true } : notFound('That account');
}

/** Sessions in use now, most recently active first; emergency access shown only while it lasts. */
export async function openSessions(deps: StaffDeps) {
  const t = deps.now();
  const rows = await listOpenSessions(deps.database.db, t, deps.config.sessionIdleMs);
  return rows.map((r) => ({
    idHash: r.id_hash,
    name: r.name,
    email: r.email,
    role: r.role,
    ip: r.ip,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    breakGlassUntil: r.break_glass_until !== null && r.break_glass_until > t ? r.break_glass_until : null,
    breakGlassReason: r.break_glass_reason,
  }));
}

/** Ends someone's session; not found when there is no open session with that id (recorded as a failure). */
export async function endSession(deps: StaffDeps, actor: Actor, idHash: string): Promise<{ ok: true } | Refusal> {
  const { database } = deps;
  const ended = await database.transact(async (trx) => {
    const owner = await openSessionOwner(trx, idHash);
    // Decided by the update itself: two admins ending one session at once (PostgreSQL lets both read it open).
    const userId = owner !== undefined && (await revokeSession(trx, idHash, actor.now)) ? owner : undefined;
    const outcome = userId !== undefined ? 'success' : 'failure';
    const detail: AuditDetail = userId !== undefined ? { user: userId } : { reason: 'no_open_session' };
    await auditStaff(trx, database, actor, 'session.end', outcome, NO_ACTION, detail);
    return userId !== undefined;
  });
  return ended ? { ok: true } : notFound('That session');
}

/**
 * Emergency access for an hour: a provider may open records outside their locations, audited and flagged. The
 * reason must say what the emergency is, in 10 to 200 characters.
 */
export async function breakGlass(deps: StaffDeps, actor: Actor, reason: string): Promise<{ ok: true } | Refusal> {
  if (reason.length < 10 || reason.length > 200) {
    const message = 'Describe the emergency in 10 to 200 characters.';
    return new Refusal('invalid_request', message, { reason: message });
  }
  const { database } = deps;
  // The reason goes into the append-only trail: the session keeps only the latest one, and a second request
  // (to extend the hour) must not erase the justification for the first.
  await database.transact(async (trx) => {
    await grantBreakGlass(trx, actor.staff.sessionIdHash, actor.now + BREAK_GLASS_MS, reason);
    const detail = { minutes: BREAK_GLASS_MS / 60_000, reason };
    await auditStaff(trx, database, actor, 'break_glass', 'success', NO_ACTION, detail);
    // The page promises that administrators are told at once; each gets a notice, once per grant.
    // A second request extends the hour with a new reason: that is told too.
    const admins = await activeAdminIds(trx);
    if (admins.length)
      await enqueue(
        trx,
        admins.map((id) => ({
          kind: 'emergency_access_notice' as const,
          refId: `${id} ${actor.staff.sessionIdHash}`,
          runAt: actor.now,
          dedupeKey: `emergency-access:${id}:${actor.staff.sessionIdHash}:${actor.now}`,
        })),
        actor.now,
      );
  });
  return { ok: true };
}
