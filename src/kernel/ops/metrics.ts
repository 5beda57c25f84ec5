/**
 * Prometheus metrics (GET /metrics): the process's counters (counters.ts), then gauges read from the database at
 * scrape time, so two instances on one PostgreSQL report the same backlog rather than halves of it.
 */
import { Gauge, Registry } from 'prom-client';
import { processRegistry } from './counters.ts';
import type { Database } from '../db/database.ts';
import { outboxStats } from '../outbox/outbox.ts';
import { backupStatus } from '../backup/schedule.ts';
import { pendingMigrations } from './readiness.ts';

/** The text a scraper reads: the process's counters and Node's metrics, then gauges read from the database now. */
export async function metricsText(database: Database, now: number): Promise<{ body: string; contentType: string }> {
  const scrape = new Registry();
  const [outbox, pending] = await Promise.all([outboxStats(database.db, now), pendingMigrations(database)]);
  const gauge = (name: string, help: string, value: number) =>
    new Gauge({ name, help, registers: [scrape] }).set(value);
  gauge('relief_outbox_due', 'Messages due now and not yet delivered (all instances).', outbox.due);
  gauge('relief_outbox_retrying', 'Messages that failed at least once and wait for their next try.', outbox.retrying);
  gauge(
    'relief_outbox_oldest_due_seconds',
    'Seconds since the oldest undelivered message fell due.',
    outbox.oldestDueSeconds,
  );
  gauge('relief_outbox_failed', 'Messages the outbox gave up on; each needs a person.', outbox.failed);
  gauge(
    'relief_migrations_pending',
    'Migrations this release has that the database lacks (0 when ready).',
    pending.length,
  );
  const backup = backupStatus();
  gauge(
    'relief_backup_ok',
    '1 when scheduled backups are off or the last one is recent and verified; 0 otherwise.',
    backup.ready ? 1 : 0,
  );
  if (backup.lastSuccessAt !== undefined)
    gauge(
      'relief_backup_last_success_timestamp_seconds',
      'When the last verified backup finished.',
      backup.lastSuccessAt / 1000,
    );
  const pool = database.poolStats?.();
  if (pool) {
    gauge('relief_db_pool_connections', 'PostgreSQL connections this process holds open.', pool.total);
    gauge('relief_db_pool_idle', 'Of those, idle.', pool.idle);
    gauge('relief_db_pool_waiting', 'Queries waiting for a connection.', pool.waiting);
  }
  const merged = Registry.merge([processRegistry, scrape]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
