/**
 * The clinic's responder report for providers: the filters checked against who asks (their own locations only;
 * aggregate reports do not follow emergency access), the figures built from one read, audited with codes and counts.
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse } from '../../kernel/refusal.ts';
import { currentDefinition } from '../definitions/store.ts';
import { buildReport, type ReportGroup } from './report.ts';
import { parseFilters, type RawFilters, type ReportFilters } from './report-filters.ts';
import {
  baselines,
  locationExists,
  reportLocations,
  reportProtocols,
  reportRows,
  treatedRows,
  type ReportLocation,
} from './report-read.ts';
import type { ResponderSettings } from './responder.ts';
import { RESPONDER_SETTINGS } from './responder-settings.ts';

export interface ReportChoices {
  protocols: Array<{ code: string; name: string }>;
  locations: ReportLocation[];
}

export interface ReportPageData extends ReportChoices {
  filters: ReportFilters;
  groups: ReportGroup[];
  settings: { body: ResponderSettings; version: number; unverified: boolean };
}

/** The protocols and this person's locations, for the form and for checking what was asked. */
export async function reportChoices(database: Database, actor: Actor): Promise<ReportChoices> {
  const [protocols, locations] = await Promise.all([
    reportProtocols(database.db),
    reportLocations(database.db, actor.staff.locationIds),
  ]);
  return { protocols, locations };
}

/**
 * The filters, or a 400 naming each wrong field (the choices come back to re-render the form). Asking for a location
 * this person does not work at is also filed as a 'denied' event of `action`, as other pages' location choices are.
 */
export async function checkFilters(
  database: Database,
  actor: Actor,
  choices: ReportChoices,
  raw: RawFilters,
  action: 'outcomes.report.view' | 'outcomes.export',
): Promise<ReportFilters> {
  const zone = choices.locations[0]?.zone ?? 'UTC';
  const parsed = parseFilters(
    raw,
    { protocols: choices.protocols.map((p) => p.code), locations: choices.locations.map((l) => l.id) },
    actor.now,
    zone,
  );
  if (parsed.ok) return parsed.filters;
  const elsewhere = parsed.fields.location && raw.location ? raw.location : null;
  if (elsewhere && (await locationExists(database.db, elsewhere)))
    await database.transact((trx) =>
      auditStaff(trx, database, actor, action, 'denied', { locationId: elsewhere, patientRef: null }),
    );
  throw refuse('invalid_request', 'Some of the filters are not valid.', parsed.fields);
}

export async function responderReport(
  database: Database,
  actor: Actor,
  choices: ReportChoices,
  filters: ReportFilters,
): Promise<ReportPageData> {
  const settings = await currentDefinition(database.db, RESPONDER_SETTINGS);
  // The rows and who was treated at once (PostgreSQL answers on several connections), then the baselines of the
  // rows' patients by id, which spares reading the period's questionnaires once more for each baseline table.
  const [rows, treated] = await Promise.all([
    reportRows(database, filters, choices.locations, actor.now),
    treatedRows(database, filters, choices.locations),
  ]);
  const bases = await baselines(database, filters, choices.locations, {
    ids: [...new Set(rows.map((r) => r.patientId))],
  });
  const patients = new Set([...rows.map((r) => r.patientId), ...treated.map((t) => t.patientId)]).size;
  const groups = buildReport(rows, bases, settings.body, treated);
  // Read outside a transaction (bulk arrays); nothing is shown until this event has committed.
  await database.transact((trx) =>
    auditStaff(
      trx,
      database,
      actor,
      'outcomes.report.view',
      'success',
      { locationId: filters.locationId, patientRef: null },
      {
        protocol: filters.protocol ?? 'all',
        location: filters.locationId ?? 'all',
        from: filters.from,
        to: filters.to,
        groups: groups.length,
        patients,
      },
    ),
  );
  return {
    ...choices,
    filters,
    groups,
    settings: { body: settings.body, version: settings.version, unverified: settings.unverified },
  };
}
