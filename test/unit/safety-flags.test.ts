import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  doseEscalation,
  evaluateFlags,
  liverFlags,
  missedFollowUps,
  substanceUseFlags,
  type PatientFacts,
} from '../../src/clinical/safety/flags.ts';
import { FLAG_RULE_SETTINGS, flagRulesSchema, type FlagRules } from '../../src/clinical/safety/flags-settings.ts';
import { item9RuleOf } from '../../src/clinical/safety/item9-rule.ts';

const RULES: FlagRules = FLAG_RULE_SETTINGS.defaults;
const none: PatientFacts = {
  item9: [],
  doses: [],
  urinary: [],
  labs: [],
  sessions: [],
  misses: [],
  pdmp: [],
  screenings: [],
};
const facts = (over: Partial<PatientFacts>): PatientFacts => ({ ...none, ...over });
const kinds = (f: PatientFacts, rules = RULES) => evaluateFlags(rules, f).map((x) => x.kind);

/** Three verified orders, mg/kg per session as given, with the pre-session pains given. */
const doses = (mgPerKg: number[], pains: Array<number | null> = mgPerKg.map(() => null)) =>
  mgPerKg.map((m, i) => ({ orderId: `o${i}`, at: i * 86_400_000, mgPerKg: m, prePain: pains[i] ?? null }));

describe('safety flag rules (pure)', () => {
  it('the shipped rules parse, and urgent below alert is refused naming the field', () => {
    expect(flagRulesSchema.safeParse(RULES).success).toBe(true);
    const bad = flagRulesSchema.safeParse({ ...RULES, item9AlertAt: 2, item9UrgentAt: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['item9UrgentAt']);
  });

  it('the item-9 rule has no switch: an old saved body with item9On still reads (the switch ignored); thresholds stay 1–3', () => {
    const old = flagRulesSchema.safeParse({ ...RULES, item9On: false });
    expect(old.success).toBe(true);
    expect(old.data).toEqual(RULES);
    expect(kinds(facts({ item9: [{ source: 'check_in', sourceId: 's1', value: 1 }] }), old.data)).toEqual([
      'phq9_item9',
    ]);
    for (const [field, value] of [
      ['item9AlertAt', 0],
      ['item9AlertAt', 4],
      ['item9UrgentAt', 4],
    ] as const)
      expect(flagRulesSchema.safeParse({ ...RULES, [field]: value }).error!.issues[0]!.path).toEqual([field]);
  });

  it('item9RuleOf: the thresholds of the flag rules, the version naming them', () => {
    expect(item9RuleOf({ item9AlertAt: 2, item9UrgentAt: 3 }, 4)).toMatchObject({
      itemKey: 'q9',
      alertAt: 2,
      escalateAt: 3,
      version: 'safety-flag-rules@4',
    });
  });

  it.each([
    [0, null],
    [1, 'alert'],
    [2, 'urgent'],
    [3, 'urgent'],
  ])('PHQ-9 item 9 answered %i: %s', (value, level) => {
    const flags = evaluateFlags(RULES, facts({ item9: [{ source: 'questionnaire', sourceId: 'q1', value }] }));
    expect(flags.map((f) => f.level)).toEqual(level ? [level] : []);
    if (level) expect(flags[0]).toMatchObject({ kind: 'phq9_item9', sourceId: 'q1', holds: false });
  });

  it.each([
    // 20 % is the default: a rise of exactly 20 % does not flag; 20 % and a hair more does.
    [[1, 1.1, 1.19], false],
    [[1, 1.1, 1.2], false],
    [[1, 1.1, 1.21], true],
    [[2, 2, 3], true],
    [[3, 2, 1], false],
  ])('dose escalation over the last 3 sessions, mg/kg %j: flagged %s', (mg, flagged) => {
    expect(doseEscalation(RULES, doses(mg)) !== null).toBe(flagged);
  });

  it('dose escalation: needs N sessions, reads only the last N, and the same response means pain not lower', () => {
    expect(doseEscalation(RULES, doses([1, 2]))).toBeNull();
    // The first of four is outside the window of three: 1.5 → 1.6 is under 20 %.
    expect(doseEscalation(RULES, doses([0.5, 1.5, 1.55, 1.6]))).toBeNull();
    // Pain lower at the latest score than at the earliest: a better response, no flag; the same or higher pain flags.
    expect(doseEscalation(RULES, doses([1, 1.2, 1.5], [7, null, 6]))).toBeNull();
    expect(doseEscalation(RULES, doses([1, 1.2, 1.5], [7, null, 7]))).toMatchObject({ sourceId: 'o2' });
    expect(doseEscalation(RULES, doses([1, 1.2, 1.5], [6, 8, null]))).toMatchObject({ detail: { painScores: 2 } });
    // One pain score cannot show a better response.
    expect(doseEscalation(RULES, doses([1, 1.2, 1.5], [null, 3, null]))).not.toBeNull();
    // The figures are data: 50 % over 2 sessions.
    const loose = { ...RULES, escalationPercent: 50, escalationSessions: 2 };
    expect(doseEscalation(loose, doses([1, 1.5]))).toBeNull();
    expect(doseEscalation(loose, doses([1, 1.51]))).not.toBeNull();
    expect(doseEscalation({ ...RULES, escalationOn: false }, doses([1, 2, 3]))).toBeNull();
  });

  it.each([
    // 3 × ULN of 40 U/L is 120: 119 no, 120 yes (at or above), 121 yes.
    [119, false],
    [120, true],
    [121, true],
  ])('liver: ALT %i with an upper limit of 40 holds: %s', (value, held) => {
    const flags = liverFlags(RULES, [{ id: 'l1', test: 'alt', value, upperLimit: 40 }]);
    expect(flags.length === 1).toBe(held);
    if (held) expect(flags[0]).toMatchObject({ kind: 'liver', holds: true, level: 'urgent', sourceId: 'l1' });
  });

  it('liver: only the rule’s tests, and a result without an upper limit cannot be judged', () => {
    expect(liverFlags(RULES, [{ id: 'a', test: 'ast', value: 300, upperLimit: 35 }])).toHaveLength(1);
    expect(liverFlags(RULES, [{ id: 'b', test: 'alp', value: 390, upperLimit: 130 }])).toHaveLength(1);
    expect(liverFlags(RULES, [{ id: 'c', test: 'creatinine', value: 900, upperLimit: 1.2 }])).toHaveLength(0);
    expect(liverFlags(RULES, [{ id: 'd', test: 'alt', value: 900, upperLimit: null }])).toHaveLength(0);
    expect(liverFlags({ ...RULES, liverOn: false }, [{ id: 'e', test: 'alt', value: 900, upperLimit: 40 }])).toEqual(
      [],
    );
  });

  it.each([
    [0, false],
    [1, true],
    [3, true],
  ])('urinary: %i questions answered yes flags: %s', (yes, flagged) => {
    expect(kinds(facts({ urinary: [{ sessionId: 's1', yes }] }))).toEqual(flagged ? ['urinary'] : []);
  });

  it('urinary: the number of yes answers is data (2 needs two)', () => {
    const two = { ...RULES, urinaryMinYes: 2 };
    expect(kinds(facts({ urinary: [{ sessionId: 's1', yes: 1 }] }), two)).toEqual([]);
    expect(kinds(facts({ urinary: [{ sessionId: 's1', yes: 2 }] }), two)).toEqual(['urinary']);
  });

  it('missed follow-up: a miss after a session with an alert, before the next session', () => {
    const sessions = [
      { id: 's1', at: 100, hadAlert: true },
      { id: 's2', at: 300, hadAlert: false },
    ];
    const flags = missedFollowUps(RULES, {
      sessions,
      misses: [
        { id: 'q-before', kind: 'questionnaire', at: 50 },
        { id: 'q-after-alert', kind: 'questionnaire', at: 200 },
        { id: 'noshow-after-alert', kind: 'no_show', at: 299 },
        { id: 'q-after-quiet', kind: 'questionnaire', at: 400 },
      ],
    });
    expect(flags.map((f) => [f.sourceId, f.source])).toEqual([
      ['q-after-alert', 'questionnaire'],
      ['noshow-after-alert', 'appointment'],
    ]);
  });

  it('substance use: a PDMP check with concerns flags; one without does not', () => {
    expect(
      kinds(
        facts({
          pdmp: [
            { id: 'p1', result: 'no_concerns' },
            { id: 'p2', result: 'concerns' },
          ],
        }),
      ),
    ).toEqual(['substance_use']);
  });

  it.each([
    ['history known at the first screening: the baseline, no flag', ['history'], []],
    ['active misuse at the first screening', ['active'], [['s0', 'urgent', 'first']]],
    ['none, then a history recorded later', ['none', 'history'], [['s1', 'alert', 'none']]],
    ['history, then active', ['history', 'active'], [['s1', 'urgent', 'history']]],
    ['the same history again, or less than before', ['history', 'history', 'none', 'none'], []],
    ['not recorded in between keeps what was known', ['none', null, 'active'], [['s2', 'urgent', 'none']]],
  ] as const)('substance use at screening: %s', (_, recorded, expected) => {
    const screenings = recorded.map((substanceUse, i) => ({ id: `s${i}`, substanceUse }));
    const flags = substanceUseFlags(RULES, { pdmp: [], screenings });
    expect(flags.map((f) => [f.sourceId, f.level, f.detail.before])).toEqual(expected);
    for (const f of flags) expect(f).toMatchObject({ kind: 'substance_use', source: 'screening', holds: false });
  });

  it('substance use: the rules may flag a history already known at the first screening', () => {
    const first = { pdmp: [], screenings: [{ id: 's0', substanceUse: 'history' as const }] };
    expect(substanceUseFlags({ ...RULES, substanceUseKnownHistory: true }, first)).toMatchObject([
      { sourceId: 's0', level: 'alert', detail: { recorded: 'history', before: 'first' } },
    ]);
    // Versions saved before the setting existed read as the shipped default: off.
    const { substanceUseKnownHistory: _, ...older } = RULES;
    expect(flagRulesSchema.parse(older).substanceUseKnownHistory).toBe(false);
  });

  it('property: a rule switched off never raises its kind, and nothing on record raises nothing', () => {
    const factsArb = fc.record({
      item9: fc.array(
        fc.record({ source: fc.constant('questionnaire'), sourceId: fc.uuid(), value: fc.integer({ min: 0, max: 3 }) }),
        { maxLength: 3 },
      ),
      doses: fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { maxLength: 6 }).map((m) => doses(m)),
      urinary: fc.array(fc.record({ sessionId: fc.uuid(), yes: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }),
      labs: fc.array(
        fc.record({
          id: fc.uuid(),
          test: fc.constantFrom('alt', 'ast', 'alp', 'inr'),
          value: fc.option(fc.double({ min: 0, max: 2000, noNaN: true })),
          upperLimit: fc.option(fc.double({ min: 1, max: 200, noNaN: true })),
        }),
        { maxLength: 4 },
      ),
      sessions: fc.array(fc.record({ id: fc.uuid(), at: fc.nat(1000), hadAlert: fc.boolean() }), { maxLength: 4 }),
      misses: fc.array(
        fc.record({
          id: fc.uuid(),
          kind: fc.constantFrom('questionnaire' as const, 'no_show' as const),
          at: fc.nat(1000),
        }),
        { maxLength: 3 },
      ),
      pdmp: fc.array(
        fc.record({ id: fc.uuid(), result: fc.constantFrom('no_concerns' as const, 'concerns' as const) }),
        {
          maxLength: 3,
        },
      ),
      screenings: fc.array(
        fc.record({
          id: fc.uuid(),
          substanceUse: fc.constantFrom('none' as const, 'history' as const, 'active' as const, null),
        }),
        { maxLength: 4 },
      ),
    });
    const switches = [
      ['escalationOn', 'dose_escalation'],
      ['urinaryOn', 'urinary'],
      ['liverOn', 'liver'],
      ['missedFollowUpOn', 'missed_follow_up'],
      ['substanceUseOn', 'substance_use'],
    ] as const;
    fc.assert(
      fc.property(factsArb, fc.constantFrom(...switches), (f, [flag, kind]) => {
        expect(kinds(f, { ...RULES, [flag]: false })).not.toContain(kind);
        // Only the liver rule holds, and every flag names the record that raised it.
        for (const x of evaluateFlags(RULES, f)) {
          expect(x.holds).toBe(x.kind === 'liver');
          expect(x.sourceId.length).toBeGreaterThan(0);
        }
      }),
    );
    expect(evaluateFlags(RULES, none)).toEqual([]);
  });

  it('property: the liver rule holds exactly when value ≥ multiple × upper limit', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (value, upperLimit, multiple) => {
          const held = liverFlags({ ...RULES, liverMultiple: multiple }, [{ id: 'x', test: 'alt', value, upperLimit }]);
          expect(held.length === 1).toBe(value >= multiple * upperLimit);
        },
      ),
    );
  });
});
