import type { Actor } from '../../src/kernel/audit/staff-audit.ts';
import { FLAG_RULE_SETTINGS, flagRules, saveDefinition, type FlagRules } from '../../src/clinical/service.ts';
import type { TestRuntime } from './runtime.ts';

/** The demo administrator as an actor, for saving a clinical definition directly. */
export async function adminActor(rt: TestRuntime): Promise<Actor> {
  const row = await rt.database.db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', 'admin@relief.example')
    .executeTakeFirstOrThrow();
  const staff = { userId: row.id, name: row.name, email: row.email, role: 'admin', locationIds: [] };
  return { staff: staff as unknown as Actor['staff'], ip: '203.0.113.5', now: rt.clock.now() };
}

/** Saves the safety flag rules with these changes on the version in force; returns the new version. */
export async function saveFlagRules(rt: TestRuntime, change: Partial<FlagRules>): Promise<number> {
  const current = await flagRules(rt.database.db);
  const saved = await saveDefinition(rt.database, await adminActor(rt), FLAG_RULE_SETTINGS, {
    body: { ...current.body, ...change },
    source: 'Test: the clinic raised the item-9 threshold',
    basedOn: current.version,
  });
  if (!saved.ok) throw new Error(`flag rules not saved: ${JSON.stringify(saved)}`);
  return (await flagRules(rt.database.db)).version;
}
