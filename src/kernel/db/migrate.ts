import { sql, type Kysely } from 'kysely';
import { lockWriters, type Database } from './database.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_staff.ts';
import * as m003 from './migrations/003_patients_calendar.ts';
import * as m004 from './migrations/004_waitlist.ts';
import * as m005 from './migrations/005_resources.ts';
import * as m006 from './migrations/006_branding.ts';
import * as m007 from './migrations/007_nurse_capacity.ts';
import * as m008 from './migrations/008_patient_claims.ts';
import * as m009 from './migrations/009_overlap_constraints.ts';
import * as m010 from './migrations/010_search_fold.ts';
import * as m011 from './migrations/011_clinicians.ts';
import * as m013 from './migrations/013_sign_in_pauses.ts';
import * as m015 from './migrations/015_types_as_data.ts';
import * as m019 from './migrations/019_mail_window.ts';
import * as m020 from './migrations/020_rate_limits.ts';
import * as m021 from './migrations/021_clinical.ts';
import * as m022 from './migrations/022_clinical_guards.ts';
import * as m023 from './migrations/023_clinical_alerts.ts';
import * as m024 from './migrations/024_infusion_gate.ts';
import * as m025 from './migrations/025_supervision.ts';
import * as m026 from './migrations/026_type_preparation.ts';
import * as m027 from './migrations/027_supervisor_required.ts';
import * as m028 from './migrations/028_screening_examination.ts';
import * as m029 from './migrations/029_infusion_sessions.ts';
import * as m030 from './migrations/030_session_discharge.ts';
import * as m031 from './migrations/031_controlled_substances.ts';
import * as m032 from './migrations/032_questionnaires.ts';
import * as m033 from './migrations/033_safety_flags.ts';
import * as m034 from './migrations/034_report_exports.ts';

export interface Migration {
  up(db: Kysely<any>): Promise<void>;
  /** Rebuilds a table on SQLite, which needs foreign-key enforcement off while the old table is dropped. */
  rebuildsTables?: boolean;
}

/** In order. A migration is never edited once it has shipped; a change is a new migration. */
export const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['001_initial', m001],
  ['002_staff', m002],
  ['003_patients_calendar', m003],
  ['004_waitlist', m004],
  ['005_resources', m005],
  ['006_branding', m006],
  ['007_nurse_capacity', m007],
  ['008_patient_claims', m008],
  ['009_overlap_constraints', m009],
  ['010_search_fold', m010],
  ['011_clinicians', m011],
  ['013_sign_in_pauses', m013],
  ['015_types_as_data', m015],
  ['019_mail_window', m019],
  ['020_rate_limits', m020],
  ['021_clinical', m021],
  ['022_clinical_guards', m022],
  ['023_clinical_alerts', m023],
  ['024_infusion_gate', m024],
  ['025_supervision', m025],
  ['026_type_preparation', m026],
  ['027_supervisor_required', m027],
  ['028_screening_examination', m028],
  ['029_infusion_sessions', m029],
  ['030_session_discharge', m030],
  ['031_controlled_substances', m031],
  ['032_questionnaires', m032],
  ['033_safety_flags', m033],
  ['034_report_exports', m034],
];

/**
 * Brings the schema up to date; returns the names of the migrations it applied. Each migration and its bookkeeping
 * row commit together, so a crash leaves it either applied or not. (Kysely's own Migrator inspects every schema of
 * a PostgreSQL database, which races with other schemas being dropped; this runner looks only at its own table.)
 */
export function migrateToLatest(database: Database): Promise<string[]> {
  return applyMigrations(database, MIGRATIONS);
}

/** Applies those of `migrations` not yet applied, in order (an upgrade test stops at an older release with a prefix). */
export async function applyMigrations(
  database: Database,
  migrations: ReadonlyArray<readonly [string, Migration]>,
): Promise<string[]> {
  const applied: string[] = [];
  for (const [name, migration] of migrations) {
    // SQLite ignores this pragma inside a transaction, so it is set around it (the procedure SQLite documents for
    // rebuilding a table); every foreign key is checked before the migration commits.
    const keysOff = database.engine === 'sqlite' && migration.rebuildsTables === true;
    if (keysOff) await sql`pragma foreign_keys = off`.execute(database.db);
    let ran: boolean;
    try {
      ran = await database.transact(async (trx) => {
        const db = trx as Kysely<any>;
        await lockWriters(db, database.engine, 'migrations');
        await sql`create table if not exists relief_migrations (name text primary key, applied_at bigint not null)`.execute(
          db,
        );
        const done = await db
          .selectFrom('relief_migrations')
          .select('name')
          .where('name', '=', name)
          .executeTakeFirst();
        if (done) return false;
        await migration.up(db);
        if (keysOff) {
          const broken = await sql`pragma foreign_key_check`.execute(db);
          if (broken.rows.length) throw new Error(`migration ${name} would break ${broken.rows.length} foreign key(s)`);
        }
        await db.insertInto('relief_migrations').values({ name, applied_at: Date.now() }).execute();
        return true;
      });
    } finally {
      if (keysOff) await sql`pragma foreign_keys = on`.execute(database.db);
    }
    if (ran) applied.push(name);
  }
  return applied;
}
