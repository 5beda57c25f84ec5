import type { Generated } from 'kysely';

/** Instants are integer epoch milliseconds (UTC) on both engines; flags are 0/1 integers. */
export interface ClinicTable {
  id: string;
  name: string;
  tagline: string;
  phone: string;
  email: string;
  /** JSON array of minutes before the visit, e.g. [2880, 120]. */
  reminder_offsets_min: string;
  cancel_cutoff_min: number;
  booking_horizon_days: number;
  booking_link_days: number;
  /** '#rrggbb'; used for the header, links and buttons of the site, the staff workspace and emails. */
  accent_color: string;
}

/** The clinic's optional logo (at most one row, for clinic_id 'clinic'). */
export interface ClinicLogoTable {
  clinic_id: string;
  content_type: 'image/png' | 'image/jpeg';
  sha256: string;
  bytes: Buffer;
  updated_at: number;
}

export interface LocationTable {
  id: string;
  slug: string;
  name: string;
  address_line: string;
  city: string;
  region: string;
  postal_code: string;
  phone: string;
  time_zone: string;
  directions_url: string;
  sort_order: number;
}

export interface OpeningHoursTable {
  location_id: string;
  weekday: number;
  opens_min: number;
  closes_min: number;
}

export interface ClosureTable {
  location_id: string;
  date: string;
  reason: string;
}

/** Clinicians who can be booked: providers (prescribers) and nurses (migration 011 named it; it was `providers`). */
export interface ClinicianTable {
  id: string;
  name: string;
  credentials: string;
  active: number;
  /** Migration 005; defaults to 'provider'. */
  kind: Generated<ClinicianKind>;
  /** How many infusions a nurse watches at once, 1–6 (migration 007); providers keep 1. */
  watches_at_once: Generated<number>;
  /** How many infusions a provider supervises at once, 1–12, default 4 (migration 025); nurses keep the default. */
  supervises_at_once: Generated<number>;
}

export type ClinicianKind = 'provider' | 'nurse';

export interface ClinicianHoursTable {
  clinician_id: string;
  location_id: string;
  weekday: number;
  from_min: number;
  to_min: number;
}

export interface ClinicianTimeOffTable {
  id: string;
  clinician_id: string;
  starts_at: number;
  ends_at: number;
  reason: string;
}

export interface RoomTable {
  id: string;
  location_id: string;
  name: string;
  kind: 'room' | 'chair';
  active: number;
}

export type PlaceNeed = 'none' | 'room' | 'chair';

/** What code branches on (online booking offers consultations, for one); migration 015. */
export type TypeKind = 'consultation' | 'infusion' | 'booster' | 'follow-up';

export interface AppointmentTypeTable {
  id: string;
  /** The type's short name in addresses and forms; never changes (the first four: the kind's own word). */
  code: string;
  kind: TypeKind;
  name: string;
  duration_min: number;
  buffer_before_min: number;
  buffer_after_min: number;
  min_notice_min: number;
  step_min: number;
  /** 1 when a provider (prescriber) is booked for the whole appointment (migration 005). */
  needs_provider: number;
  /** 1 when a nurse is booked for the whole appointment (migration 005). */
  needs_nurse: number;
  /** Which kind of place the appointment takes, if any (migration 005). */
  place: PlaceNeed;
  online_bookable: number;
  /** When an administrator retired it (migration 015): no longer offered or bookable; booked visits keep it. */
  retired_at: number | null;
  /** What the patient should know before the visit, put in its emails; '' for none (migration 026). */
  preparation: Generated<string>;
}

export interface ConsultationRequestTable {
  id: string;
  idempotency_key: string;
  body_hash: string;
  location_id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  contact_method: string;
  reason: string;
  heard_from: string;
  message: string;
  consent_at: number;
  status: string;
  created_at: number;
  owner_id: Generated<string | null>;
  updated_at: Generated<number | null>;
  /** Set when the request is booked (migration 003). */
  patient_id: Generated<string | null>;
}

export interface AppointmentTable {
  id: string;
  location_id: string;
  type_id: string;
  request_id: string | null;
  /** Null when the type needs no provider (migration 005); at least one of provider, nurse and room is set. */
  provider_id: string | null;
  nurse_id: string | null;
  /** Which of the nurse's lanes the appointment holds (1 … the nurse's watches_at_once); null without a nurse (migration 007). */
  nurse_lane: number | null;
  room_id: string | null;
  starts_at: number;
  ends_at: number;
  busy_from: number;
  busy_to: number;
  status: 'booked' | 'cancelled';
  created_at: number;
  updated_at: number;
}

export type Attendance = 'arrived' | 'no_show';

/**
 * Columns added to appointments by migration 003. Kept apart from AppointmentTable so that `Appointment` (the row
 * the booking engine builds and moves) is unchanged; the DB type below has both.
 */
export interface AppointmentLinkColumns {
  patient_id: string | null;
  /** Set by staff on the day; null until then. Independent of status (booked/cancelled). */
  attendance: Attendance | null;
}

/** Migration 025: the provider supervising an infusion on site, and which of their supervision lanes it holds. */
export interface AppointmentSupervisionColumns {
  supervisor_id: string | null;
  supervisor_lane: number | null;
}

/**
 * Migration 009: 1 only for a visit that already overlapped an earlier visit of the same person when the database
 * began to refuse such overlaps; it is left out of that rule. Never set by the app.
 */
export interface AppointmentLegacyColumns {
  legacy_patient_clash: Generated<number>;
}

export interface PatientTable {
  id: string;
  first_name: string;
  last_name: string;
  /** Stored as given (request emails are lower-cased); matched on lower(email) with phone. */
  email: string;
  /** E.164, as normalised by the request form. */
  phone: string;
  contact_method: string;
  /** Home location. */
  location_id: string;
  created_at: number;
  updated_at: number;
}

export interface OutboxTable {
  id: string;
  kind: string;
  ref_id: string;
  dedupe_key: string | null;
  status: 'pending' | 'sending' | 'sent' | 'dead' | 'cancelled';
  attempts: Generated<number>;
  run_at: number;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** When the message first fell due: its retry window runs from here (a retry by a person starts a new one). */
  first_due_at: number | null;
  /** Why the last attempt failed, in classes a person can act on; null until an attempt fails. */
  failure_class: FailureClass | null;
  /** When the outbox gave up (status 'dead', shown as failed). */
  failed_at: number | null;
  /** The location whose patient the message is for (front desk sees its own failures); null for staff mail. */
  location_id: string | null;
  /** A failed message someone dealt with another way (e.g. phoned the person): out of the failure lists. */
  resolved_at: number | null;
  resolved_by: string | null;
  resolution: 'contacted_by_phone' | null;
}

export type FailureClass = 'connection' | 'authentication' | 'recipient' | 'other';

/** A rate-limit window: how many events under `key` since it opened, and when it ends (src/kernel/http/rate-store.ts). */
export interface RateLimitHitTable {
  key: string;
  count: number;
  expires_at: number;
}

export interface DevMailTable {
  id: string;
  message_id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  ics: string | null;
  created_at: number;
}

/** Failed sign-ins and the pause they set, per account and source address (migration 013). */
export interface SignInPauseTable {
  user_id: string;
  ip: string;
  failed_logins: Generated<number>;
  locked_until: number | null;
}

export type Role = 'admin' | 'front_desk' | 'nurse' | 'provider';

export interface UserTable {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The clinician this staff member is, if any (a provider or a nurse). */
  clinician_id: string | null;
  password_hash: string | null;
  /** Encrypted with a key derived from SECRET. */
  totp_secret: string | null;
  totp_enabled_at: number | null;
  /** The last TOTP time step accepted, so a code cannot be used twice. */
  last_totp_step: number | null;
  /** The account-wide failure count and pause (the higher limit); per address, see SignInPauseTable. */
  failed_logins: Generated<number>;
  locked_until: number | null;
  disabled_at: number | null;
  created_at: number;
}

export interface UserLocationTable {
  user_id: string;
  location_id: string;
}

export interface SessionTable {
  id_hash: string;
  user_id: string;
  /** 'mfa': password accepted, code pending; 'enrol': setting up MFA; 'active': signed in. */
  stage: 'mfa' | 'enrol' | 'active';
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
  break_glass_until: number | null;
  break_glass_reason: string | null;
  ip: string;
  user_agent: string;
}

export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  used_at: number | null;
}

export interface AuthTokenTable {
  token_hash: string;
  user_id: string;
  purpose: 'enrol' | 'reset';
  expires_at: number;
  used_at: number | null;
}

export interface AuditEventTable {
  seq: number;
  at: number;
  actor_id: string | null;
  actor_role: string | null;
  location_id: string | null;
  patient_ref: string | null;
  action: string;
  outcome: string;
  ip: string | null;
  /** JSON object. */
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface RequestNoteTable {
  id: string;
  request_id: string;
  author_id: string;
  kind: 'note' | 'call' | 'email' | 'text';
  body: string;
  created_at: number;
}

export interface WaitlistEntryTable {
  id: string;
  request_id: string;
  location_id: string;
  type_id: string;
  status: 'waiting' | 'booked' | 'left';
  created_at: number;
  updated_at: number;
}

export interface WaitlistOfferTable {
  id: string;
  entry_id: string;
  slot_start: number;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
}

// ---- The clinical core (migration 021). JSON columns hold text validated by the pure cores' schemas.

export interface ClinicalDefinitionTable {
  id: string;
  /** contraindication_rules, medication_classes, diagnosis_codes, lab_tests, dosing_settings, questionnaires… */
  kind: string;
  version: number;
  body: string;
  source: string;
  created_by: string | null;
  created_at: number;
}

export interface ClinicalProfileTable {
  patient_id: string;
  date_of_birth: string | null;
  sex: 'female' | 'male' | 'intersex' | 'not_said' | null;
  pregnancy_possible: 0 | 1 | null;
  height_cm: number | null;
  version: Generated<number>;
  updated_by: string;
  updated_at: number;
}

export interface WeightTable {
  id: string;
  patient_id: string;
  kg: number;
  entered_value: number;
  entered_unit: 'kg' | 'lb';
  measured_at: number;
  measured_by: string;
  created_at: number;
}

export interface AllergyTable {
  id: string;
  patient_id: string;
  substance: string;
  ketamine: 0 | 1;
  reaction: string | null;
  recorded_by: string;
  recorded_at: number;
  removed_by: string | null;
  removed_at: number | null;
}

export interface MedicationTable {
  id: string;
  patient_id: string;
  name: string;
  dose: string | null;
  classes: Generated<string>;
  recorded_by: string;
  recorded_at: number;
  stopped_by: string | null;
  stopped_at: number | null;
}

export interface DiagnosisTable {
  id: string;
  patient_id: string;
  code: string;
  label: string;
  recorded_by: string;
  recorded_at: number;
  removed_by: string | null;
  removed_at: number | null;
}

export interface LabResultTable {
  id: string;
  patient_id: string;
  test: string;
  value: number | null;
  unit: string | null;
  upper_limit: number | null;
  finding: string | null;
  taken_at: number;
  recorded_by: string;
  recorded_at: number;
}

export interface PdmpCheckTable {
  id: string;
  patient_id: string;
  checked_at: number;
  checked_by: string;
  result: 'no_concerns' | 'concerns';
  note: string | null;
}

export interface IntakeTable {
  id: string;
  patient_id: string;
  appointment_id: string | null;
  questionnaire_version: number;
  answers: Generated<string>;
  status: 'open' | 'submitted';
  version: Generated<number>;
  started_at: number;
  updated_at: number;
  submitted_at: number | null;
}

export interface ConsentDocumentTable {
  id: string;
  code: string;
  version: number;
  title: string;
  body: string;
  sha256: string;
  published_by: string | null;
  published_at: number;
}

export interface ConsentSignatureTable {
  id: string;
  patient_id: string;
  document_id: string;
  sha256: string;
  typed_name: string;
  signed_at: number;
  ip: string | null;
}

export interface ClinicalAlertTable {
  id: string;
  patient_id: string;
  location_id: string;
  /** What raised it, e.g. 'phq9_item9'. */
  kind: string;
  /** Where it was raised, e.g. 'intake'. */
  source: string;
  source_id: string | null;
  level: 'alert' | 'urgent';
  raised_at: number;
  resolved_by: string | null;
  resolved_at: number | null;
  assessment: string | null;
  /** Migration 033: the provider who took it, what was done at closing, the rule's codes, and whether it holds. */
  owner_id: Generated<string | null>;
  owned_at: Generated<number | null>;
  action: Generated<string | null>;
  detail: Generated<string | null>;
  holds: Generated<number>;
}

/** Migration 029: the infusion day. See src/clinical/sessions/state.ts for the states and moves. */
export type SessionState =
  'checked_in' | 'ready' | 'infusing' | 'paused' | 'recovering' | 'ready_for_discharge' | 'discharged' | 'not_given';

export interface InfusionSessionTable {
  id: string;
  appointment_id: string;
  patient_id: string;
  location_id: string;
  state: SessionState;
  version: number;
  dose_order_id: string | null;
  checked_in_at: number;
  checked_in_by: string;
  started_at: number | null;
  stopped_at: number | null;
  stop_reason: string | null;
  stopped_early: Generated<number>;
  discharged_at: number | null;
  discharged_by: string | null;
  not_given_reason: string | null;
  updated_at: number;
  updated_by: string;
}

export interface SessionCheckinTable {
  id: string;
  session_id: string;
  /** JSON: the checklist's answers, keyed by item code. */
  answers: string;
  checklist_version: string;
  recorded_by: string;
  recorded_at: number;
}

export interface SessionVitalsTable {
  id: string;
  session_id: string;
  phase: 'pre' | 'infusion' | 'recovery';
  taken_at: number;
  recorded_at: number;
  recorded_by: string;
  late_reason: string | null;
  entry_key: string;
  systolic: number;
  diastolic: number;
  heart_rate: number;
  spo2: number;
  respiratory_rate: number;
  temperature_c: number | null;
  sedation: number | null;
  dissociation: number | null;
}

export interface SessionEventTable {
  id: string;
  session_id: string;
  kind: 'start' | 'rate' | 'pause' | 'resume' | 'stop';
  at: number;
  mg_per_hour: number | null;
  ml_per_hour: number | null;
  reason: string | null;
  recorded_by: string;
  recorded_at: number;
}

export interface SessionBagTable {
  id: string;
  session_id: string;
  location_id: string;
  drug: string;
  lot: string;
  /** ISO date (yyyy-MM-dd): the bag may be used through this day. */
  expires_on: string;
  drug_mg: number;
  volume_ml: number;
  drawn_by: string;
  witnessed_by: string;
  drawn_at: number;
}

export interface SessionSideEffectTable {
  id: string;
  session_id: string;
  effect: string;
  grade: number;
  action: string;
  at: number;
  recorded_by: string;
  recorded_at: number;
}

export interface SessionMedicationTable {
  id: string;
  session_id: string;
  drug: string;
  dose_mg: number;
  route: string;
  reason: string;
  at: number;
  recorded_by: string;
  recorded_at: number;
}

export interface SessionOverrideTable {
  id: string;
  session_id: string;
  /** Which rule was passed over, e.g. 'start_vitals', 'discharge'. */
  rule: string;
  reason: string;
  provider_id: string;
  at: number;
}

export interface SessionAlertTable {
  id: string;
  session_id: string;
  key: string;
  code: string;
  kind: string;
  /** JSON: the measure, value and limit that raised it. */
  detail: string;
  raised_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  action: string | null;
  escalated_at: number | null;
  escalated_to: string | null;
}

/** Migration 031: the controlled-substance record (stock received per lot; each bag's witnessed waste). */
export interface ControlledSubstanceReceiptTable {
  id: string;
  location_id: string;
  drug: string;
  lot: string;
  /** ISO date (yyyy-MM-dd). */
  expires_on: string;
  mg: number;
  reference: string | null;
  received_by: string;
  received_at: number;
  recorded_at: number;
}

export interface SessionWasteTable {
  id: string;
  session_id: string;
  bag_id: string;
  mg: number;
  wasted_by: string;
  witnessed_by: string;
  at: number;
}

/** Migration 030: a discharge assessment (Modified Aldrete, escort at the door), append-only. */
export interface SessionAssessmentTable {
  id: string;
  session_id: string;
  /** JSON: the five answers by item key. */
  aldrete_items: string;
  aldrete_score: number;
  aldrete_at_least: number;
  aldrete_version: string;
  escort_name: string | null;
  escort_confirmed: number;
  /** 1 when every discharge condition held as it was taken. */
  passed: number;
  /** JSON array of the condition codes that did not hold. */
  missing: string;
  assessed_by: string;
  assessed_at: number;
}

/** Migration 030: the session's summary written at discharge; co-signed once, then never changed. */
export interface SessionRecordTable {
  id: string;
  session_id: string;
  /** JSON: src/clinical/sessions/record-summary.ts RecordSummary. */
  summary: string;
  written_at: number;
  written_by: string;
  cosigned_by: string | null;
  cosigned_at: number | null;
}

/** Migration 030: a correction to a session record, signed by its author, append-only. */
export interface SessionRecordAddendumTable {
  id: string;
  record_id: string;
  text: string;
  author_id: string;
  signed_at: number;
}

export type ScreeningOutcome = 'eligible' | 'not_eligible' | 'needs_information';

export interface ScreeningTable {
  id: string;
  patient_id: string;
  location_id: string;
  intake_id: string | null;
  facts: Generated<string>;
  budapest: Generated<string>;
  css: Generated<string>;
  overrides: Generated<string>;
  vitals: Generated<string>;
  fact_sources: Generated<string>;
  rules_definition_id: string | null;
  outcome: ScreeningOutcome | null;
  reasons: Generated<string>;
  status: 'draft' | 'signed';
  version: Generated<number>;
  created_by: string;
  created_at: number;
  updated_at: number;
  signed_by: string | null;
  signed_at: number | null;
  expires_at: number | null;
}

export interface ScreeningAddendumTable {
  id: string;
  screening_id: string;
  text: string;
  author_id: string;
  created_at: number;
}

export interface ProtocolTable {
  id: string;
  code: string;
  version: number;
  definition: string;
  created_by: string | null;
  created_at: number;
  retired_at: number | null;
}

export type PlanStatus = 'draft' | 'active' | 'paused' | 'completed' | 'stopped';

export interface TreatmentPlanTable {
  id: string;
  patient_id: string;
  location_id: string;
  protocol_id: string;
  screening_id: string;
  definition: string;
  deviations: Generated<string>;
  status: PlanStatus;
  status_reason: string | null;
  version: Generated<number>;
  created_by: string;
  created_at: number;
  updated_at: number;
  signed_by: string | null;
  signed_at: number | null;
}

export interface PlanSessionTable {
  appointment_id: string;
  plan_id: string;
  kind: 'induction' | 'booster';
  number: number;
}

export interface DoseOrderTable {
  id: string;
  plan_id: string;
  plan_version: number;
  appointment_id: string;
  patient_id: string;
  weight_id: string;
  weight_kg: number;
  bag_mg: number;
  bag_ml: number;
  session_hours: number;
  mg_per_kg_h: number;
  bolus_mg_per_kg: Generated<number>;
  pump_rate_ml_h: number;
  mg_per_hour: number;
  session_total_mg: number;
  calculation: string;
  ordered_by: string;
  ordered_at: number;
  status: 'ordered' | 'verified' | 'void';
  verified_by: string | null;
  verified_at: number | null;
  voided_at: number | null;
  void_reason: string | null;
}

export interface DoseCheckTable {
  id: string;
  order_id: string;
  ordered_by: string;
  nurse_id: string;
  entered: string;
  match: 0 | 1;
  checked_at: number;
}

/** Migration 032: questionnaires a plan schedules (issue 13), with the scores a report reads beside the answers. */
export type QuestionnaireStatus = 'scheduled' | 'sent' | 'partial' | 'complete' | 'missed' | 'cancelled';

export interface QuestionnaireTable {
  id: string;
  patient_id: string;
  location_id: string;
  plan_id: string | null;
  protocol_id: string | null;
  appointment_id: string | null;
  schedule_key: string;
  timepoint: string;
  instruments: string;
  opens_at: number;
  closes_at: number;
  status: QuestionnaireStatus;
  sent_at: number | null;
  reminded_at: number | null;
  completed_at: number | null;
  entered_by: string | null;
  answers: Generated<string>;
  pain_now: number | null;
  pain_average: number | null;
  pain_worst: number | null;
  phq9_total: number | null;
  phq9_item9: number | null;
  gad7_total: number | null;
  interference: number | null;
  pgic: number | null;
  pgic_label: string | null;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface PainDiaryTable {
  id: string;
  patient_id: string;
  location_id: string;
  day: string;
  pain: number;
  recorded_at: number;
}

/** Migration 034: the outcomes report's CSV export as a job, its progress and its file in chunks. */
export type ReportExportStatus = 'queued' | 'running' | 'ready' | 'failed';

export interface ReportExportTable {
  id: string;
  requested_by: string;
  protocol: string | null;
  location_id: string | null;
  period_from: string;
  period_to: string;
  location_ids: string;
  as_of: number;
  settings: string;
  key_secret: string | null;
  status: ReportExportStatus;
  patients_total: number;
  patients_done: Generated<number>;
  rows_total: number;
  rows_done: Generated<number>;
  cursor: string | null;
  chunks: Generated<number>;
  lease_owner: string | null;
  lease_until: number | null;
  attempts: Generated<number>;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number;
}

export interface ReportExportChunkTable {
  export_id: string;
  seq: number;
  body: string;
}

export interface DB {
  clinic: ClinicTable;
  clinic_logo: ClinicLogoTable;
  locations: LocationTable;
  opening_hours: OpeningHoursTable;
  closures: ClosureTable;
  sign_in_pauses: SignInPauseTable;
  clinicians: ClinicianTable;
  clinician_hours: ClinicianHoursTable;
  clinician_time_off: ClinicianTimeOffTable;
  rooms: RoomTable;
  appointment_types: AppointmentTypeTable;
  consultation_requests: ConsultationRequestTable;
  appointments: AppointmentTable & AppointmentLinkColumns & AppointmentLegacyColumns & AppointmentSupervisionColumns;
  patients: PatientTable;
  outbox: OutboxTable;
  dev_mailbox: DevMailTable;
  rate_limit_hits: RateLimitHitTable;
  users: UserTable;
  user_locations: UserLocationTable;
  sessions: SessionTable;
  recovery_codes: RecoveryCodeTable;
  auth_tokens: AuthTokenTable;
  audit_events: AuditEventTable;
  request_notes: RequestNoteTable;
  waitlist_entries: WaitlistEntryTable;
  waitlist_offers: WaitlistOfferTable;
  clinical_definitions: ClinicalDefinitionTable;
  clinical_profiles: ClinicalProfileTable;
  weights: WeightTable;
  allergies: AllergyTable;
  medications: MedicationTable;
  diagnoses: DiagnosisTable;
  lab_results: LabResultTable;
  pdmp_checks: PdmpCheckTable;
  intakes: IntakeTable;
  consent_documents: ConsentDocumentTable;
  consent_signatures: ConsentSignatureTable;
  clinical_alerts: ClinicalAlertTable;
  questionnaires: QuestionnaireTable;
  pain_diary: PainDiaryTable;
  report_exports: ReportExportTable;
  report_export_chunks: ReportExportChunkTable;
  screenings: ScreeningTable;
  screening_addenda: ScreeningAddendumTable;
  protocols: ProtocolTable;
  treatment_plans: TreatmentPlanTable;
  plan_sessions: PlanSessionTable;
  dose_orders: DoseOrderTable;
  dose_checks: DoseCheckTable;
  infusion_sessions: InfusionSessionTable;
  session_checkins: SessionCheckinTable;
  session_vitals: SessionVitalsTable;
  session_events: SessionEventTable;
  session_bags: SessionBagTable;
  session_side_effects: SessionSideEffectTable;
  session_medications: SessionMedicationTable;
  session_overrides: SessionOverrideTable;
  session_alerts: SessionAlertTable;
  controlled_substance_receipts: ControlledSubstanceReceiptTable;
  session_waste: SessionWasteTable;
  session_assessments: SessionAssessmentTable;
  session_records: SessionRecordTable;
  session_record_addenda: SessionRecordAddendumTable;
}
