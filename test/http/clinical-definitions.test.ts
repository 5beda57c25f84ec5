import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  currentDefinition,
  definitionVersions,
  saveDefinition,
  type DefinitionKind,
} from '../../src/clinical/definitions/store.ts';
import type { Actor } from '../../src/kernel/audit/staff-audit.ts';
import { dosingSettings } from '../../src/clinical/dosing/settings.ts';
import { RECORD_LIMITS } from '../../src/clinical/record/definitions.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const LIMITS: DefinitionKind<{ maxWeightAgeDays: number }> = {
  kind: 'test-limits',
  label: 'Test limits',
  schema: z.strictObject({ maxWeightAgeDays: z.number().int().min(1, 'at least 1 day').max(365) }),
  defaults: { maxWeightAgeDays: 30 },
  source: 'Clinic practice',
  unverified: true,
};

async function admin(): Promise<Actor> {
  const row = await rt()
    .database.db.selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('email', '=', 'admin@relief.example')
    .executeTakeFirstOrThrow();
  const staff = { userId: row.id, name: row.name, email: row.email, role: 'admin', locationIds: [] };
  return { staff: staff as unknown as Actor['staff'], ip: '203.0.113.5', now: rt().clock.now() };
}

describe(`versioned clinical definitions (${engine})`, () => {
  it('serves the shipped default as version 0, marked unverified, until an administrator saves one', async () => {
    const d = await currentDefinition(rt().database.db, LIMITS);
    expect(d).toMatchObject({ version: 0, body: { maxWeightAgeDays: 30 }, unverified: true, id: null });
  });

  it('saves version after version, each audited with its source; a stale or invalid save writes nothing', async () => {
    const actor = await admin();
    const saved = await saveDefinition(rt().database, actor, LIMITS, {
      body: { maxWeightAgeDays: 14 },
      source: 'Medical director, 2026-12',
      basedOn: 0,
    });
    expect(saved).toMatchObject({ ok: true, version: 1 });
    const now = await currentDefinition(rt().database.db, LIMITS);
    expect(now).toMatchObject({ version: 1, body: { maxWeightAgeDays: 14 }, unverified: false });

    const stale = await saveDefinition(rt().database, actor, LIMITS, {
      body: { maxWeightAgeDays: 60 },
      source: 'x',
      basedOn: 0,
    });
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(Object.keys(stale.fields ?? {})).toEqual(['version']);

    const invalid = await saveDefinition(rt().database, actor, LIMITS, {
      body: { maxWeightAgeDays: 0 },
      source: 'x',
      basedOn: 1,
    });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.fields).toEqual({ maxWeightAgeDays: 'at least 1 day' });

    const noSource = await saveDefinition(rt().database, actor, LIMITS, {
      body: { maxWeightAgeDays: 21 },
      source: '  ',
      basedOn: 1,
    });
    expect(noSource.ok).toBe(false);
    if (!noSource.ok) expect(Object.keys(noSource.fields ?? {})).toEqual(['source']);

    expect((await definitionVersions(rt().database.db, LIMITS)).map((v) => v.version)).toEqual([1]);
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['detail'])
      .where('action', '=', 'clinical.definition.save')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toContain('test-limits');
  });

  it('keeps the weight range and age in one place: the dose calculator reads the clinical record’s limits', async () => {
    const before = await dosingSettings(rt().database.db);
    expect(before.body).toMatchObject({ weightRangeKg: { min: 25, max: 300 }, maxWeightAgeDays: 30 });
    expect(before.unverified).toBe(true);
    const saved = await saveDefinition(rt().database, await admin(), RECORD_LIMITS, {
      body: { weightMinKg: 30, weightMaxKg: 250, weightCurrentDays: 14, heightMinCm: 50, heightMaxCm: 250 },
      source: 'Medical director, 2026-12',
      basedOn: 0,
    });
    expect(saved.ok).toBe(true);
    const after = await dosingSettings(rt().database.db);
    expect(after.body).toMatchObject({ weightRangeKg: { min: 30, max: 250 }, maxWeightAgeDays: 14 });
    expect(after.source).toContain('version 1');
  });
});
