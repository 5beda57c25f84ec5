import { SqliteAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * The clinical core's tables: the patient's clinical record, versioned clinical definitions (rules, lists and
 * numbers an administrator edits), intake and consent, screening, protocols, treatment plans and dose orders.
 *
 * The rules that matter most are the database's own, on both engines, whatever the application does:
 * - a dose order's verifier is never its orderer (a CHECK), and a verification attempt by the orderer is refused too
 *   (each attempt carries the order's orderer through a composite foreign key, and a CHECK compares them);
 * - a dose order's figures never change once written (a trigger): a change of weight, plan or bag voids the order and
 *   a new one is written;
 * - a signed screening is immutable and never deleted; corrections are addenda, which are append-only;
 * - a signed plan's protocol, screening and figures never change; only its status moves (audited with a reason);
 * - one live dose order per appointment (a partial unique index).
 * Structured clinical data whose shape is itself data (intake answers, screening facts, protocol definitions) is
 * stored as JSON text and validated by the pure cores' schemas on the way in.
 * Number 020 is taken by other work of the same release.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const by = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id');
  const patient = (c: ColumnDefinitionBuilder) => c.notNull().references('patients.id');

  // ---- Versioned clinical definitions: one row per version of each kind (contraindication rules, medication
  // classes, diagnosis codes, lab tests, questionnaires, the dose calculator's settings…); the newest is in force.
  await db.schema
    .createTable('clinical_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    // Null for the defaults a release ships.
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('clinical_definitions_version', ['kind', 'version'])
    .execute();

  // ---- The clinical record.
  await db.schema
    .createTable('clinical_profiles')
    .addColumn('patient_id', 'text', (c) => c.primaryKey().references('patients.id'))
    .addColumn('date_of_birth', 'text')
    .addColumn('sex', 'text', (c) => c.check(sql`sex in ('female', 'male', 'intersex', 'not_said')`))
    .addColumn('pregnancy_possible', 'integer', (c) => c.check(sql`pregnancy_possible in (0, 1)`))
    .addColumn('height_cm', 'double precision', (c) => c.check(sql`height_cm > 0 and height_cm < 300`))
    // Raised on every change: a form loaded at one version cannot overwrite a later one unseen.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_by', 'text', by)
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('weights')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('kg', 'double precision', (c) => c.notNull().check(sql`kg > 0 and kg < 700`))
    .addColumn('entered_value', 'double precision', (c) => c.notNull())
    .addColumn('entered_unit', 'text', (c) => c.notNull().check(sql`entered_unit in ('kg', 'lb')`))
    .addColumn('measured_at', 'bigint', (c) => c.notNull())
    .addColumn('measured_by', 'text', by)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('weights_latest').on('weights').columns(['patient_id', 'measured_at']).execute();
  await db.schema
    .createTable('allergies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('substance', 'text', (c) => c.notNull())
    // A ketamine allergy is a hard stop: flagged, not inferred from free text.
    .addColumn('ketamine', 'integer', (c) => c.notNull().check(sql`ketamine in (0, 1)`))
    .addColumn('reaction', 'text')
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_by', 'text', (c) => c.references('users.id'))
    .addColumn('removed_at', 'bigint')
    .execute();
  await db.schema
    .createTable('medications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('dose', 'text')
    // JSON array of class codes from the medication-classes definition (benzodiazepine, mao_inhibitor, …).
    .addColumn('classes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('stopped_by', 'text', (c) => c.references('users.id'))
    .addColumn('stopped_at', 'bigint')
    .execute();
  await db.schema
    .createTable('diagnoses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_by', 'text', (c) => c.references('users.id'))
    .addColumn('removed_at', 'bigint')
    .execute();
  await db.schema
    .createTable('lab_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    // A code from the lab-tests definition (alt, ast, alp, ecg, …), which also names each test's unit.
    .addColumn('test', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('unit', 'text')
    .addColumn('upper_limit', 'double precision')
    .addColumn('finding', 'text')
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_by', 'text', by)
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('lab_results_something', sql`value is not null or finding is not null`)
    .addCheckConstraint('lab_results_unit', sql`value is null or unit is not null`)
    .execute();
  await db.schema
    .createIndex('lab_results_by_patient')
    .on('lab_results')
    .columns(['patient_id', 'test', 'taken_at'])
    .execute();
  await db.schema
    .createTable('pdmp_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .addColumn('checked_by', 'text', by)
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('no_concerns', 'concerns')`))
    .addColumn('note', 'text')
    .execute();

  // ---- Intake and consent.
  await db.schema
    .createTable('intakes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('appointment_id', 'text', (c) => c.references('appointments.id'))
    .addColumn('questionnaire_version', 'integer', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'submitted')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .execute();
  await db.schema.createIndex('intakes_by_patient').on('intakes').column('patient_id').execute();
  await db.schema
    .createTable('consent_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.references('users.id'))
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('consent_documents_version', ['code', 'version'])
    .execute();
  await db.schema
    .createTable('consent_signatures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('document_id', 'text', (c) => c.notNull().references('consent_documents.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('typed_name', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();

  // ---- Screening, signed by a provider; addenda after.
  await db.schema
    .createTable('screenings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('intake_id', 'text', (c) => c.references('intakes.id'))
    .addColumn('facts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('budapest', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('css', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('overrides', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('rules_definition_id', 'text', (c) => c.references('clinical_definitions.id'))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('eligible', 'not_eligible', 'needs_information')`))
    .addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'signed')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', by)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('signed_by', 'text', (c) => c.references('users.id'))
    .addColumn('signed_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addCheckConstraint(
      'screenings_signed_whole',
      sql`status = 'draft' or (signed_by is not null and signed_at is not null and outcome is not null and expires_at is not null and rules_definition_id is not null)`,
    )
    .execute();
  await db.schema.createIndex('screenings_by_patient').on('screenings').columns(['patient_id', 'status']).execute();
  await db.schema
    .createTable('screening_addenda')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('screening_id', 'text', (c) => c.notNull().references('screenings.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', by)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // ---- Protocols (versioned) and each patient's plan.
  await db.schema
    .createTable('protocols')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addUniqueConstraint('protocols_version', ['code', 'version'])
    .execute();
  await db.schema
    .createTable('treatment_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', patient)
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('protocol_id', 'text', (c) => c.notNull().references('protocols.id'))
    .addColumn('screening_id', 'text', (c) => c.notNull().references('screenings.id'))
    // The plan's own copy of the protocol's definition, with any changes (each past a limit carries its reason).
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('deviations', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'active', 'paused', 'completed', 'stopped')`),
    )
    .addColumn('status_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', by)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('signed_by', 'text', (c) => c.references('users.id'))
    .addColumn('signed_at', 'bigint')
    .addCheckConstraint(
      'treatment_plans_signed',
      sql`status = 'draft' or (signed_by is not null and signed_at is not null)`,
    )
    .execute();
  await db.schema
    .createIndex('treatment_plans_by_patient')
    .on('treatment_plans')
    .columns(['patient_id', 'status'])
    .execute();
  // Which appointments belong to a plan's series, and as which session.
  await db.schema
    .createTable('plan_sessions')
    .addColumn('appointment_id', 'text', (c) => c.primaryKey().references('appointments.id'))
    .addColumn('plan_id', 'text', (c) => c.notNull().references('treatment_plans.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('induction', 'booster')`))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number >= 1`))
    .execute();
  await db.schema
    .createIndex('plan_sessions_by_plan')
    .on('plan_sessions')
    .columns(['plan_id', 'kind', 'number'])
    .execute();

  // ---- Dose orders and their independent double check.
  await db.schema
    .createTable('dose_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('treatment_plans.id'))
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('appointment_id', 'text', (c) => c.notNull().references('appointments.id'))
    .addColumn('patient_id', 'text', patient)
    .addColumn('weight_id', 'text', (c) => c.notNull().references('weights.id'))
    .addColumn('weight_kg', 'double precision', (c) => c.notNull())
    .addColumn('bag_mg', 'double precision', (c) => c.notNull().check(sql`bag_mg > 0`))
    .addColumn('bag_ml', 'double precision', (c) => c.notNull().check(sql`bag_ml > 0`))
    .addColumn('session_hours', 'double precision', (c) => c.notNull().check(sql`session_hours > 0`))
    .addColumn('mg_per_kg_h', 'double precision', (c) => c.notNull())
    .addColumn('bolus_mg_per_kg', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('pump_rate_ml_h', 'double precision', (c) => c.notNull())
    .addColumn('mg_per_hour', 'double precision', (c) => c.notNull())
    .addColumn('session_total_mg', 'double precision', (c) => c.notNull())
    // The calculator's whole working, line by line, as shown when ordered.
    .addColumn('calculation', 'text', (c) => c.notNull())
    .addColumn('ordered_by', 'text', by)
    .addColumn('ordered_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ordered', 'verified', 'void')`))
    .addColumn('verified_by', 'text', (c) => c.references('users.id'))
    .addColumn('verified_at', 'bigint')
    .addColumn('voided_at', 'bigint')
    .addColumn('void_reason', 'text')
    // The two-person rule, kept by the database: whoever orders can never be whoever verifies.
    .addCheckConstraint('dose_orders_two_people', sql`verified_by is null or verified_by <> ordered_by`)
    .addCheckConstraint(
      'dose_orders_verified_whole',
      sql`(verified_by is null) = (verified_at is null) and (status <> 'verified' or verified_by is not null)`,
    )
    .addCheckConstraint('dose_orders_void_whole', sql`(status = 'void') = (voided_at is not null)`)
    // The target of the checks' composite key below.
    .addUniqueConstraint('dose_orders_orderer', ['id', 'ordered_by'])
    .execute();
  await db.schema
    .createIndex('dose_orders_one_live')
    .on('dose_orders')
    .column('appointment_id')
    .unique()
    .where(sql.ref('status'), '<>', 'void')
    .execute();
  await db.schema
    .createTable('dose_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    // The order's orderer, carried by the composite key so the CHECK below can compare the two people.
    .addColumn('ordered_by', 'text', (c) => c.notNull())
    .addColumn('nurse_id', 'text', by)
    .addColumn('entered', 'text', (c) => c.notNull())
    .addColumn('match', 'integer', (c) => c.notNull().check(sql`match in (0, 1)`))
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('dose_checks_order', ['order_id', 'ordered_by'], 'dose_orders', ['id', 'ordered_by'])
    .addCheckConstraint('dose_checks_two_people', sql`nurse_id <> ordered_by`)
    .execute();

  await immutability(db, sqlite);
}

const ORDER_FIGURES = [
  'plan_id',
  'plan_version',
  'appointment_id',
  'patient_id',
  'weight_id',
  'weight_kg',
  'bag_mg',
  'bag_ml',
  'session_hours',
  'mg_per_kg_h',
  'bolus_mg_per_kg',
  'pump_rate_ml_h',
  'mg_per_hour',
  'session_total_mg',
  'calculation',
  'ordered_by',
  'ordered_at',
];
const PLAN_SIGNED = [
  'patient_id',
  'location_id',
  'protocol_id',
  'screening_id',
  'definition',
  'deviations',
  'signed_by',
  'signed_at',
];

/** Triggers that refuse what a signed record must never undergo, with the same message on both engines. */
async function immutability(db: Kysely<any>, sqlite: boolean): Promise<void> {
  const rules: Array<{ name: string; table: string; event: string; when: string; message: string }> = [
    {
      name: 'dose_orders_figures_fixed',
      table: 'dose_orders',
      event: `update of ${ORDER_FIGURES.join(', ')}`,
      when: 'true',
      message: 'a dose order is never changed: void it and order again',
    },
    { name: 'dose_orders_kept', table: 'dose_orders', event: 'delete', when: 'true', message: 'dose orders are kept' },
    {
      name: 'dose_orders_void_final',
      table: 'dose_orders',
      event: 'update',
      when: "old.status = 'void'",
      message: 'a void dose order is final',
    },
    {
      name: 'screenings_signed_fixed',
      table: 'screenings',
      event: 'update',
      when: "old.status = 'signed'",
      message: 'a signed screening is immutable: add an addendum',
    },
    { name: 'screenings_kept', table: 'screenings', event: 'delete', when: 'true', message: 'screenings are kept' },
    {
      name: 'screening_addenda_fixed',
      table: 'screening_addenda',
      event: 'update or delete',
      when: 'true',
      message: 'addenda are append-only',
    },
    {
      name: 'treatment_plans_signed_fixed',
      table: 'treatment_plans',
      event: `update of ${PLAN_SIGNED.join(', ')}`,
      when: 'old.signed_at is not null',
      message: 'a signed plan keeps its protocol and figures: write a new plan',
    },
    {
      name: 'treatment_plans_kept',
      table: 'treatment_plans',
      event: 'delete',
      when: 'true',
      message: 'plans are kept',
    },
    {
      name: 'consent_signatures_fixed',
      table: 'consent_signatures',
      event: 'update or delete',
      when: 'true',
      message: 'consent signatures are kept as signed',
    },
    {
      name: 'consent_documents_fixed',
      table: 'consent_documents',
      event: 'update or delete',
      when: 'true',
      message: 'a published consent document is never changed: publish a new version',
    },
  ];
  for (const r of rules) {
    if (sqlite) {
      // SQLite has no "update or delete" trigger: one per event.
      for (const event of r.event.split(' or ')) {
        const suffix = event.startsWith('delete') ? '_delete' : '';
        await sql
          .raw(
            `create trigger ${r.name}${suffix} before ${event} on ${r.table} when ${r.when === 'true' ? '1' : r.when} begin select raise(abort, '${r.message}'); end`,
          )
          .execute(db);
      }
    } else {
      await sql
        .raw(
          `create function ${r.name}() returns trigger language plpgsql as $$ begin raise exception '${r.message}'; end $$`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${r.name} before ${r.event} on ${r.table} for each row ${r.when === 'true' ? '' : `when (${r.when})`} execute function ${r.name}()`,
        )
        .execute(db);
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
