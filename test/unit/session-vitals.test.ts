import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DISSOCIATION_SCALE,
  RASS_SCALE,
  VITALS_LIMITS,
  VITALS_MEASURES,
  vitalsSchema,
  withinPercent,
  type VitalsMeasure,
} from '../../src/clinical/sessions/vitals.ts';

const OK = { systolic: 120, diastolic: 80, heartRate: 70, spo2: 98, respiratoryRate: 14 };

function issues(input: unknown): [string, string][] {
  const r = vitalsSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe('a vitals reading, by hand', () => {
  it('accepts a plain reading and fills the optional measures with null', () => {
    expect(vitalsSchema.parse(OK)).toEqual({ ...OK, temperatureC: null, sedation: null, dissociation: null });
  });

  it('reads a form’s text: numbers as typed, blank optional boxes as not taken', () => {
    expect(
      vitalsSchema.parse({
        systolic: ' 131 ',
        diastolic: '79',
        heartRate: '64',
        spo2: '97',
        respiratoryRate: '12',
        temperatureC: '36.8',
        sedation: '-1',
        dissociation: '',
      }),
    ).toEqual({
      systolic: 131,
      diastolic: 79,
      heartRate: 64,
      spo2: 97,
      respiratoryRate: 12,
      temperatureC: 36.8,
      sedation: -1,
      dissociation: null,
    });
  });

  // The acceptance's impossible values, each refused on its own field with its range in the words.
  const refused: [string, Record<string, unknown>, string, string][] = [
    ['heart rate 0', { heartRate: 0 }, 'heartRate', 'heartRate: must be from 1 to 300 beats/min'],
    ['heart rate 301', { heartRate: 301 }, 'heartRate', 'heartRate: must be from 1 to 300 beats/min'],
    ['SpO₂ 101', { spo2: 101 }, 'spo2', 'spo2: must be from 50 to 100%'],
    ['SpO₂ 49', { spo2: 49 }, 'spo2', 'spo2: must be from 50 to 100%'],
    ['systolic 39', { systolic: 39, diastolic: 30 }, 'systolic', 'systolic: must be from 40 to 300 mmHg'],
    ['systolic 301', { systolic: 301 }, 'systolic', 'systolic: must be from 40 to 300 mmHg'],
    ['diastolic 19', { diastolic: 19 }, 'diastolic', 'diastolic: must be from 20 to 200 mmHg'],
    ['diastolic 201', { systolic: 250, diastolic: 201 }, 'diastolic', 'diastolic: must be from 20 to 200 mmHg'],
    [
      'systolic under diastolic',
      { systolic: 80, diastolic: 120 },
      'diastolic',
      'diastolic: must be below the systolic pressure (80 mmHg)',
    ],
    [
      'systolic equal to diastolic',
      { systolic: 90, diastolic: 90 },
      'diastolic',
      'diastolic: must be below the systolic pressure (90 mmHg)',
    ],
    [
      'respiratory rate 0',
      { respiratoryRate: 0 },
      'respiratoryRate',
      'respiratoryRate: must be from 1 to 80 breaths/min',
    ],
    [
      'respiratory rate 81',
      { respiratoryRate: 81 },
      'respiratoryRate',
      'respiratoryRate: must be from 1 to 80 breaths/min',
    ],
    ['temperature 29.9', { temperatureC: 29.9 }, 'temperatureC', 'temperatureC: must be from 30 to 45°C'],
    ['temperature 45.1', { temperatureC: 45.1 }, 'temperatureC', 'temperatureC: must be from 30 to 45°C'],
    ['temperature 36.55', { temperatureC: 36.55 }, 'temperatureC', 'temperatureC: at most one decimal, 30 to 45°C'],
    ['sedation −6', { sedation: -6 }, 'sedation', 'sedation: must be from -5 to +4 on the RASS'],
    ['sedation +5', { sedation: 5 }, 'sedation', 'sedation: must be from -5 to +4 on the RASS'],
    ['dissociation 4', { dissociation: 4 }, 'dissociation', 'dissociation: must be from 0 to 3'],
    ['dissociation −1', { dissociation: -1 }, 'dissociation', 'dissociation: must be from 0 to 3'],
    ['heart rate 72.5', { heartRate: 72.5 }, 'heartRate', 'heartRate: a whole number from 1 to 300 beats/min'],
    ['heart rate as words', { heartRate: 'seventy' }, 'heartRate', 'heartRate: give a number from 1 to 300 beats/min'],
    ['SpO₂ left blank', { spo2: '' }, 'spo2', 'spo2: give a number from 50 to 100%'],
    ['SpO₂ missing', { spo2: undefined }, 'spo2', 'spo2: give a number from 50 to 100%'],
  ];
  it.each(refused)('refuses %s, naming the field and its range', (_name, change, field, message) => {
    expect(issues({ ...OK, ...change })).toEqual([[field, message]]);
  });

  it('accepts every range’s own edges', () => {
    expect(issues({ ...OK, heartRate: 1, spo2: 100, respiratoryRate: 80, temperatureC: 45, sedation: -5 })).toEqual([]);
    expect(issues({ ...OK, heartRate: 300, spo2: 50, respiratoryRate: 1, temperatureC: 30, sedation: 4 })).toEqual([]);
    expect(issues({ systolic: 300, diastolic: 200, heartRate: 70, spo2: 98, respiratoryRate: 14 })).toEqual([]);
    expect(issues({ systolic: 40, diastolic: 20, heartRate: 70, spo2: 98, respiratoryRate: 14 })).toEqual([]);
    expect(issues({ ...OK, dissociation: 0 })).toEqual([]);
    expect(issues({ ...OK, dissociation: 3 })).toEqual([]);
  });

  it('marks the clinic’s own dissociation rating unverified and labels both scales’ every point', () => {
    expect(DISSOCIATION_SCALE.unverified).toBe(true);
    expect(DISSOCIATION_SCALE.points.map((p) => p.value)).toEqual([0, 1, 2, 3]);
    expect(RASS_SCALE.points.map((p) => p.value)).toEqual([4, 3, 2, 1, 0, -1, -2, -3, -4, -5]);
  });

  const within: [number, number, number, boolean][] = [
    [100, 120, 20, true],
    [100, 121, 20, false],
    [100, 80, 20, true],
    [100, 79, 20, false],
    [125, 150, 20, true],
    [125, 151, 20, false],
    [125, 100, 20, true],
    [125, 99, 20, false],
    [72, 72, 0, true],
    [72, 73, 0, false],
  ];
  it.each(within)('within %d, %d is within %d %%: %s', (baseline, value, pct, expected) => {
    expect(withinPercent(baseline, value, pct)).toBe(expected);
  });
});

describe('a vitals reading, properties', () => {
  const measures = VITALS_MEASURES.filter((m) => m !== 'diastolic' && m !== 'systolic');

  it('accepts any whole reading inside every range, and refuses one just outside a range on that field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<VitalsMeasure>(...measures),
        fc.boolean(),
        fc.integer({ min: 41, max: 300 }),
        (measure, above, systolic) => {
          const { min, max, decimals } = VITALS_LIMITS[measure];
          const step = 10 ** -decimals;
          const reading = { ...OK, systolic, diastolic: Math.min(200, systolic - 1) };
          expect(issues(reading)).toEqual([]);
          const bad = { ...reading, [measure]: above ? max + step : min - step };
          expect(issues(bad).map(([field]) => field)).toEqual([measure]);
        },
      ),
    );
  });

  it('refuses any pressure pair with the systolic not above the diastolic, on diastolic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 200 }), fc.integer({ min: 0, max: 160 }), (systolic, over) => {
        const diastolic = Math.min(200, systolic + over);
        if (diastolic < 20) return;
        expect(issues({ ...OK, systolic, diastolic }).map(([field]) => field)).toContain('diastolic');
      }),
    );
  });

  it('withinPercent is symmetric about the baseline and grows with the percentage', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 100 }),
        (baseline, diff, pct) => {
          expect(withinPercent(baseline, baseline + diff, pct)).toBe(withinPercent(baseline, baseline - diff, pct));
          if (withinPercent(baseline, baseline + diff, pct))
            expect(withinPercent(baseline, baseline + diff, pct + 1)).toBe(true);
        },
      ),
    );
  });
});
