import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fieldName,
  ORDER_FIELDS,
  orderName,
  protocolValues,
  readProtocolForm,
  removeName,
  SECTIONS,
} from '../../src/clinical/protocols/protocol-form.ts';
import { DEFAULT_PROTOCOLS, type ProtocolDefinition } from '../../src/clinical/protocols/protocol.ts';

/** What the form can say of an order: its routes are always listed (absent means its one route). */
const normal = (d: ProtocolDefinition): ProtocolDefinition => ({
  ...d,
  extraOrders: d.extraOrders.map((o) => ({ ...o, routes: o.routes ?? [o.route] })),
});
const base = DEFAULT_PROTOCOLS.find((p) => p.extraOrders.length >= 3)!;
/** The form as the page posts it: the stored rows and the empty row to add one. */
const posted = (d: ProtocolDefinition): Record<string, string> => {
  const values = protocolValues(d);
  for (const f of ORDER_FIELDS) if (f.kind !== 'check') values[orderName(d.extraOrders.length, f.key)] = '';
  return values;
};

describe('protocol editor form', () => {
  it('reads back every shipped protocol exactly as it shows it', () => {
    for (const p of DEFAULT_PROTOCOLS) {
      const read = readProtocolForm(p, posted(p));
      expect(read, p.code).toEqual({ ok: true, definition: normal(p) });
    }
  });

  it('shows every figure of every part (a part the schema gains and the form forgets fails here)', () => {
    for (const section of SECTIONS) {
      const keys = Object.keys(base[section.part])
        .filter((k) => k !== 'kind')
        .sort();
      const shown = section.fields.map((f) => f.key);
      for (const key of keys) expect(shown, `${section.part}.${key}`).toContain(key);
    }
  });

  it('names a figure that is not a number, and one the schema refuses, by its field', () => {
    const values = posted(base);
    values[fieldName('dosing', 'capMgPerHour')] = 'lots';
    values[fieldName('induction', 'sessions')] = '';
    const read = readProtocolForm(base, values);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.errors[fieldName('dosing', 'capMgPerHour')]).toBe('Absolute cap (mg/h): a number, such as 0.35');
    expect(read.errors[fieldName('induction', 'sessions')]).toBe('Sessions: required');

    const above = posted(base);
    above[fieldName('dosing', 'startMgPerKgPerHour')] = String(base.dosing.maxMgPerKgPerHour + 1);
    above[fieldName('induction', 'maxDaysBetween')] = '0';
    const refused = readProtocolForm(base, above);
    expect(refused.ok ? {} : refused.errors).toEqual({
      [fieldName('dosing', 'startMgPerKgPerHour')]: 'The starting rate cannot be above the maximum rate',
      [fieldName('induction', 'maxDaysBetween')]: 'The most days between sessions must be at least 1',
    });
  });

  it('adds an order from the empty row, takes one out, and names a refusal by the row the page showed', () => {
    const n = base.extraOrders.length;
    const values = posted(base);
    values[removeName(0)] = 'yes';
    Object.assign(values, {
      [orderName(n, 'drug')]: 'Glycopyrrolate',
      [orderName(n, 'dose')]: '0.2 mg IV',
      [orderName(n, 'route')]: 'IV',
      [orderName(n, 'maxPerSession')]: '0.4 mg',
      [orderName(n, 'asNeeded')]: 'yes',
      [orderName(n, 'doseMg')]: '0.2',
      [orderName(n, 'maxMgPerSession')]: '0.4',
      [orderName(n, 'routes')]: 'IV',
    });
    const read = readProtocolForm(base, values);
    if (!read.ok) throw new Error(JSON.stringify(read.errors));
    expect(read.definition.extraOrders.map((o) => o.drug)).toEqual([
      ...base.extraOrders.slice(1).map((o) => o.drug),
      'Glycopyrrolate',
    ]);
    expect(read.definition.extraOrders.at(-1)).toMatchObject({ doseMg: 0.2, maxMgPerSession: 0.4, asNeeded: true });

    // The new row's single dose above its session limit: named as that row, though row 0 was taken out.
    values[orderName(n, 'doseMg')] = '1';
    const refused = readProtocolForm(base, values);
    expect(refused.ok ? {} : refused.errors).toEqual({
      [orderName(n, 'doseMg')]: 'The largest single dose cannot be above the most in a session',
    });
  });

  it('gives boosters at listed days, or on response when none are listed (which then needs its gap)', () => {
    const values = posted(base);
    values[fieldName('maintenance', 'intervalsDays')] = '30, 90';
    const listed = readProtocolForm(base, values);
    expect(listed.ok && listed.definition.maintenance).toMatchObject({ kind: 'intervals', intervalsDays: [30, 90] });
    values[fieldName('maintenance', 'intervalsDays')] = '';
    values[fieldName('maintenance', 'minDaysBetween')] = '';
    const none = readProtocolForm(base, values);
    expect(none.ok ? {} : none.errors).toHaveProperty(fieldName('maintenance', 'minDaysBetween'));
    values[fieldName('maintenance', 'minDaysBetween')] = '21';
    const onResponse = readProtocolForm(base, values);
    expect(onResponse.ok && onResponse.definition.maintenance).toMatchObject({
      kind: 'on_response',
      minDaysBetween: 21,
    });
  });

  it('never throws, and a refusal always names a field of the page', () => {
    const names = Object.keys(posted(base));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string({ maxLength: 8 }), fc.integer().map(String))),
        (changes) => {
          const values = { ...posted(base), ...changes };
          const read = readProtocolForm(base, values);
          if (read.ok) return;
          for (const name of Object.keys(read.errors)) expect([...names, 'form']).toContain(name);
        },
      ),
      { numRuns: 300 },
    );
  });
});
