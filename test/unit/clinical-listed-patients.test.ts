import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IDS_PER_EVENT, IDS_PER_KEY, listedPatients } from '../../src/clinical/listed-patients.ts';
import { MAX_DETAIL_STRING, serialiseDetail } from '../../src/kernel/audit/audit.ts';

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const named = (details: ReturnType<typeof listedPatients>) =>
  details.flatMap((d) =>
    Object.entries(d)
      .filter(([k]) => /^patients\d*$/.test(k))
      .flatMap(([, v]) => String(v).split(' ')),
  );

describe('the audit of a list of patients', () => {
  it('an empty list is one event naming nobody', () => {
    expect(listedPatients([], { shown: 0 })).toEqual([{ shown: 0, patientsShown: 0 }]);
  });

  it.each([1, IDS_PER_KEY, IDS_PER_KEY + 1, IDS_PER_EVENT - 1, IDS_PER_EVENT, IDS_PER_EVENT + 1, 250])(
    '%i patients: each named once, every string and key within the audit trail’s limits',
    (n) => {
      const list = ids(n);
      const details = listedPatients([...list, ...list.slice(0, 3)], { shown: n + 3 });
      expect(details).toHaveLength(Math.ceil(n / IDS_PER_EVENT));
      expect(named(details)).toEqual(list);
      for (const d of details) {
        expect(() => serialiseDetail(d)).not.toThrow();
        for (const v of Object.values(d))
          if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(MAX_DETAIL_STRING);
        expect(d.patientsShown).toBe(n);
        if (details.length > 1) expect(d.parts).toBe(details.length);
        else expect(d).not.toHaveProperty('part');
      }
    },
  );
});
