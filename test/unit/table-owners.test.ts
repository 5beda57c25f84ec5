import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Each table has one owner, the only part of src/ that writes it (insert, update, delete); the others read it, or ask
 * the owner's service. A new table gets a line here; a write from anywhere else fails this test.
 */
const OWNERS: Record<string, string> = {
  // kernel: the machinery every feature shares
  relief_migrations: 'kernel',
  audit_events: 'kernel',
  outbox: 'kernel',
  dev_mailbox: 'kernel',
  sessions: 'kernel',
  rate_limit_hits: 'kernel',
  // scheduling: the one booking service, and the moves, cancellations and attendance of what it booked
  appointments: 'scheduling',
  // set-up: the clinic's own data that scheduling reads
  clinic: 'setup',
  clinic_logo: 'setup',
  locations: 'setup',
  opening_hours: 'setup',
  closures: 'setup',
  rooms: 'setup',
  clinicians: 'setup',
  clinician_hours: 'setup',
  clinician_time_off: 'setup',
  appointment_types: 'setup',
  // features
  consultation_requests: 'requests',
  request_notes: 'requests',
  patients: 'patients',
  waitlist_entries: 'waitlist',
  waitlist_offers: 'waitlist',
  users: 'staff',
  user_locations: 'staff',
  auth_tokens: 'staff',
  recovery_codes: 'staff',
  sign_in_pauses: 'staff',
  // the clinical core: record, definitions, intake and consent, screening, protocols, plans and dose orders
  clinical_definitions: 'clinical',
  clinical_profiles: 'clinical',
  weights: 'clinical',
  allergies: 'clinical',
  medications: 'clinical',
  diagnoses: 'clinical',
  lab_results: 'clinical',
  pdmp_checks: 'clinical',
  intakes: 'clinical',
  consent_documents: 'clinical',
  consent_signatures: 'clinical',
  screenings: 'clinical',
  screening_addenda: 'clinical',
  protocols: 'clinical',
  treatment_plans: 'clinical',
  plan_sessions: 'clinical',
  dose_orders: 'clinical',
  dose_checks: 'clinical',
  clinical_alerts: 'clinical',
  // the infusion day
  infusion_sessions: 'clinical',
  session_checkins: 'clinical',
  session_vitals: 'clinical',
  session_events: 'clinical',
  session_bags: 'clinical',
  session_side_effects: 'clinical',
  session_medications: 'clinical',
  session_overrides: 'clinical',
  session_alerts: 'clinical',
  controlled_substance_receipts: 'clinical',
  session_waste: 'clinical',
  questionnaires: 'clinical',
  pain_diary: 'clinical',
  report_exports: 'clinical',
  report_export_chunks: 'clinical',
  session_assessments: 'clinical',
  session_records: 'clinical',
  session_record_addenda: 'clinical',
};

/** Migrations build the schema and the demo seed fills an empty clinic: both write every table by design. */
const EXEMPT = /^src\/(kernel\/db\/migrations|seed)\//;

const WRITE =
  /\b(insertInto|updateTable|deleteFrom)\(\s*'([a-z_]+)|sql(?:<[^>]*>)?`\s*(?:insert\s+into|update|delete\s+from)\s+([a-z_]+)/gi;

/** The part of src/ a file belongs to: kernel, scheduling, or the feature's folder. */
const partOf = (path: string) => path.split('/')[1] ?? '';

/** Every write in `text` as [table, part] where the part does not own the table (or the table has no owner). */
function strayWrites(path: string, text: string): string[] {
  if (EXEMPT.test(path)) return [];
  const found: string[] = [];
  for (const m of text.matchAll(WRITE)) {
    const table = (m[2] ?? m[3] ?? '').toLowerCase();
    const owner = OWNERS[table];
    if (owner !== partOf(path)) found.push(`${path} writes ${table} (owner: ${owner ?? 'none'})`);
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('table owners', () => {
  it('finds a write from outside the owner, in either query style, and a table nobody owns', () => {
    expect(strayWrites('src/calendar/service.ts', "await trx.updateTable('appointments').set({})")).toEqual([
      'src/calendar/service.ts writes appointments (owner: scheduling)',
    ]);
    expect(strayWrites('src/setup/impact.ts', 'await sql`delete from patients where id = ${id}`')).toEqual([
      'src/setup/impact.ts writes patients (owner: patients)',
    ]);
    expect(strayWrites('src/staff/repository.ts', "db.insertInto('infusion_vitals')")).toEqual([
      'src/staff/repository.ts writes infusion_vitals (owner: none)',
    ]);
    expect(strayWrites('src/scheduling/repository.ts', "trx.updateTable('appointments')")).toEqual([]);
    expect(strayWrites('src/seed/demo.ts', "trx.insertInto('appointments')")).toEqual([]);
  });

  it('holds in src/: every table is written by its owner only', () => {
    const root = join(import.meta.dirname, '../..');
    const stray = sources(join(root, 'src')).flatMap((file) => {
      const path = relative(root, file).split('\\').join('/');
      return strayWrites(path, readFileSync(file, 'utf8'));
    });
    expect(stray).toEqual([]);
  });

  it('names an owner for every table of the schema', () => {
    const schema = readFileSync(join(import.meta.dirname, '../../src/kernel/db/schema.ts'), 'utf8');
    const db = /export interface DB \{([\s\S]*?)\n\}/.exec(schema)?.[1] ?? '';
    const tables = [...db.matchAll(/^\s+([a-z_]+):/gm)].map((m) => m[1]!);
    expect(tables.length).toBeGreaterThan(20);
    expect(tables.filter((t) => !(t in OWNERS))).toEqual([]);
  });
});
