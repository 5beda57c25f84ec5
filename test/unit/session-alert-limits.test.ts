import { describe, expect, it } from 'vitest';
import { ALERT_LIMITS, alertLimitsSchema, alertRulesFor } from '../../src/clinical/sessions/alerts-settings.ts';
import { DEFAULT_VITALS_THRESHOLDS } from '../../src/clinical/sessions/alerts.ts';

const [star] = ALERT_LIMITS.defaults;
const provenance = { source: 's', unverified: true };

describe('session alert limits (per protocol)', () => {
  it('ships the engine’s thresholds under * with 5 minutes to escalation, marked unverified', () => {
    const rules = alertRulesFor(ALERT_LIMITS.defaults, 'crps-10-day', provenance);
    const { source: _s, unverified: _u, ...shipped } = DEFAULT_VITALS_THRESHOLDS;
    expect(rules.thresholds).toMatchObject(shipped);
    expect(rules.escalationMinutes).toBe(5);
    expect(rules.row).toBe('*');
    expect(ALERT_LIMITS.unverified).toBe(true);
    expect(alertLimitsSchema.safeParse(ALERT_LIMITS.defaults).success).toBe(true);
  });

  it('uses a protocol’s own row before *', () => {
    const rows = [star!, { ...star!, protocol: 'booster-4h', heartRateHigh: 130, escalationMinutes: 3 }];
    expect(alertRulesFor(rows, 'booster-4h', provenance)).toMatchObject({
      row: 'booster-4h',
      escalationMinutes: 3,
      thresholds: { heartRateHigh: 130 },
    });
    expect(alertRulesFor(rows, 'short-series', provenance).row).toBe('*');
    expect(alertRulesFor(rows, null, provenance).row).toBe('*');
  });

  it('reads a blank cell as a limit turned off, and refuses a list without *, a protocol twice, odd figures', () => {
    const parsed = alertLimitsSchema.parse([{ ...star!, diastolicHigh: '' }]);
    expect(parsed[0]!.diastolicHigh).toBeNull();
    const issues = (body: unknown) =>
      alertLimitsSchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues([{ ...star!, protocol: 'booster-4h' }]).join()).toMatch(/Keep one row for \*/);
    expect(issues([star, star])).toContain('1.protocol: protocol: * is listed twice');
    expect(issues([{ ...star!, heartRateHigh: 12.5 }])).toContain('0.heartRateHigh: heartRateHigh: a whole number');
    expect(issues([{ ...star!, escalationMinutes: 0 }])).toContain(
      '0.escalationMinutes: escalationMinutes: at least 1',
    );
    expect(issues([{ ...star!, protocol: 'Bad Code' }]).join()).toMatch(/protocol: a protocol code/);
  });
});
