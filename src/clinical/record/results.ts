import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { currentDefinition } from '../definitions/store.ts';
import { LAB_TESTS } from './definitions.ts';
import { parseFinding, parseLabResult, parsePdmp, type ResultInput, type Values } from './forms.ts';
import { insertPdmpCheck, insertResult } from './repository.ts';
import { recordWrite, type RecordContext } from './write.ts';
import { raiseFlags } from '../safety/flags-raise.ts';
import { patientLocation } from '../safety/flags-repository.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

async function writeResult(trx: Kysely<DB>, actor: Actor, context: RecordContext, input: ResultInput) {
  const id = timeOrderedId(actor.now);
  await insertResult(trx, {
    id,
    patient_id: context.patientId,
    test: input.test.code,
    value: input.value,
    unit: input.unit,
    upper_limit: input.upperLimit,
    finding: input.finding,
    taken_at: context.instantOf(input.day),
    recorded_by: actor.staff.userId,
    recorded_at: actor.now,
  });
  return { detail: { resultId: id, test: input.test.code } };
}

/** The safety rules that read what was just recorded (the liver hold, a substance-use concern), in its transaction. */
async function flagsFrom(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  patientId: string,
  kinds: Parameters<typeof raiseFlags>[1]['kinds'],
) {
  const locationId = await patientLocation(trx, patientId);
  if (locationId) await raiseFlags(trx, { database, actor, patientId, locationId, now: actor.now, kinds });
}

/** A measured result (ALT, AST, ALP…) in a unit the lab-tests definition accepts for that test. */
export function addLabResult(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.result.add', async (trx, context) => {
    const parsed = parseLabResult(values, (await currentDefinition(trx, LAB_TESTS)).body, context.today);
    if (!parsed.ok) return parsed;
    const written = await writeResult(trx, actor, context, parsed.data);
    await flagsFrom(trx, database, actor, context.patientId, ['liver']);
    return written;
  });
}

/** A reviewed test recorded as findings (an ECG). */
export function addFinding(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.result.add', async (trx, context) => {
    const parsed = parseFinding(values, (await currentDefinition(trx, LAB_TESTS)).body, context.today);
    return parsed.ok ? writeResult(trx, actor, context, parsed.data) : parsed;
  });
}

/** A prescription-monitoring (PDMP) check, by whoever records it. */
export function addPdmpCheck(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.pdmp.add', async (trx, context) => {
    const parsed = parsePdmp(values, context.today);
    if (!parsed.ok) return parsed;
    const id = timeOrderedId(actor.now);
    await insertPdmpCheck(trx, {
      id,
      patient_id: context.patientId,
      checked_at: context.instantOf(parsed.data.day),
      checked_by: actor.staff.userId,
      result: parsed.data.result,
      note: parsed.data.note,
    });
    await flagsFrom(trx, database, actor, context.patientId, ['substance_use']);
    return { detail: { checkId: id, result: parsed.data.result } };
  });
}
