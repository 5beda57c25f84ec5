/**
 * The safety worklist for providers (the medical director is a provider): every alert and flag at their locations,
 * the intake's and check-in's alerts among them, one list. A provider takes a flag for review and closes it with an
 * assessment and an action; closing a hold lets infusions be booked and started again. Every look and every change
 * is audited in its transaction (ids and codes; the assessment's text stays on the flag, never in the audit trail).
 */
import { z } from 'zod';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { notFound, refuse, type Refusal } from '../../kernel/refusal.ts';
import { listedPatients } from '../listed-patients.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { sweepMissedFollowUps } from './flags-sweep.ts';
import { takeFlagRow, worklistRow, worklistRows, type FlagState, type WorklistRow } from './worklist-repository.ts';
import { closeAlert } from './close-alert.ts';
import { FLAG_KIND_LABELS } from './worklist-words.ts';

const STATES = ['active', 'open', 'in_review', 'closed'] as const;

export const worklistQuery = z.object({
  location: z.string().max(64).optional(),
  kind: z.string().max(40).optional(),
  state: z.string().max(20).optional(),
  saved: z.string().max(20).optional(),
});

export interface WorklistFilters {
  location: string;
  kind: string;
  state: FlagState | 'active';
}

function forbiddenUnlessProvider(actor: Actor): void {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role)) throw refuse('forbidden', 'The safety worklist is for providers.');
}

/** The filters as asked, each one checked: an unknown value is a 400 naming it, never an empty list that misleads. */
export function readFilters(actor: Actor, raw: z.infer<typeof worklistQuery>): WorklistFilters | Refusal {
  const location = raw.location ?? '';
  const kind = raw.kind ?? '';
  const state = raw.state || 'active';
  const fields: Record<string, string> = {};
  if (location !== '' && !actor.staff.locationIds.includes(location))
    fields.location = 'Location: choose one of your locations, or all.';
  if (kind !== '' && !(kind in FLAG_KIND_LABELS)) fields.kind = 'Kind: choose a kind from the list, or all.';
  if (!(STATES as readonly string[]).includes(state)) fields.state = 'State: open, in review, closed, or all open.';
  if (Object.keys(fields).length > 0) return refuse('invalid_request', 'These filters could not be used.', fields);
  return { location, kind, state: state as WorklistFilters['state'] };
}

/** The list, after the sweep for time-based flags (so the page never waits on the timer), the look audited with the patients shown. */
export async function safetyWorklist(database: Database, actor: Actor, filters: WorklistFilters) {
  forbiddenUnlessProvider(actor);
  await sweepMissedFollowUps(database, actor.now);
  const locationIds = filters.location ? [filters.location] : actor.staff.locationIds;
  const rows = await worklistRows(database.db, { locationIds, kind: filters.kind || undefined, state: filters.state });
  const base = { shown: rows.length, state: filters.state, kind: filters.kind || null };
  await database.transact(async (trx) => {
    for (const detail of listedPatients(
      rows.map((r) => r.patient_id),
      base,
    ))
      await auditStaff(
        trx,
        database,
        actor,
        'safety.worklist_view',
        'success',
        { locationId: filters.location || null, patientRef: null },
        detail,
      );
  });
  return rows;
}

/** One flag if it is at the provider's locations (else 404, with a 'denied' event for one elsewhere). */
async function flagFor(database: Database, actor: Actor, rawId: unknown, action: string): Promise<WorklistRow> {
  forbiddenUnlessProvider(actor);
  const flag =
    typeof rawId === 'string' && /^[0-9a-f-]{36}$/.test(rawId) ? await worklistRow(database.db, rawId) : undefined;
  if (!flag) throw notFound('That flag');
  if (!actor.staff.locationIds.includes(flag.location_id)) {
    await database.transact((trx) =>
      auditStaff(
        trx,
        database,
        actor,
        action,
        'denied',
        { locationId: flag.location_id, patientRef: flag.patient_id },
        {
          alertId: flag.id,
        },
      ),
    );
    throw notFound('That flag');
  }
  return flag;
}

const whereOf = (flag: WorklistRow) => ({ locationId: flag.location_id, patientRef: flag.patient_id });

export async function viewFlag(database: Database, actor: Actor, rawId: unknown): Promise<WorklistRow> {
  const flag = await flagFor(database, actor, rawId, 'safety.flag_view');
  await database.transact((trx) =>
    auditStaff(trx, database, actor, 'safety.flag_view', 'success', whereOf(flag), {
      alertId: flag.id,
      kind: flag.kind,
    }),
  );
  return flag;
}

/** Takes the flag for review: the provider becomes its owner (from someone else too; the audit trail keeps both). */
export async function takeFlag(database: Database, actor: Actor, rawId: unknown): Promise<{ ok: true } | Refusal> {
  const flag = await flagFor(database, actor, rawId, 'safety.flag_take');
  return database.transact(async (trx) => {
    if (!(await takeFlagRow(trx, flag.id, actor.staff.userId, actor.now))) {
      await auditStaff(trx, database, actor, 'safety.flag_take', 'failure', whereOf(flag), {
        alertId: flag.id,
        reason: 'closed',
      });
      return refuse('conflict', 'This flag was closed a moment ago; nothing was changed.');
    }
    await auditStaff(trx, database, actor, 'safety.flag_take', 'success', whereOf(flag), {
      alertId: flag.id,
      kind: flag.kind,
    });
    return { ok: true as const };
  });
}

/** Closes the flag by the one closing rule (close-rule.ts); a hold is lifted with it. */
export async function closeFlag(
  database: Database,
  actor: Actor,
  rawId: unknown,
  body: unknown,
): Promise<{ ok: true; holds: boolean } | Refusal> {
  const flag = await flagFor(database, actor, rawId, 'safety.flag_close');
  return closeAlert(database, actor, flag, body, 'safety.flag_close');
}
