/**
 * Mail that did not go out, for the people who can act on it: administrators see every failed message and the
 * backlog and can send again (one, or all); the outbox keeps retrying by itself until its window ends. Each retry
 * is audited in its transaction.
 */
import type { Database } from '../kernel/db/database.ts';
import type { Actor } from '../kernel/audit/staff-audit.ts';
import { auditStaff } from '../kernel/audit/staff-audit.ts';
import { listLocations } from '../kernel/clinic.ts';
import { outboxStats, type OutboxStats } from '../kernel/outbox/outbox.ts';
import { failedMessages, findFailedMessage, retryFailed, type FailedMessage } from '../kernel/outbox/failed.ts';
import { mailStateChanged } from '../kernel/outbox/banner.tsx';
import { refuse, type Refusal } from '../kernel/refusal.ts';

export interface MailOverview {
  stats: OutboxStats;
  /** Each with its location's name and time zone (staff mail: the first location's zone). */
  failed: Array<FailedMessage & { locationName: string | null; zone: string }>;
}

export async function mailOverview(database: Database, now: number): Promise<MailOverview> {
  const [stats, failed, locations] = await Promise.all([
    outboxStats(database.db, now),
    failedMessages(database.db),
    listLocations(database.db),
  ]);
  const byId = new Map(locations.map((l) => [l.id, l]));
  const fallbackZone = locations[0]?.time_zone ?? 'UTC';
  return {
    stats,
    failed: failed.map((m) => {
      const location = m.location_id ? byId.get(m.location_id) : undefined;
      return { ...m, locationName: location?.name ?? null, zone: location?.time_zone ?? fallbackZone };
    }),
  };
}

/** Sends one failed message again now, with a new retry window. */
export async function retryMessage(database: Database, actor: Actor, id: string): Promise<{ ok: true } | Refusal> {
  const message = await findFailedMessage(database.db, id);
  if (!message)
    return refuse(
      'conflict',
      'That message is not a failed one: it is waiting to be sent, being sent, already delivered, or no longer exists.',
    );
  const moved = await database.transact(async (trx) => {
    const n = await retryFailed(trx, [id], actor.now);
    if (n === 1)
      await auditStaff(
        trx,
        database,
        actor,
        'mail.retry',
        'success',
        { locationId: message.location_id, patientRef: null },
        {
          message: id,
          kind: message.kind,
        },
      );
    return n;
  });
  if (moved !== 1) return refuse('conflict', 'That message was just retried or dealt with by someone else.');
  mailStateChanged();
  return { ok: true };
}

/** Sends every failed message again now; how many. */
export async function retryAllMessages(database: Database, actor: Actor): Promise<number> {
  const n = await database.transact(async (trx) => {
    const moved = await retryFailed(trx, 'all', actor.now);
    await auditStaff(
      trx,
      database,
      actor,
      'mail.retry_all',
      'success',
      { locationId: null, patientRef: null },
      {
        messages: moved,
      },
    );
    return moved;
  });
  mailStateChanged();
  return n;
}
