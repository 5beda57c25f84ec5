import type { FastifyInstance, FastifyReply } from 'fastify';
import { html } from '../kernel/http/reply.ts';
import { z } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import { isUniqueViolation } from '../kernel/db/database.ts';
import type { Role } from '../kernel/db/schema.ts';
import { notFound } from '../kernel/refusal.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { BreakGlassPage, SessionsPage, UsersPage } from './admin-views.tsx';
import { ROLES, type StaffContext } from '../kernel/http/policy.ts';
import { revokeSession, revokeUserSessions } from '../kernel/http/sessions.ts';
import { authLinkToken, createAuthLink, insertUser } from './users.ts';

const BREAK_GLASS_MS = 60 * 60_000;
const newUserSchema = z.object({
  name: z
    .string({ error: 'Enter the full name.' })
    .trim()
    .min(2, 'Enter the full name.')
    .max(100, 'Use at most 100 characters.'),
  email: z
    .string({ error: 'Enter a work email.' })
    .trim()
    .toLowerCase()
    .max(254)
    .pipe(z.email('Enter an email address like name@clinic.org.')),
  role: z.enum(ROLES as [Role, ...Role[]], { error: 'Choose a role.' }),
  locations: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

/** Administration of staff accounts and sessions (admins), and emergency access (providers). */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { database, config, now } = app.deps;
  const db = database.db;
  const admin = { policy: { roles: ['admin'] as Role[] } };

  async function usersPage(
    reply: FastifyReply,
    staff: StaffContext,
    extra: Partial<Parameters<typeof UsersPage>[0]> = {},
    status = 200,
  ) {
    const [users, links, locations] = await Promise.all([
      db
        .selectFrom('users')
        .select(['id', 'name', 'email', 'role', 'totp_enabled_at', 'disabled_at'])
        .orderBy('name')
        .execute(),
      db
        .selectFrom('user_locations')
        .innerJoin('locations', 'locations.id', 'user_locations.location_id')
        .select(['user_id', 'locations.name'])
        .execute(),
      db.selectFrom('locations').select(['id', 'name']).orderBy('sort_order').orderBy('name').execute(),
    ]);
    const rows = users.map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: u.role,
      mfa: u.totp_enabled_at !== null,
      disabled: u.disabled_at !== null,
      locations: links.filter((l) => l.user_id === u.id).map((l) => l.name),
    }));
    return html(reply, UsersPage({ staff, users: rows, locations, ...extra }), status);
  }

  app.get('/staff/users', { config: admin }, async (req, reply) => usersPage(reply, req.staff!));

  app.post('/staff/users', { config: admin }, async (req, reply) => {
    const staff = req.staff!;
    const body = (req.body ?? {}) as Record<string, string | string[]>;
    const parsed = newUserSchema.safeParse(body);
    const locations = await db.selectFrom('locations').select('id').execute();
    const errors: Record<string, string> = {};
    if (!parsed.success) for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
    const chosen = parsed.success ? parsed.data.locations : [];
    if (chosen.some((id) => !locations.some((l) => l.id === id))) errors.locations = 'Choose locations from the list.';
    if (parsed.success && parsed.data.role !== 'admin' && chosen.length === 0)
      errors.locations = 'Choose at least one location.';
    if (!parsed.success || Object.keys(errors).length) return usersPage(reply, staff, { values: body, errors }, 400);
    const input = parsed.data;
    try {
      const link = await database.transact(async (trx) => {
        const id = await insertUser(
          trx,
          {
            email: input.email,
            name: input.name,
            role: input.role,
            locationIds: input.role === 'admin' ? locations.map((l) => l.id) : chosen,
          },
          now(),
        );
        const { rowId } = await createAuthLink(trx, config.secret, id, 'enrol', now());
        await enqueue(trx, { kind: 'staff_enrolment', refId: rowId, runAt: now() }, now());
        await appendAudit(
          trx,
          database.engine,
          {
            actorId: staff.userId,
            actorRole: staff.role,
            locationId: null,
            patientRef: null,
            action: 'user.create',
            outcome: 'success',
            ip: req.ip,
            detail: { user: id, role: input.role },
          },
          now(),
        );
        return `${config.publicUrl}/staff/welcome/${authLinkToken(config.secret, rowId)}`;
      });
      app.deps.onOutbox?.();
      return usersPage(reply, staff, { created: { email: input.email, link } });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return usersPage(
        reply,
        staff,
        { values: body, errors: { email: 'There is already an account with this email.' } },
        400,
      );
    }
  });

  const userParams = z.object({ id: z.uuid(), action: z.enum(['disable', 'enable']) });
  app.post('/staff/users/:id/:action', { config: admin }, async (req, reply) => {
    const staff = req.staff!;
    const params = userParams.safeParse(req.params);
    if (!params.success) throw notFound('That account');
    const { id, action } = params.data;
    if (id === staff.userId) return reply.code(303).redirect('/staff/users');
    const done = await database.transact(async (trx) => {
      const res = await trx
        .updateTable('users')
        .set({ disabled_at: action === 'disable' ? now() : null })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      // Disabling ends every session of that person at once.
      if (action === 'disable') await revokeUserSessions(trx, id, now());
      await appendAudit(
        trx,
        database.engine,
        {
          actorId: staff.userId,
          actorRole: staff.role,
          locationId: null,
          patientRef: null,
          action: `user.${action}`,
          outcome: 'success',
          ip: req.ip,
          detail: { user: id },
        },
        now(),
      );
      return true;
    });
    if (!done) throw notFound('That account');
    return reply.code(303).redirect('/staff/users');
  });

  app.get('/staff/sessions', { config: admin }, async (req, reply) => {
    const t = now();
    const rows = await db
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
      .where('sessions.expires_at', '>', t)
      .where('sessions.last_seen_at', '>', t - config.sessionIdleMs)
      .orderBy('sessions.last_seen_at', 'desc')
      .execute();
    const sessions = rows.map((r) => ({
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
    return html(reply, SessionsPage({ staff: req.staff!, sessions }));
  });

  app.post('/staff/sessions/:idHash/end', { config: admin }, async (req, reply) => {
    const staff = req.staff!;
    const idHash = String((req.params as { idHash: string }).idHash);
    if (!/^[0-9a-f]{64}$/.test(idHash)) throw notFound('That session');
    const ended = await database.transact(async (trx) => {
      const open = await trx
        .selectFrom('sessions')
        .select('user_id')
        .where('id_hash', '=', idHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      // Decided by the update itself: two admins ending one session at once (PostgreSQL lets both read it open).
      const session = open && (await revokeSession(trx, idHash, now())) ? open : undefined;
      await appendAudit(
        trx,
        database.engine,
        {
          actorId: staff.userId,
          actorRole: staff.role,
          locationId: null,
          patientRef: null,
          action: 'session.end',
          outcome: session ? 'success' : 'failure',
          ip: req.ip,
          detail: session ? { user: session.user_id } : { reason: 'no_open_session' },
        },
        now(),
      );
      return Boolean(session);
    });
    if (!ended) throw notFound('That session');
    return reply.code(303).redirect('/staff/sessions');
  });

  const provider = { policy: { roles: ['provider'] as Role[] } };
  app.get('/staff/break-glass', { config: provider }, async (req, reply) =>
    html(reply, BreakGlassPage({ staff: req.staff! })),
  );

  app.post('/staff/break-glass', { config: provider }, async (req, reply) => {
    const staff = req.staff!;
    const raw = (req.body as { reason?: unknown } | undefined)?.reason;
    const reason = typeof raw === 'string' ? raw.trim() : '';
    if (reason.length < 10 || reason.length > 200) {
      return html(
        reply,
        BreakGlassPage({
          staff,
          reason: reason.slice(0, 200),
          error: 'Describe the emergency in 10 to 200 characters.',
        }),
        400,
      );
    }
    // The reason goes into the append-only trail: the session keeps only the latest one, and a second request
    // (to extend the hour) must not erase the justification for the first.
    await database.transact(async (trx) => {
      await trx
        .updateTable('sessions')
        .set({ break_glass_until: now() + BREAK_GLASS_MS, break_glass_reason: reason })
        .where('id_hash', '=', staff.sessionIdHash)
        .execute();
      await appendAudit(
        trx,
        database.engine,
        {
          actorId: staff.userId,
          actorRole: staff.role,
          locationId: null,
          patientRef: null,
          action: 'break_glass',
          outcome: 'success',
          ip: req.ip,
          detail: { minutes: BREAK_GLASS_MS / 60_000, reason },
        },
        now(),
      );
    });
    return reply.code(303).redirect('/staff/leads');
  });
}
