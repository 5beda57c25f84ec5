/**
 * Readiness (GET /readyz): may this process take traffic? Yes when its database answers and has every migration this
 * release knows. The outbox and backups are reported beside it but do not make the answer "no": a load balancer that
 * took every instance out because mail is slow or last night's backup failed would turn a warning into an outage.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { MIGRATIONS } from '../db/migrate.ts';
import { outboxStats, type OutboxStats } from '../outbox/outbox.ts';
import { backupStatus, type BackupStatus } from '../backup/schedule.ts';

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  migrations: { current: boolean; pending: string[] };
  outbox: OutboxStats | null;
  backup: Pick<BackupStatus, 'state' | 'ready'>;
}

/** A readiness check must answer a monitor quickly even when the database does not. */
const CHECK_TIMEOUT_MS = 2_000;

/** Names of this release's migrations not yet applied to the database (all of them on an empty one). */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const applied = await sql<{ name: string }>`select name from relief_migrations`
    .execute(database.db)
    .then((r) => new Set(r.rows.map((row) => row.name)))
    .catch(() => new Set<string>());
  return MIGRATIONS.map(([name]) => name).filter((name) => !applied.has(name));
}

export async function readiness(database: Database, now: number): Promise<Readiness> {
  const backup = backupStatus();
  const report = { backup: { state: backup.state, ready: backup.ready } };
  try {
    const [pending, outbox] = await withTimeout(
      Promise.all([
        sql`select 1`.execute(database.db).then(() => pendingMigrations(database)),
        outboxStats(database.db, now),
      ]),
      CHECK_TIMEOUT_MS,
    );
    return {
      ready: pending.length === 0,
      database: 'ok',
      migrations: { current: pending.length === 0, pending },
      outbox,
      ...report,
    };
  } catch {
    return {
      ready: false,
      database: 'unreachable',
      migrations: { current: false, pending: [] },
      outbox: null,
      ...report,
    };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
