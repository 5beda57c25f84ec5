import { randomUUID } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';

/**
 * The patient behind a consultation request, created on first booking and matched afterwards by the key
 * (lower(email), phone): the same person booking twice, or from two requests, is one patient. Runs inside the
 * booking transaction; the insert tolerates a concurrent one for the same person on both engines (on conflict do
 * nothing, then select: on PostgreSQL the second insert waits for the first to commit, then reads its row).
 * Returns undefined when the request does not exist.
 */
export async function matchOrCreatePatient(
  trx: Kysely<DB>,
  requestId: string,
  now: number,
): Promise<string | undefined> {
  // One statement in the common case (a new person): the row is copied from the request inside the database.
  const inserted = await trx
    .insertInto('patients')
    .columns([
      'id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'contact_method',
      'location_id',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom('consultation_requests')
        .select([
          sql<string>`cast(${randomUUID()} as text)`.as('id'),
          'first_name',
          'last_name',
          'email',
          'phone',
          'contact_method',
          'location_id',
          sql<number>`cast(${now} as bigint)`.as('created_at'),
          sql<number>`cast(${now} as bigint)`.as('updated_at'),
        ])
        // (SQLite needs a WHERE here to tell the upsert's ON CONFLICT from a join constraint; this one is required anyway.)
        .where('id', '=', requestId),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await trx
    .selectFrom('consultation_requests as r')
    .innerJoin('patients as p', (join) =>
      join.on(sql<string>`lower(p.email)`, '=', sql<string>`lower(r.email)`).onRef('p.phone', '=', 'r.phone'),
    )
    .select('p.id')
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  return existing?.id;
}

/** The patient a request's person is (or will be, on booking): its own link, else the same (lower(email), phone). */
export async function patientOfRequest(
  db: Kysely<DB>,
  request: { patient_id: string | null; email: string; phone: string },
): Promise<string | undefined> {
  if (request.patient_id) return request.patient_id;
  const row = await db
    .selectFrom('patients')
    .select('id')
    .where(sql<string>`lower(email)`, '=', request.email.toLowerCase())
    .where('phone', '=', request.phone)
    .executeTakeFirst();
  return row?.id;
}

export const PATIENT_SEARCH_LIMIT = 50;

/** 'all' for people who may see every location (admins, emergency access). */
export type LocationScope = string[] | 'all';

/** Escapes LIKE wildcards; used with `escape '\'`. */
const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The patient is linked to one of these locations: home, or a request or appointment there. */
function linkedTo(eb: ExpressionBuilder<DB, 'patients'>, ids: string[]): Expression<SqlBool> {
  return eb.or([
    eb('patients.location_id', 'in', ids),
    eb.exists(
      eb
        .selectFrom('consultation_requests as r')
        .select('r.id')
        .whereRef('r.patient_id', '=', 'patients.id')
        .where('r.location_id', 'in', ids),
    ),
    eb.exists(
      eb
        .selectFrom('appointments as a')
        .select('a.id')
        .whereRef('a.patient_id', '=', 'patients.id')
        .where('a.location_id', 'in', ids),
    ),
  ]);
}

export interface PatientListRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  location_name: string;
}

/** Patients whose name, email or phone contains the text, within the scope; one row more than the limit tells there are more. */
export async function searchPatients(db: Kysely<DB>, scope: LocationScope, text: string): Promise<PatientListRow[]> {
  if (scope !== 'all' && scope.length === 0) return [];
  const like = likeText(text.toLowerCase());
  const digits = text.replace(/\D/g, '');
  const phoneLike = digits.length >= 3 && /^[\d\s().+-]+$/.test(text) ? likeText(digits) : undefined;
  let query = db
    .selectFrom('patients')
    .innerJoin('locations as l', 'l.id', 'patients.location_id')
    .select([
      'patients.id',
      'patients.first_name',
      'patients.last_name',
      'patients.email',
      'patients.phone',
      'l.name as location_name',
    ])
    .where((eb) =>
      eb.or([
        sql<SqlBool>`search_fold(patients.first_name || ' ' || patients.last_name) like ${like} escape '\\'`,
        sql<SqlBool>`search_fold(patients.last_name || ' ' || patients.first_name) like ${like} escape '\\'`,
        sql<SqlBool>`search_fold(patients.email) like ${like} escape '\\'`,
        ...(phoneLike ? [sql<SqlBool>`patients.phone like ${phoneLike} escape '\\'`] : []),
      ]),
    );
  if (scope !== 'all') query = query.where((eb) => linkedTo(eb, scope));
  return query
    .orderBy('patients.last_name')
    .orderBy('patients.first_name')
    .orderBy('patients.id')
    .limit(PATIENT_SEARCH_LIMIT + 1)
    .execute();
}

export async function findPatient(db: Kysely<DB>, id: string) {
  const row = await db
    .selectFrom('patients')
    .innerJoin('locations as l', 'l.id', 'patients.location_id')
    .selectAll('patients')
    .select('l.name as location_name')
    .where('patients.id', '=', id)
    .executeTakeFirst();
  return row && { ...row, created_at: Number(row.created_at), updated_at: Number(row.updated_at) };
}
export type Patient = NonNullable<Awaited<ReturnType<typeof findPatient>>>;

/** Every location the patient is linked to (home, requests, appointments). */
export async function patientLocationIds(db: Kysely<DB>, patient: Patient): Promise<string[]> {
  const rows = await db
    .selectFrom('consultation_requests')
    .select('location_id')
    .where('patient_id', '=', patient.id)
    .union(db.selectFrom('appointments').select('location_id').where('patient_id', '=', patient.id))
    .execute();
  return [...new Set([patient.location_id, ...rows.map((r) => r.location_id)])];
}

const inScope = <T extends { location_id: string }>(rows: T[], scope: LocationScope) =>
  scope === 'all' ? rows : rows.filter((r) => scope.includes(r.location_id));

export async function patientAppointments(db: Kysely<DB>, patientId: string, scope: LocationScope) {
  const rows = await db
    .selectFrom('appointments as a')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .leftJoin('clinicians as p', 'p.id', 'a.provider_id')
    .leftJoin('clinicians as n', 'n.id', 'a.nurse_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .select((eb) => [
      'a.id',
      'a.location_id',
      'a.starts_at',
      'a.status',
      'a.attendance',
      't.name as type_name',
      // Who the person sees: the provider, or for an infusion the nurse.
      eb.fn.coalesce('p.name', 'n.name').as('provider_name'),
      'l.name as location_name',
      'l.time_zone',
    ])
    .where('a.patient_id', '=', patientId)
    .orderBy('a.starts_at', 'desc')
    .execute();
  return inScope(rows, scope).map((r) => ({ ...r, starts_at: Number(r.starts_at) }));
}
export type PatientAppointment = Awaited<ReturnType<typeof patientAppointments>>[number];

export async function patientRequests(db: Kysely<DB>, patientId: string, scope: LocationScope) {
  const rows = await db
    .selectFrom('consultation_requests as r')
    .innerJoin('locations as l', 'l.id', 'r.location_id')
    .select(['r.id', 'r.location_id', 'r.reason', 'r.status', 'r.created_at', 'l.name as location_name', 'l.time_zone'])
    .where('r.patient_id', '=', patientId)
    .orderBy('r.created_at', 'desc')
    .execute();
  return inScope(rows, scope).map((r) => ({ ...r, created_at: Number(r.created_at) }));
}
export type PatientRequest = Awaited<ReturnType<typeof patientRequests>>[number];

/** The front desk's notes and contact log of these requests, newest first. */
export async function requestNotes(db: Kysely<DB>, requestIds: string[]) {
  if (requestIds.length === 0) return [];
  const rows = await db
    .selectFrom('request_notes as n')
    .innerJoin('users as u', 'u.id', 'n.author_id')
    .select(['n.id', 'n.request_id', 'n.kind', 'n.body', 'n.created_at', 'u.name as author_name'])
    .where('n.request_id', 'in', requestIds)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}
export type PatientNote = Awaited<ReturnType<typeof requestNotes>>[number];

/** A person behind an audit event's reference: a patient, or a consultation request's sender. */
export interface RefName {
  ref: string;
  kind: 'patient' | 'request';
  first_name: string;
  last_name: string;
}

/**
 * The people behind patient or request references (the audit trail files events under either) within the scope: a
 * patient linked to one of its locations, a request made at one of them.
 */
export async function namesForRefs(db: Kysely<DB>, refs: string[], scope: LocationScope): Promise<RefName[]> {
  if (refs.length === 0 || (scope !== 'all' && scope.length === 0)) return [];
  let patients = db
    .selectFrom('patients')
    .select(['patients.id as ref', 'patients.first_name', 'patients.last_name'])
    .where('patients.id', 'in', refs);
  if (scope !== 'all') patients = patients.where((eb) => linkedTo(eb, scope));
  let requests = db
    .selectFrom('consultation_requests as r')
    .select(['r.id as ref', 'r.first_name', 'r.last_name'])
    .where('r.id', 'in', refs);
  if (scope !== 'all') requests = requests.where('r.location_id', 'in', scope);
  const [p, r] = await Promise.all([patients.execute(), requests.execute()]);
  return [
    ...p.map((row) => ({ ...row, kind: 'patient' as const })),
    ...r.map((row) => ({ ...row, kind: 'request' as const })),
  ];
}
