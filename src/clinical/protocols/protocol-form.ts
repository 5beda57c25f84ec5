/**
 * The protocol editor's form as data: every figure of a protocol version as a named field, its values read from a
 * definition and a definition read back from posted values, with each refusal named by its field. Pure: the page
 * lays the fields out, the service saves the definition as the next version, and a round-trip test keeps this file
 * and `protocolSchema` in step (a figure the schema gains and this file forgets fails it).
 */
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import { protocolSchema, type ProtocolDefinition } from './protocol.ts';

export type FieldKind = 'number' | 'optional-number' | 'text' | 'check' | 'numbers' | 'texts';

export interface FormField {
  key: string;
  label: string;
  kind: FieldKind;
  hint?: string;
}

export interface FormSection {
  /** The definition's part, also the prefix of each field's name (`dosing_capMgPerHour`). */
  part: 'induction' | 'maintenance' | 'dosing' | 'bag' | 'monitoring' | 'discharge';
  title: string;
  fields: FormField[];
}

const SOURCE: FormField[] = [
  { key: 'source', label: 'Source', kind: 'text', hint: 'The publication or decision these figures come from' },
  { key: 'unverified', label: 'Not confirmed against a published source (shown as Unverified)', kind: 'check' },
];

export const SECTIONS: FormSection[] = [
  {
    part: 'induction',
    title: 'The initial series',
    fields: [
      { key: 'sessions', label: 'Sessions', kind: 'number' },
      { key: 'hoursPerSession', label: 'Hours per session', kind: 'number' },
      { key: 'minDaysBetween', label: 'Fewest days between sessions', kind: 'number' },
      { key: 'maxDaysBetween', label: 'Most days between sessions', kind: 'number' },
      { key: 'windowDays', label: 'Every session within this many days of the first', kind: 'number' },
      ...SOURCE,
    ],
  },
  {
    part: 'maintenance',
    title: 'Boosters',
    fields: [
      { key: 'hoursPerSession', label: 'Hours per booster', kind: 'number' },
      {
        key: 'intervalsDays',
        label: 'Boosters at these days after the last session of the series',
        kind: 'numbers',
        hint: 'Separated by commas, such as 30, 90. Leave empty to give boosters on response instead',
      },
      {
        key: 'minDaysBetween',
        label: 'On response: fewest days between boosters',
        kind: 'optional-number',
        hint: 'Used only when no booster days are listed above',
      },
      ...SOURCE,
    ],
  },
  {
    part: 'dosing',
    title: 'Dosing',
    fields: [
      { key: 'startMgPerKgPerHour', label: 'Starting rate (mg/kg/h)', kind: 'number' },
      {
        key: 'titrationStepMgPerKgPerHour',
        label: 'Titration step (mg/kg/h)',
        kind: 'optional-number',
        hint: 'Empty when the rate is not titrated',
      },
      { key: 'maxMgPerKgPerHour', label: 'Maximum rate (mg/kg/h)', kind: 'number' },
      { key: 'capMgPerHour', label: 'Absolute cap (mg/h)', kind: 'number' },
      { key: 'maxMgPerSession', label: 'Most in a session (mg)', kind: 'number' },
      { key: 'bolusMaxMgPerKg', label: 'Largest bolus (mg/kg)', kind: 'optional-number', hint: 'Empty for no bolus' },
      ...SOURCE,
    ],
  },
  {
    part: 'bag',
    title: 'The bag',
    fields: [
      { key: 'drugMg', label: 'Ketamine in the bag (mg)', kind: 'number' },
      { key: 'volumeMl', label: 'Bag volume (mL)', kind: 'number' },
      ...SOURCE,
    ],
  },
  {
    part: 'monitoring',
    title: 'Vital signs',
    fields: [
      { key: 'firstHourEveryMinutes', label: 'In the first hour, every (minutes)', kind: 'number' },
      { key: 'thenEveryMinutes', label: 'After the first hour, every (minutes)', kind: 'number' },
      ...SOURCE,
    ],
  },
  {
    part: 'discharge',
    title: 'Recovery and discharge',
    fields: [
      { key: 'minObservationMinutes', label: 'Observation after the infusion stops (minutes)', kind: 'number' },
      { key: 'aldreteAtLeast', label: 'Modified Aldrete score at least', kind: 'number' },
      { key: 'escortRequired', label: 'An adult escort is required', kind: 'check' },
      ...SOURCE,
    ],
  },
];

/** One other order (a rescue or as-needed medication); `routes` is the list a nurse may record a dose by. */
export const ORDER_FIELDS: FormField[] = [
  { key: 'drug', label: 'Drug', kind: 'text' },
  { key: 'dose', label: 'Dose, in words', kind: 'text', hint: 'As the order reads, such as 4 mg IV' },
  { key: 'route', label: 'Usual route', kind: 'text' },
  { key: 'maxPerSession', label: 'Most in a session, in words', kind: 'text', hint: 'Such as 8 mg' },
  { key: 'asNeeded', label: 'Given as needed (not routinely)', kind: 'check' },
  { key: 'doseMg', label: 'Largest single dose (mg)', kind: 'optional-number' },
  { key: 'maxMgPerSession', label: 'Most in a session (mg)', kind: 'optional-number' },
  { key: 'routes', label: 'Routes a dose may be recorded by', kind: 'texts', hint: 'Separated by commas' },
];

export const fieldName = (part: string, key: string) => `${part}_${key}`;
export const orderName = (index: number, key: string) => `order_${index}_${key}`;
/** Ticked to take an order out of the next version. */
export const removeName = (index: number) => `order_${index}_remove`;
export const ORDERS_SOURCE = 'orders';

/** A stored figure as the form shows it: numbers and words as typed, lists joined by commas, a tick as 'yes'. */
function show(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : '';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return v.map(show).join(', ');
  return '';
}

/** The values the editor opens with, and one empty row to add an order. */
export function protocolValues(def: ProtocolDefinition): Values {
  const values: Values = { name: def.name, indication: def.indication };
  for (const section of SECTIONS) {
    const part = def[section.part] as unknown as Record<string, unknown>;
    for (const f of section.fields) values[fieldName(section.part, f.key)] = show(part[f.key]);
  }
  def.extraOrders.forEach((order, i) => {
    const o = { ...order, routes: order.routes ?? [order.route] } as unknown as Record<string, unknown>;
    for (const f of ORDER_FIELDS) values[orderName(i, f.key)] = show(o[f.key]);
  });
  values[fieldName(ORDERS_SOURCE, 'source')] = def.extraOrdersSource.source;
  values[fieldName(ORDERS_SOURCE, 'unverified')] = show(def.extraOrdersSource.unverified);
  return values;
}

/** The number of order rows the posted form carries: those of the version it was opened on, plus the empty one. */
export function postedOrderCount(values: Values): number {
  let n = 0;
  // The schema allows 20 orders; rows past 21 are never read, however many a crafted post carries.
  while (n < 21 && Object.hasOwn(values, orderName(n, 'drug'))) n++;
  return n;
}

type Read = { ok: true; value: unknown } | { ok: false; message: string };

function read(kind: FieldKind, raw: string | undefined, label: string): Read {
  const text = (raw ?? '').trim();
  const num = (t: string): number | undefined => (/^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined);
  switch (kind) {
    case 'check':
      return { ok: true, value: text === 'yes' };
    case 'text':
      return { ok: true, value: text };
    case 'texts':
      return {
        ok: true,
        value: text
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      };
    case 'number':
    case 'optional-number': {
      if (text === '')
        return kind === 'number' ? { ok: false, message: `${label}: required` } : { ok: true, value: null };
      const n = num(text);
      return n === undefined ? { ok: false, message: `${label}: a number, such as 0.35` } : { ok: true, value: n };
    }
    case 'numbers': {
      const parts = text === '' ? [] : text.split(',').map((t) => t.trim());
      const nums = parts.map(num);
      return nums.some((n) => n === undefined)
        ? { ok: false, message: `${label}: whole numbers separated by commas, such as 30, 90` }
        : { ok: true, value: nums };
    }
  }
}

/** The field a schema refusal belongs to, by its path in the definition. */
function nameOfPath(path: readonly PropertyKey[]): string {
  const [part, second, third] = path.map(String);
  if (part === 'extraOrders' && second !== undefined && third !== undefined) return orderName(Number(second), third);
  if (part === 'extraOrdersSource' && second !== undefined) return fieldName(ORDERS_SOURCE, second);
  if ((part === 'name' || part === 'indication') && second === undefined) return part;
  if (part !== undefined && second !== undefined && SECTIONS.some((s) => s.part === part)) {
    // A list's item (a booster day) is named as the list.
    return fieldName(part, second);
  }
  return 'form';
}

export type ReadProtocol = { ok: true; definition: ProtocolDefinition } | { ok: false; errors: Errors };

/**
 * The definition a posted form describes, on top of the version it was opened on (its code stays), or every refusal
 * by field. An order row whose drug is empty, or whose "remove" is ticked, is left out.
 */
export function readProtocolForm(base: ProtocolDefinition, values: Values): ReadProtocol {
  const errors: Errors = {};
  const take = (name: string, f: FormField) => {
    const r = read(f.kind, values[name], f.label);
    if (!r.ok) errors[name] ??= r.message;
    return r.ok ? r.value : undefined;
  };
  const draft: Record<string, unknown> = {
    code: base.code,
    name: take('name', { key: 'name', label: 'Name', kind: 'text' }),
    indication: take('indication', { key: 'indication', label: 'Indication', kind: 'text' }),
  };
  for (const section of SECTIONS) {
    const part: Record<string, unknown> = {};
    for (const f of section.fields) part[f.key] = take(fieldName(section.part, f.key), f);
    draft[section.part] = part;
  }
  // Boosters are either at listed days or on response: the list decides, and the other figure is dropped.
  const m = draft.maintenance as Record<string, unknown>;
  const days = m.intervalsDays as number[] | undefined;
  if (days && days.length > 0) {
    draft.maintenance = { ...m, kind: 'intervals', minDaysBetween: undefined };
  } else {
    if (m.minDaysBetween === null)
      errors[fieldName('maintenance', 'minDaysBetween')] ??=
        'List booster days, or give the fewest days between boosters on response';
    draft.maintenance = { ...m, kind: 'on_response', intervalsDays: undefined };
  }
  const orders: unknown[] = [];
  for (let i = 0; i < postedOrderCount(values); i++) {
    if (values[removeName(i)] === 'yes' || (values[orderName(i, 'drug')] ?? '').trim() === '') continue;
    const o: Record<string, unknown> = {};
    for (const f of ORDER_FIELDS) o[f.key] = take(orderName(i, f.key), f);
    // Limits are optional as a pair; an empty one is absent, not null.
    for (const key of ['doseMg', 'maxMgPerSession']) if (o[key] === null) delete o[key];
    if (Array.isArray(o.routes) && o.routes.length === 0) delete o.routes;
    orders.push({ index: i, order: o });
  }
  draft.extraOrders = orders.map((o) => (o as { order: unknown }).order);
  draft.extraOrdersSource = {
    source: take(fieldName(ORDERS_SOURCE, 'source'), SOURCE[0]!),
    unverified: take(fieldName(ORDERS_SOURCE, 'unverified'), SOURCE[1]!),
  };
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const checked = protocolSchema.safeParse(draft);
  if (!checked.success) {
    // Orders left out shift the schema's indexes: name each refusal by the row as the page showed it.
    const rows = orders.map((o) => (o as { index: number }).index);
    for (const issue of checked.error.issues) {
      const path = [...issue.path];
      if (path[0] === 'extraOrders' && typeof path[1] === 'number') path[1] = rows[path[1]] ?? path[1];
      errors[nameOfPath(path)] ??= issue.message;
    }
    return { ok: false, errors };
  }
  return { ok: true, definition: checked.data };
}
