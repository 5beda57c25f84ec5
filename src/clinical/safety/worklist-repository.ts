/** The safety worklist's reads, and the two changes an alert or flag may have: taken by a provider, and closed once. */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export type FlagState = 'open' | 'in_review' | 'closed';

export interface WorklistRow {
  id: string;
  patient_id: string;
  first_name: string;
  last_name: string;
  location_id: string;
  location_name: string;
  time_zone: string;
  kind: string;
  source: string;
  source_id: string | null;
  level: 'alert' | 'urgent';
  holds: boolean;
  detail: Record<string, string | number> | null;
  raised_at: number;
  owner_name: string | null;
  owned_at: number | null;
  resolved_by_name: string | null;
  resolved_at: number | null;
  action: string | null;
  assessment: string | null;
  state: FlagState;
}

export interface WorklistFilter {
  locationIds: readonly string[];
  kind?: string | undefined;
  /** 'active' = open or in review. */
  state: FlagState | 'active';
}

const num = (v: unknown) => Number(v);
const maybe = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function base(db: Kysely<DB>) {
  return db
    .selectFrom('clinical_alerts as a')
    .innerJoin('patients as p', 'p.id', 'a.patient_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .leftJoin('users as o', 'o.id', 'a.owner_id')
    .leftJoin('users as r', 'r.id', 'a.resolved_by')
    .select([
      'a.id',
      'a.patient_id',
      'p.first_name',
      'p.last_name',
      'a.location_id',
      'l.name as location_name',
      'l.time_zone',
      'a.kind',
      'a.source',
      'a.source_id',
      'a.level',
      'a.holds',
      'a.detail',
      'a.raised_at',
      'o.name as owner_name',
      'a.owned_at',
      'r.name as resolved_by_name',
      'a.resolved_at',
      'a.action',
      'a.assessment',
    ]);
}

type Raw = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];

function row(r: Raw): WorklistRow {
  const resolvedAt = maybe(r.resolved_at);
  const ownedAt = maybe(r.owned_at);
  return {
    ...r,
    holds: num(r.holds) === 1,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, string | number>) : null,
    raised_at: num(r.raised_at),
    owned_at: ownedAt,
    resolved_at: resolvedAt,
    state: resolvedAt !== null ? 'closed' : ownedAt !== null ? 'in_review' : 'open',
  };
}

/** The flags at these locations matching the filter: holds and urgent first, then the longest wait. */
export async function worklistRows(db: Kysely<DB>, filter: WorklistFilter, limit = 500): Promise<WorklistRow[]> {
  if (filter.locationIds.length === 0) return [];
  let q = base(db).where('a.location_id', 'in', [...filter.locationIds]);
  if (filter.kind) q = q.where('a.kind', '=', filter.kind);
  if (filter.state === 'closed') q = q.where('a.resolved_at', 'is not', null);
  else q = q.where('a.resolved_at', 'is', null);
  if (filter.state === 'open') q = q.where('a.owned_at', 'is', null);
  if (filter.state === 'in_review') q = q.where('a.owned_at', 'is not', null);
  q =
    filter.state === 'closed'
      ? q.orderBy('a.resolved_at', 'desc')
      : q.orderBy('a.holds', 'desc').orderBy('a.level', 'desc').orderBy('a.raised_at', 'asc');
  const rows = await q.orderBy('a.id', 'asc').limit(limit).execute();
  return rows.map(row);
}

export async function worklistRow(db: Kysely<DB>, id: string): Promise<WorklistRow | undefined> {
  const r = await base(db).where('a.id', '=', id).executeTakeFirst();
  return r && row(r);
}

/** Takes an open flag for review (or over from another provider); false once it is closed. */
export async function takeFlagRow(trx: Kysely<DB>, id: string, userId: string, now: number): Promise<boolean> {
  const result = await trx
    .updateTable('clinical_alerts')
    .set({ owner_id: userId, owned_at: now })
    .where('id', '=', id)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The one writer of an alert's closing columns (on either worklist): who, when, the assessment and the action, once
 * (the database keeps a closed alert unchanged); false when it was already closed.
 */
export async function closeAlertRow(
  trx: Kysely<DB>,
  id: string,
  close: { by: string; assessment: string; action: string; now: number },
): Promise<boolean> {
  const result = await trx
    .updateTable('clinical_alerts')
    .set({ resolved_by: close.by, resolved_at: close.now, assessment: close.assessment, action: close.action })
    .where('id', '=', id)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
