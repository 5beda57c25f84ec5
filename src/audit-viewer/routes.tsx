import type { FastifyInstance } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../kernel/db/schema.ts';
import { auditStaff } from '../kernel/audit/staff-audit.ts';
import { renderDocument } from '../kernel/ui/jsx.ts';
import { MAX_DETAIL_STRING, type AuditDetail } from '../kernel/audit/audit.ts';
import { toCsv } from '../kernel/audit/csv.ts';
import { AuditPage, type AuditFilterValues, type AuditListRow } from './views.tsx';
import { PATIENT_ROLE } from '../kernel/audit/patient-audit.ts';

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_LIMIT = 50_000;
const DAY_MS = 24 * 3_600_000;
const MAX_PAGE = 10_000;

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = (max: number) => z.preprocess(blank, z.string().trim().max(max, `At most ${max} characters.`).optional());

function dayStart(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : undefined;
}

const utcDay = z.preprocess(
  blank,
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates look like 2026-03-10.')
    .refine((v) => dayStart(v) !== undefined, 'That date does not exist.')
    .optional(),
);

const auditQuery = z.object({
  person: text(MAX_DETAIL_STRING),
  patient_ref: text(100),
  action: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .max(64)
      .regex(/^[a-z0-9_.-]+$/i, 'Actions look like lead.view or sign_in.')
      .transform((v) => v.toLowerCase())
      .optional(),
  ),
  from: utcDay,
  to: utcDay,
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(MAX_PAGE).optional()),
  /** The newest event the first page showed: later pages read the trail as it stood then (see the viewer). */
  upto: z.preprocess(blank, z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()),
});
type AuditQuery = z.infer<typeof auditQuery>;

function filterValues(q: AuditQuery): AuditFilterValues {
  return { person: q.person, patient_ref: q.patient_ref, action: q.action, from: q.from, to: q.to };
}

/** The filters as a query string, for pager and CSV links (absent filters left out). */
function queryString(filters: AuditFilterValues, page?: number, upto?: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters) as Array<[string, string | undefined]>)
    if (value !== undefined) params.set(key, value);
  if (page !== undefined && page > 1) params.set('page', String(page));
  if (upto !== undefined && page !== undefined) params.set('upto', String(upto));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** What the event about this viewing records: the filters used (ids and dates only, never patient text). */
function filterDetail(filters: AuditFilterValues): AuditDetail {
  const detail: AuditDetail = {};
  for (const [key, value] of Object.entries(filters) as Array<[string, string | undefined]>)
    if (value !== undefined) detail[key] = value;
  return detail;
}

/** Events matching the filters, newest first, with the actor's name and email where the actor is a user. */
function filteredEvents(db: Kysely<DB>, filters: AuditFilterValues) {
  let q = db
    .selectFrom('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select([
      'e.seq',
      'e.at',
      'e.actor_id',
      'e.actor_role',
      'e.location_id',
      'e.patient_ref',
      'e.action',
      'e.outcome',
      'e.ip',
      'e.detail',
      'e.prev_hash',
      'e.hash',
      'u.name as actor_name',
      'u.email as actor_email',
    ]);
  const { person, patient_ref, action, from, to } = filters;
  if (person !== undefined && person.toLowerCase() === PATIENT_ROLE) {
    // Patients' self-service events carry the role and no user id.
    q = q.where('e.actor_role', '=', PATIENT_ROLE).where('e.actor_id', 'is', null);
  } else if (person !== undefined) {
    // An email address (matched without regard to case) or a user id.
    const needle = person.toLowerCase();
    q = q.where((eb) =>
      eb.or([
        eb('e.actor_id', '=', person),
        eb(
          'e.actor_id',
          'in',
          eb
            .selectFrom('users')
            .select('users.id')
            .where(sql<string>`lower(${sql.ref('users.email')})`, '=', needle),
        ),
      ]),
    );
  }
  if (patient_ref !== undefined) {
    // Events are filed under the request until a booking makes a patient; a patient id finds both.
    q = q.where((eb) =>
      eb.or([
        eb('e.patient_ref', '=', patient_ref),
        eb(
          'e.patient_ref',
          'in',
          eb
            .selectFrom('consultation_requests')
            .select('consultation_requests.id')
            .where('consultation_requests.patient_id', '=', patient_ref),
        ),
      ]),
    );
  }
  if (action !== undefined) {
    // "lead" matches lead itself and every "lead.*" action.
    const prefix = `${action}.`;
    q = q.where((eb) =>
      eb.or([
        eb('e.action', '=', action),
        eb(sql<string>`substr(${sql.ref('e.action')}, 1, ${sql.lit(prefix.length)})`, '=', prefix),
      ]),
    );
  }
  const fromMs = from !== undefined ? dayStart(from) : undefined;
  const toMs = to !== undefined ? dayStart(to) : undefined;
  if (fromMs !== undefined) q = q.where('e.at', '>=', fromMs);
  if (toMs !== undefined) q = q.where('e.at', '<', toMs + DAY_MS);
  return q.orderBy('e.seq', 'desc');
}

function normalise(rows: AuditListRow[]): AuditListRow[] {
  // PostgreSQL bigint arrives as a number already (see database.ts); be explicit for both engines.
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
}

function exportFileName(now: number): string {
  const iso = new Date(now).toISOString();
  return `relief-audit-${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, '')}Z.csv`;
}

export const AUDIT_CSV_HEADER = [
  'seq',
  'at_utc',
  'at_ms',
  'actor_id',
  'actor_email',
  'actor_role',
  'action',
  'outcome',
  'patient_ref',
  'location_id',
  'ip',
  'detail',
  'prev_hash',
  'hash',
];

/** The admin-only audit viewer: a filtered, paged table and a CSV export; each use is itself audited. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/staff/audit',
    { config: { policy: { roles: ['admin'] } }, schema: { querystring: auditQuery } },
    async (req, reply) => {
      const staff = staffOf(req);
      const filters = filterValues(req.query);
      const page = req.query.page ?? 1;
      // Viewing is itself an event, and events keep coming: pages count from a fixed newest event (the trail is
      // append-only, so what lies below it never changes), or each page would repeat the one before's last rows.
      const upto =
        req.query.upto ??
        Number(
          (
            await database.db
              .selectFrom('audit_events')
              .select((eb) => eb.fn.max('seq').as('top'))
              .executeTakeFirst()
          )?.top ?? 0,
        );
      const found = normalise(
        await filteredEvents(database.db, filters)
          .where('e.seq', '<=', upto)
          .limit(AUDIT_PAGE_SIZE + 1)
          .offset((page - 1) * AUDIT_PAGE_SIZE)
          .execute(),
      );
      const hasNext = found.length > AUDIT_PAGE_SIZE;
      const rows = found.slice(0, AUDIT_PAGE_SIZE);

      await database.transact((trx) =>
        auditStaff(
          trx,
          database,
          { staff, ip: req.ip, now: now() },
          'audit.view',
          'success',
          { locationId: null, patientRef: filters.patient_ref ?? null },
          { ...filterDetail(filters), page, rows: rows.length },
        ),
      );

      const page_ = AuditPage({
        staff,
        filters,
        rows,
        page,
        pageSize: AUDIT_PAGE_SIZE,
        prevHref: page > 1 ? `/staff/audit${queryString(filters, page - 1, upto)}` : undefined,
        nextHref: hasNext ? `/staff/audit${queryString(filters, page + 1, upto)}` : undefined,
        csvHref: `/staff/audit.csv${queryString(filters)}`,
        exportLimit: AUDIT_EXPORT_LIMIT,
      });
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderDocument(page_));
    },
  );

  typed.get(
    '/staff/audit.csv',
    { config: { policy: { roles: ['admin'] } }, schema: { querystring: auditQuery } },
    async (req, reply) => {
      const staff = staffOf(req);
      const filters = filterValues(req.query);
      const found = normalise(
        await filteredEvents(database.db, filters)
          .limit(AUDIT_EXPORT_LIMIT + 1)
          .execute(),
      );
      const truncated = found.length > AUDIT_EXPORT_LIMIT;
      const rows = found.slice(0, AUDIT_EXPORT_LIMIT);
      const t = now();

      // Recorded before anything is sent: if the event cannot be written, the data does not leave.
      await database.transact((trx) =>
        auditStaff(
          trx,
          database,
          { staff, ip: req.ip, now: t },
          'audit.export',
          'success',
          { locationId: null, patientRef: filters.patient_ref ?? null },
          { ...filterDetail(filters), rows: rows.length, truncated },
        ),
      );

      const csv = toCsv(
        AUDIT_CSV_HEADER,
        rows.map((r) => [
          r.seq,
          new Date(r.at).toISOString(),
          r.at,
          r.actor_id,
          r.actor_email,
          r.actor_role,
          r.action,
          r.outcome,
          r.patient_ref,
          r.location_id,
          r.ip,
          r.detail,
          r.prev_hash,
          r.hash,
        ]),
      );
      return (
        reply
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="${exportFileName(t)}"`)
          .header('x-content-type-options', 'nosniff')
          .type('text/csv; charset=utf-8')
          // A byte-order mark, so spreadsheet programs read the file as UTF-8.
          .send(`\uFEFF${csv}`)
      );
    },
  );
}
