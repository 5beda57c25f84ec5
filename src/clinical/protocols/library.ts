/**
 * The protocol library: each protocol's versions as stored data, the suggested protocols a clinic starts from, and
 * the dose calculator run on a protocol for a weight typed in (no patient: a medical director checks what the
 * figures give before any patient is dosed by them).
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { calculateDose, type DoseResult } from '../dosing/dose.ts';
import { DEFAULT_DOSING_SETTINGS, DEFAULT_PROTOCOLS, protocolSchema, type ProtocolDefinition } from './protocol.ts';
import {
  anyProtocol,
  currentProtocols,
  insertProtocols,
  protocolVersions as protocolVersionRows,
  type ProtocolRow,
} from './repository.ts';

export interface LibraryProtocol {
  code: string;
  version: number;
  definition: ProtocolDefinition;
  createdAt: number;
  /** True when any part's figures are not confirmed against a published source. */
  unverified: boolean;
}

function parsed(row: ProtocolRow): LibraryProtocol {
  // Stored definitions were validated on the way in; a row that no longer parses is a fault worth stopping on.
  const definition = protocolSchema.parse(JSON.parse(row.definition));
  const parts = [
    definition.induction,
    definition.maintenance,
    definition.dosing,
    definition.bag,
    definition.monitoring,
    definition.extraOrdersSource,
    definition.discharge,
  ];
  return {
    code: row.code,
    version: row.version,
    definition,
    createdAt: row.created_at,
    unverified: parts.some((p) => p.unverified),
  };
}

export async function protocolLibrary(database: Database): Promise<LibraryProtocol[]> {
  return (await currentProtocols(database.db)).map(parsed);
}

/** One protocol at a version (the newest when none is given), or undefined. */
export async function protocolVersion(
  database: Database,
  code: string,
  version?: number,
): Promise<LibraryProtocol | undefined> {
  const versions = await protocolVersionRows(database.db, code);
  const row = version === undefined ? versions[0] : versions.find((v) => v.version === version);
  return row ? parsed(row) : undefined;
}

/** The suggested protocols as version 1 rows, in the caller's transaction (the demo seed and first start use it). */
export async function writeSuggestedProtocols(trx: Kysely<DB>, now: number, by: string | null): Promise<void> {
  await insertProtocols(
    trx,
    DEFAULT_PROTOCOLS.map((p) => ({
      id: timeOrderedId(now),
      code: p.code,
      version: 1,
      definition: JSON.stringify(p),
      created_by: by,
      created_at: now,
      retired_at: null,
    })),
  );
}

/** An administrator adds the suggested protocols to a library that has none yet; audited. */
export async function addSuggestedProtocols(
  database: Database,
  actor: Actor,
): Promise<{ ok: true; added: number } | Refusal> {
  const already = () =>
    refuse('conflict', 'The library already has protocols: the suggestions are added only to an empty library.');
  if (await anyProtocol(database.db)) return already();
  try {
    await database.transact(async (trx) => {
      await writeSuggestedProtocols(trx, actor.now, actor.staff.userId);
      await auditStaff(
        trx,
        database,
        actor,
        'protocol.add_suggested',
        'success',
        { locationId: null, patientRef: null },
        { protocols: DEFAULT_PROTOCOLS.length },
      );
    });
  } catch (err) {
    // Two presses at once both find the library empty; the unique (code, version) key lets one through.
    if (isUniqueViolation(err)) return already();
    throw err;
  }
  return { ok: true, added: DEFAULT_PROTOCOLS.length };
}

export interface DosePreview {
  input: { weight: number; unit: 'kg' | 'lb'; hours: number; mgPerKgPerHour: number; bolusMgPerKg: number };
  result: DoseResult;
}

/**
 * The calculator on a protocol's rule and bag for a weight measured now: what a provider would see when ordering.
 * The settings are the shipped ones until the clinic's own are stored (they are versioned data like the protocols).
 */
export function previewDose(
  protocol: LibraryProtocol,
  input: { weight: number; unit: 'kg' | 'lb'; hours?: number; mgPerKgPerHour?: number; bolusMgPerKg?: number },
  now: number,
): DosePreview {
  const { dosing, bag, induction } = protocol.definition;
  const hours = input.hours ?? induction.hoursPerSession;
  const mgPerKgPerHour = input.mgPerKgPerHour ?? dosing.startMgPerKgPerHour;
  const bolusMgPerKg = input.bolusMgPerKg ?? 0;
  return {
    input: { weight: input.weight, unit: input.unit, hours, mgPerKgPerHour, bolusMgPerKg },
    result: calculateDose({
      rule: dosing,
      settings: DEFAULT_DOSING_SETTINGS,
      weight: { value: input.weight, unit: input.unit, measuredAt: now },
      bag,
      sessionHours: hours,
      mgPerKgPerHour,
      bolusMgPerKg,
      now,
    }),
  };
}

/** The version numbers a protocol has had, newest first. */
export async function protocolVersions(database: Database, code: string): Promise<number[]> {
  return (await protocolVersionRows(database.db, code)).map((r) => r.version);
}
