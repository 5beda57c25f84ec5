/**
 * Failed messages, in view until a person acts: the list (all, or a front desk's locations), retry (one or all:
 * back to pending with a new window), resolve (reached the person another way), and the trouble the staff banner
 * shows. Reads and writes the outbox table only; the mail page and the leads present it.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, FailureClass, OutboxTable } from '../db/schema.ts';

export type FailedMessage = Pick<
  Selectable<OutboxTable>,
  | 'id'
  | 'kind'
  | 'ref_id'
  | 'location_id'
  | 'first_due_at'
  | 'run_at'
  | 'failed_at'
  | 'last_error'
  | 'failure_class'
  | 'attempts'
>;

/** Failed and not yet dealt with; newest first. `locationIds` limits it to those locations' patients' messages. */
export async function failedMessages(
  db: Kysely<DB>,
  options: {
    locationIds?: readonly string[];
    kinds?: readonly string[];
    refIds?: readonly string[];
    limit?: number;
  } = {},
): Promise<FailedMessage[]> {
  let query = db
    .selectFrom('outbox')
    .select([
      'id',
      'kind',
      'ref_id',
      'location_id',
      'first_due_at',
      'run_at',
      'failed_at',
      'last_error',
      'failure_class',
      'attempts',
    ])
    .where('status', '=', 'dead')
    .where('resolved_at', 'is', null);
  if (options.locationIds) {
    if (options.locationIds.length === 0) return [];
    query = query.where('location_id', 'in', [...options.locationIds]);
  }
  if (options.kinds) query = query.where('kind', 'in', [...options.kinds]);
  if (options.refIds) {
    if (options.refIds.length === 0) return [];
    query = query.where('ref_id', 'in', [...options.refIds]);
  }
  return query
    .orderBy('failed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 200)
    .execute();
}

export async function findFailedMessage(db: Kysely<DB>, id: string): Promise<FailedMessage | undefined> {
  return db
    .selectFrom('outbox')
    .select([
      'id',
      'kind',
      'ref_id',
      'location_id',
      'first_due_at',
      'run_at',
      'failed_at',
      'last_error',
      'failure_class',
      'attempts',
    ])
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Sends failed messages again now, with a new retry window: the given ones, or every failed one when `ids` is
 * 'all'. Only failed, unresolved messages move; returns how many did.
 */
export async function retryFailed(trx: Kysely<DB>, ids: readonly string[] | 'all', now: number): Promise<number> {
  if (ids !== 'all' && ids.length === 0) return 0;
  let query = trx
    .updateTable('outbox')
    .set({ status: 'pending', run_at: now, first_due_at: now, attempts: 0, failed_at: null, locked_until: null })
    .where('status', '=', 'dead')
    .where('resolved_at', 'is', null);
  if (ids !== 'all') query = query.where('id', 'in', [...ids]);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A failed message someone dealt with another way: it leaves the lists and the banner, and is kept as it was. */
export async function resolveFailed(
  trx: Kysely<DB>,
  id: string,
  by: string,
  resolution: 'contacted_by_phone',
  now: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('outbox')
    .set({ resolved_at: now, resolved_by: by, resolution })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface MailTrouble {
  /** Failed messages nobody has dealt with yet. */
  failed: number;
  /** When the oldest message still being retried first fell due (null when none is failing). */
  failingSince: number | null;
  /** The class of the most recent failure. */
  cause: FailureClass | null;
}

/** What the staff banner needs: one small read over the failing rows only (the status index). */
export async function mailTrouble(db: Kysely<DB>): Promise<MailTrouble> {
  const [failed, retrying, latest] = await Promise.all([
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'dead')
      .where('resolved_at', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('first_due_at').as('since'))
      .where('status', 'in', ['pending', 'sending'])
      .where('attempts', '>', 0)
      .where('failure_class', 'is not', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('outbox')
      .select('failure_class')
      .where('status', 'in', ['pending', 'sending', 'dead'])
      .where('failure_class', 'is not', null)
      .where('resolved_at', 'is', null)
      .orderBy('run_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return {
    failed: Number(failed.n),
    failingSince: retrying.since === null ? null : Number(retrying.since),
    cause: latest?.failure_class ?? null,
  };
}
