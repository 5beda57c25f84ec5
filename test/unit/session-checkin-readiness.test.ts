import { describe, expect, it } from 'vitest';
import { START_THRESHOLDS } from '../../src/clinical/sessions/alerts.ts';
import { answersFromForm } from '../../src/clinical/sessions/checkin-answers.ts';
import { askedItems, readiness, type ReadinessFacts } from '../../src/clinical/sessions/checkin-readiness.ts';
import { CHECKIN_CHECKLIST, CHECKLIST_ITEMS } from '../../src/clinical/sessions/checkin-settings.ts';

const HOUR = 3_600_000;
const T = Date.parse('2026-03-03T15:00:00Z');
const row = CHECKIN_CHECKLIST.defaults[0]!;
const calm = {
  systolic: 128,
  diastolic: 82,
  heartRate: 74,
  spo2: 98,
  respiratoryRate: 14,
  temperatureC: null,
  sedation: 0,
  dissociation: 0,
};

const facts = (over: Partial<ReadinessFacts> = {}): ReadinessFacts => ({
  checklist: row,
  answers: {
    identity: true,
    foodHours: 6,
    fluidHours: 2,
    escort: { kind: 'ride', detail: 'Her brother' },
    pregnancy: 'negative',
    medicationChanges: { changed: false },
    pain: 5,
    item9: 0,
  },
  answeredAt: T,
  consentCurrent: true,
  pregnancyPossible: true,
  serial: false,
  preVitals: { vitals: calm, recordedAt: T },
  thresholds: START_THRESHOLDS,
  overrideAt: null,
  item9AlertOpen: false,
  now: T,
  ...over,
});

const codes = (f: ReadinessFacts) => {
  const r = readiness(f);
  return [...r.missing, ...r.blockers].map((p) => p.code);
};

describe('check-in readiness', () => {
  it('is ready with every answer, consent, fasting met at its edge and a calm reading', () => {
    expect(readiness(facts()).ready).toBe(true);
  });

  it('meets the fasting rule at exactly its hours, and half an hour short blocks until then', () => {
    const short = readiness(facts({ answers: { ...facts().answers!, foodHours: 5.5, fluidHours: 1.5 } }));
    expect(short.blockers).toEqual([
      { code: 'fasting_food', metAt: T + HOUR / 2 },
      { code: 'fasting_fluids', metAt: T + HOUR / 2 },
    ]);
    expect(codes(facts({ answers: { ...facts().answers!, foodHours: 5.5 }, now: T + HOUR / 2 }))).toEqual([]);
    expect(codes(facts({ answers: { ...facts().answers!, foodHours: 5.5 }, now: T + HOUR / 2 - 1 }))).toEqual([
      'fasting_food',
    ]);
  });

  it('asks pregnancy only where possible and the urinary screen only at a serial infusion', () => {
    expect(askedItems(row, false, false)).not.toContain('pregnancy');
    expect(askedItems(row, true, false)).not.toContain('urinary');
    expect(askedItems(row, true, true)).toEqual([...CHECKLIST_ITEMS]);
    expect(codes(facts({ serial: true }))).toEqual(['missing_urinary']);
  });

  it('lets a provider’s override cover the reading it saw, not a later one', () => {
    const high = { vitals: { ...calm, systolic: 180 }, recordedAt: T };
    expect(codes(facts({ preVitals: high }))).toEqual(['start_vitals']);
    expect(readiness(facts({ preVitals: high, overrideAt: T + 1 })).ready).toBe(true);
    expect(codes(facts({ preVitals: { ...high, recordedAt: T + 2 }, overrideAt: T + 1 }))).toEqual(['start_vitals']);
    // One below the limit never blocks.
    expect(codes(facts({ preVitals: { vitals: { ...calm, systolic: 179 }, recordedAt: T } }))).toEqual([]);
  });

  it('blocks for consent, a positive test and an open self-harm alert; lists missing answers and vitals', () => {
    expect(codes(facts({ consentCurrent: false }))).toEqual(['consent_not_current']);
    expect(codes(facts({ answers: { ...facts().answers!, pregnancy: 'positive' } }))).toEqual(['pregnancy_positive']);
    expect(codes(facts({ item9AlertOpen: true }))).toEqual(['item9_alert']);
    // A safety flag holding infusions (the liver rule) blocks until a provider closes it.
    expect(codes(facts({ safetyHold: true }))).toEqual(['safety_hold']);
    expect(codes(facts({ answers: null, answeredAt: null, preVitals: null }))).toEqual([
      'missing_identity',
      'missing_fasting',
      'missing_escort',
      'missing_pregnancy',
      'missing_medication_changes',
      'missing_pain',
      'missing_phq9_item9',
      'missing_vitals',
    ]);
  });
});

describe('check-in answers from the form', () => {
  const all = new Set(CHECKLIST_ITEMS);
  it('keeps what is given, ignores what is not asked, and names each impossible answer', () => {
    expect(answersFromForm({ identity: 'yes', pain: '0', item9: '3' }, all)).toEqual({
      answers: { identity: true, pain: 0, item9: 3 },
    });
    expect(answersFromForm({ pain: '7' }, new Set(['identity', 'consent'] as const))).toEqual({ answers: {} });
    const refused = answersFromForm(
      { food_hours: '2', fluid_hours: '3', escort: 'escort', escort_name: 'S', escort_phone: '12', pain: '-1' },
      all,
    );
    expect(refused).toEqual({
      errors: {
        fluid_hours: expect.stringContaining('at most the hours since food'),
        escort_name: expect.stringContaining('2 to 120 characters'),
        escort_phone: expect.stringContaining('7 to 20 digits'),
        pain: 'Pain now: a whole number from 0 to 10',
      },
    });
  });
});
