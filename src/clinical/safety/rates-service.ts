/**
 * The clinic's safety rates for providers: for each of their locations, sessions given (an infusion started), adverse
 * events (side effects at or above the definition's grade) and in-session alerts per 100 sessions, by month in the
 * location's zone. Counts only: no patient is named, and the look is audited.
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse } from '../../kernel/refusal.ts';
import { zoned } from '../../kernel/time/format.ts';
import { currentDefinition } from '../definitions/store.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { monthlyRates, type MonthRate } from './rates.ts';
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
    const first = zoned(actor.now, l.time_zone)
      .startOf('month')
      .minus({ months: settings.body.months - 1 });
    const months = Array.from({ length: settings.body.months }, (_, i) =>
      first.plus({ months: i }).toFormat('yyyy-MM'),
    );
    const from = first.toMillis();
    const monthOf = (at: unknown) => zoned(Number(at), l.time_zone).toFormat('yyyy-MM');
    const [sessions, adverse, alerts] = await Promise.all([
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
    ]);
    out.push({
      id: l.id,
      name: l.name,
      zone: l.time_zone,
      months: monthlyRates(
        months,
        sessions.map((s) => monthOf(s.started_at)),
        adverse.map((s) => monthOf(s.started_at)),
        alerts.map((s) => monthOf(s.started_at)),
      ),
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
