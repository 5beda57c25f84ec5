/**
 * The screening form, both ways: the posted fields read into a screening's input with a message per field, and an
 * input written back as the form's values. Pure. Field names are `fact-<key>`, `symptom-<category>`,
 * `sign-<category>`, `css-<item>`, `vital-<name>`, `override-<rule>` with `override_reason-<rule>`; yes-or-no
 * findings post 'yes', 'no' or '' (not yet assessed).
 */
import type { Values, Errors } from '../../kernel/ui/form.tsx';
import { CATEGORIES, type BudapestFindings } from './budapest.ts';
import type { ContraindicationRuleSet, Override } from './contraindications.ts';
import { type FactDefinition, type FactKey, type Facts, MEDICATION_CLASSES } from './facts.ts';
import { CSS } from '../instruments/css.ts';
import { EDITABLE_FACTS, type FactSource, type ScreeningInput, type Vitals } from './screening.ts';

export const VITALS = [
  { key: 'heart_rate', field: 'heartRate', label: 'Heart rate', unit: 'beats a minute', min: 20, max: 250 },
  { key: 'spo2', field: 'spo2', label: 'Oxygen saturation (SpO₂)', unit: '%', min: 50, max: 100 },
] as const;

const MAX_REASON = 500;

const str = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
};

function triState(raw: string): boolean | null | undefined {
  return raw === 'yes' ? true : raw === 'no' ? false : raw === '' ? null : undefined;
}

function readNumber(raw: string, label: string, unit: string, min: number, max: number): number | null | string {
  if (raw === '') return null;
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(raw)) return `${label}: a number in ${unit}`;
  const n = Number(raw);
  return n < min || n > max ? `${label}: from ${min} to ${max} ${unit}` : n;
}

function readFactField(def: FactDefinition, body: Record<string, unknown>, errors: Errors): unknown {
  const name = `fact-${def.key}`;
  const raw = str(body, name);
  switch (def.type) {
    case 'boolean': {
      const v = triState(raw);
      if (v === undefined) errors[name] = `${def.label}: yes, no, or not yet known`;
      return v ?? null;
    }
    case 'number': {
      const v = readNumber(raw, def.label, def.unit, def.min, def.max);
      if (typeof v === 'string') errors[name] = v;
      return typeof v === 'number' ? v : null;
    }
    case 'choice': {
      if (raw === '') return null;
      if (!def.options.some((o) => o.value === raw))
        errors[name] = `${def.label}: one of ${def.options.map((o) => o.label).join(', ')}`;
      return def.options.some((o) => o.value === raw) ? raw : null;
    }
    case 'classes':
      // Every box unticked is a known answer: none of these classes.
      return def.options.filter((o) => str(body, `${name}-${o.value}`) === 'yes').map((o) => o.value);
    case 'lab':
      return null;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The posted form as a screening input. `testFacts` come from the record (never the form); `prefilled` is what the
 * page opened with, so that a value the provider changed is marked as theirs, and an unchanged one keeps its source.
 */
export function readScreeningForm(
  body: Record<string, unknown>,
  rules: ContraindicationRuleSet,
  prefilled: Pick<ScreeningInput, 'facts' | 'sources'>,
  testFacts: Facts,
): { input: ScreeningInput; errors: Errors } {
  const errors: Errors = {};
  const facts: Record<string, unknown> = {};
  const sources: Partial<Record<FactKey, FactSource>> = {};
  for (const def of EDITABLE_FACTS) {
    const value = readFactField(def, body, errors);
    facts[def.key] = value;
    const key = def.key as FactKey;
    const before = (prefilled.facts as Record<string, unknown>)[key];
    const source = prefilled.sources[key];
    if (source && same(before, value)) sources[key] = source;
    else if (value !== null && !(Array.isArray(value) && value.length === 0 && before == null))
      sources[key] = 'provider';
  }
  Object.assign(facts, testFacts);

  const finding = (name: string, label: string) => {
    const v = triState(str(body, name));
    if (v === undefined) errors[name] = `${label}: yes, no, or not yet assessed`;
    return v ?? null;
  };
  const budapest: BudapestFindings = {
    disproportionatePain: finding('budapest-pain', 'Pain out of proportion'),
    symptoms: Object.fromEntries(
      CATEGORIES.map((c) => [c, finding(`symptom-${c}`, `Symptom, ${c}`)]),
    ) as BudapestFindings['symptoms'],
    signs: Object.fromEntries(
      CATEGORIES.map((c) => [c, finding(`sign-${c}`, `Sign, ${c}`)]),
    ) as BudapestFindings['signs'],
    betterExplanation: finding('budapest-explanation', 'Better explained by another diagnosis'),
  };
  const css = Object.fromEntries(CSS.items.map((i) => [i.key, finding(`css-${i.key}`, i.label)]));
  const vitals = {} as Record<keyof Vitals, number | null>;
  for (const v of VITALS) {
    const n = readNumber(str(body, `vital-${v.key}`), v.label, v.unit, v.min, v.max);
    if (typeof n === 'string') errors[`vital-${v.key}`] = n;
    vitals[v.field] = typeof n === 'number' ? n : null;
  }

  const overrides: Override[] = [];
  for (const rule of rules.rules) {
    if (rule.effect !== 'overridable' || str(body, `override-${rule.id}`) !== 'yes') continue;
    const reason = str(body, `override_reason-${rule.id}`);
    const field = `override_reason-${rule.id}`;
    if (reason === '') errors[field] = `${rule.label}: give the reason for overriding this stop`;
    else if (reason.length > MAX_REASON)
      errors[field] = `${rule.label}: the reason is at most ${MAX_REASON} characters`;
    else overrides.push({ ruleId: rule.id, reason });
  }
  return {
    input: {
      facts: facts,
      sources,
      budapest,
      css: { version: CSS.version, findings: css },
      vitals,
      overrides,
    },
    errors,
  };
}

const tri = (v: boolean | null | undefined) => (v === true ? 'yes' : v === false ? 'no' : '');

/** A screening input as the form's values. */
export function screeningValues(input: ScreeningInput): Values {
  const values: Values = {};
  const facts = input.facts as Record<string, unknown>;
  for (const def of EDITABLE_FACTS) {
    const v = facts[def.key];
    const name = `fact-${def.key}`;
    if (def.type === 'boolean') values[name] = tri(v as boolean | null);
    else if (def.type === 'classes') {
      for (const c of MEDICATION_CLASSES)
        if (Array.isArray(v) && v.includes(c.value)) values[`${name}-${c.value}`] = 'yes';
    } else if (typeof v === 'number' || typeof v === 'string') values[name] = String(v);
  }
  values['budapest-pain'] = tri(input.budapest.disproportionatePain);
  values['budapest-explanation'] = tri(input.budapest.betterExplanation);
  for (const c of CATEGORIES) {
    values[`symptom-${c}`] = tri(input.budapest.symptoms[c]);
    values[`sign-${c}`] = tri(input.budapest.signs[c]);
  }
  for (const item of CSS.items) values[`css-${item.key}`] = tri(input.css.findings[item.key]);
  for (const v of VITALS) {
    const n = input.vitals[v.field];
    if (n !== null) values[`vital-${v.key}`] = String(n);
  }
  for (const o of input.overrides) {
    values[`override-${o.ruleId}`] = 'yes';
    values[`override_reason-${o.ruleId}`] = o.reason;
  }
  return values;
}
