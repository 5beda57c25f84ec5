/**
 * The clinic's safety rates for providers: for each of their locations, sessions given (an infusion started), adverse
 * events (side effects at or above the definition's grade) and alerts (in-session alerts, and the alerts and flags
 * raised on the worklist) per 100 sessions, by month in the location's zone (rates.ts says how each is counted).
 * Counts only: no patient is named, and the look is audited.
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse } from '../../kernel/refusal.ts';
import { currentDefinition } from '../definitions/store.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { lastMonths, monthlyRates, monthsStart, type MonthRate } from './rates.ts';
import { SAFETY_RATES } from './rates-settings.ts';

export interface LocationRates {
  id: string;
  name: string;
  zone: string;
  months: MonthRate[];
}

export async function safetyRates(database: Database, actor: Actor) {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role)) throw refuse('forbidden', 'The safety rates are for providers.');
  const db = database.db;
  const settings = await currentDefinition(db, SAFETY_RATES);
  const locations = await db
    .selectFrom('locations')
    .select(['id', 'name', 'time_zone'])
    .where('id', 'in', actor.staff.locationIds.length ? [...actor.staff.locationIds] : ['-'])
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
  const out: LocationRates[] = [];
  for (const l of locations) {
    const months = lastMonths(actor.now, l.time_zone, settings.body.months);
    const from = monthsStart(months, l.time_zone);
    const [sessions, adverse, sessionAlerts, flags] = await Promise.all([
      db
        .selectFrom('infusion_sessions')
        .select('started_at')
        .where('location_id', '=', l.id)
        .where('started_at', '>=', from)
        .execute(),
      db
        .selectFrom('session_side_effects as e')
        .innerJoin('infusion_sessions as s', 's.id', 'e.session_id')
        .select('s.started_at')
        .where('s.location_id', '=', l.id)
        .where('s.started_at', '>=', from)
        .where('e.grade', '>=', settings.body.adverseGradeFrom)
        .execute(),
      db
        .selectFrom('session_alerts as a')
        .innerJoin('infusion_sessions as s', 's.id', 'a.session_id')
        .select('s.started_at')
        .where('s.location_id', '=', l.id)
        .where('s.started_at', '>=', from)
        .execute(),
      db
        .selectFrom('clinical_alerts')
        .select('raised_at')
        .where('location_id', '=', l.id)
        .where('raised_at', '>=', from)
        .execute(),
    ]);
    const at = (rows: Array<{ started_at: unknown }>) => rows.map((r) => Number(r.started_at));
    out.push({
      id: l.id,
      name: l.name,
      zone: l.time_zone,
      months: monthlyRates(months, l.time_zone, {
        sessions: at(sessions),
        adverse: at(adverse),
        sessionAlerts: at(sessionAlerts),
        flags: flags.map((r) => Number(r.raised_at)),
      }),
    });
  }
  await database.transact((trx) =>
    auditStaff(
      trx,
      database,
      actor,
      'safety.rates_view',
      'success',
      { locationId: null, patientRef: null },
      { locations: out.length, months: settings.body.months },
    ),
  );
  return { locations: out, settings };
}
