/**
 * A treatment plan as the pages and other clinical areas read it: the row with its definition and deviations parsed.
 */
import type { Kysely } from 'kysely';
import type { DB, PlanStatus } from '../../kernel/db/schema.ts';
import { protocolSchema, type ProtocolDefinition } from './protocol.ts';
import type { Deviation } from './plan-rules.ts';
import { findPlan, openPlan, planOfAppointment, type PlanRow } from './plan-repository.ts';

export interface Plan {
  id: string;
  patientId: string;
  locationId: string;
  protocolId: string;
  screeningId: string;
  definition: ProtocolDefinition;
  deviations: Deviation[];
  status: PlanStatus;
  statusReason: string | null;
  version: number;
  createdBy: string;
  createdAt: number;
  signedBy: string | null;
  signedAt: number | null;
}

export function parsePlan(row: PlanRow): Plan {
  return {
    id: row.id,
    patientId: row.patient_id,
    locationId: row.location_id,
    protocolId: row.protocol_id,
    screeningId: row.screening_id,
    // Validated on the way in; a stored plan that no longer parses is a fault worth stopping on.
    definition: protocolSchema.parse(JSON.parse(row.definition)),
    deviations: JSON.parse(row.deviations) as Deviation[],
    status: row.status,
    statusReason: row.status_reason,
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at,
    signedBy: row.signed_by,
    signedAt: row.signed_at,
  };
}

export async function planById(db: Kysely<DB>, id: string): Promise<Plan | undefined> {
  const row = await findPlan(db, id);
  return row ? parsePlan(row) : undefined;
}

/** The patient's active (signed, not paused) plan, if any: what infusions are booked and dosed by. */
export async function activePlan(db: Kysely<DB>, patientId: string): Promise<Plan | undefined> {
  const row = await openPlan(db, patientId);
  return row?.status === 'active' ? parsePlan(row) : undefined;
}

/** The plan an appointment belongs to (for a dose order): id, version, definition and status, with the session. */
export async function planForAppointment(
  db: Kysely<DB>,
  appointmentId: string,
): Promise<(Plan & { session: { kind: 'induction' | 'booster'; number: number } }) | undefined> {
  const row = await planOfAppointment(db, appointmentId);
  if (!row) return undefined;
  return { ...parsePlan(row), session: { kind: row.session_kind, number: row.session_number } };
}
