import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * More of the clinical rules kept by the database itself (after a review of migration 021):
 * - a dose order is written as 'ordered' and becomes 'verified' only with a matching independent check on record
 *   (a dose_checks row of that order, by the verifier, that matched); a verification is never changed or undone
 *   (a verified order can only be voided);
 * - dose checks, clinical definitions and protocol versions are never changed or deleted (a protocol version may
 *   only be retired), since signed screenings, plans and orders point at them;
 * - on PostgreSQL, TRUNCATE of any clinical table is refused like a DELETE (row triggers do not see it).
 * On SQLite, REPLACE (`insert or replace`) removes a clashing row without delete triggers unless recursive triggers
 * are on; src/kernel/db/database.ts turns them on, so REPLACE meets the same refusals as DELETE.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    await run(`create trigger dose_orders_written_ordered before insert on dose_orders when new.status <> 'ordered'
      ${refuse('a dose order is written as ordered; it is verified by an independent check')}`);
    await run(`create trigger dose_orders_verified_by_check before update of status, verified_by on dose_orders
      when new.status = 'verified' and not exists (select 1 from dose_checks c where c.order_id = new.id
        and c.nurse_id = new.verified_by and c.match = 1)
      ${refuse('a dose order is verified only by a matching independent check')}`);
    await run(`create trigger dose_orders_verification_kept before update of status, verified_by, verified_at on dose_orders
      when old.status = 'verified' and (new.status <> 'void' or new.verified_by is not old.verified_by
        or new.verified_at is not old.verified_at)
      ${refuse('a verification is never changed: void the order')}`);
    for (const table of ['dose_checks', 'clinical_definitions']) {
      await run(
        `create trigger ${table}_kept_update before update on ${table} ${refuse(`${table} are kept as written`)}`,
      );
      await run(
        `create trigger ${table}_kept_delete before delete on ${table} ${refuse(`${table} are kept as written`)}`,
      );
    }
    await run(`create trigger protocols_kept_update before update of id, code, version, definition, created_by, created_at
      on protocols ${refuse('a protocol version is never changed: write a new version')}`);
    await run(
      `create trigger protocols_kept_delete before delete on protocols ${refuse('protocol versions are kept')}`,
    );
    return;
  }
  const fn = async (name: string, body: string) => {
    await run(`create function ${name}() returns trigger language plpgsql as $$ begin ${body} end $$`);
  };
  await fn(
    'dose_orders_written_ordered',
    `if new.status <> 'ordered' then
      raise exception 'a dose order is written as ordered; it is verified by an independent check'; end if;
      return new;`,
  );
  await run(`create trigger dose_orders_written_ordered before insert on dose_orders
    for each row execute function dose_orders_written_ordered()`);
  await fn(
    'dose_orders_verification',
    `
    if old.status = 'verified' and (new.status <> 'void' or new.verified_by is distinct from old.verified_by
        or new.verified_at is distinct from old.verified_at) then
      raise exception 'a verification is never changed: void the order';
    end if;
    if new.status = 'verified' and not exists (select 1 from dose_checks c where c.order_id = new.id
        and c.nurse_id = new.verified_by and c.match = 1) then
      raise exception 'a dose order is verified only by a matching independent check';
    end if;
    return new;`,
  );
  await run(`create trigger dose_orders_verification before update on dose_orders
    for each row execute function dose_orders_verification()`);
  for (const table of ['dose_checks', 'clinical_definitions']) {
    await fn(`${table}_kept`, `raise exception '${table} are kept as written';`);
    await run(`create trigger ${table}_kept before update or delete on ${table}
      for each row execute function ${table}_kept()`);
  }
  await fn('protocols_kept', `raise exception 'a protocol version is never changed: write a new version';`);
  await run(`create trigger protocols_kept before update of id, code, version, definition, created_by, created_at
    on protocols for each row execute function protocols_kept()`);
  await fn('protocols_kept_delete', `raise exception 'protocol versions are kept';`);
  await run(
    `create trigger protocols_kept_delete before delete on protocols for each row execute function protocols_kept_delete()`,
  );
  await fn(
    'clinical_no_truncate',
    `raise exception 'clinical records are kept: % cannot be truncated', tg_table_name;`,
  );
  for (const table of [
    'dose_orders',
    'dose_checks',
    'screenings',
    'screening_addenda',
    'treatment_plans',
    'consent_documents',
    'consent_signatures',
    'clinical_definitions',
    'protocols',
  ]) {
    await run(`create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function clinical_no_truncate()`);
  }
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
