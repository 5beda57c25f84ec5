import type { AppointmentTypeTable } from '../kernel/db/schema.ts';

/** The codes are fixed: the booking flow and reports refer to them (their settings are the clinic's). */
export const TYPE_CODES = ['consultation', 'infusion', 'booster', 'follow-up'] as const;

type Needs = Pick<AppointmentTypeTable, 'needs_provider' | 'needs_nurse' | 'place'>;

/** What one appointment of the type holds for its whole time: ['provider', 'room'] or ['nurse', 'chair']. */
export function resourceNeeds(t: Needs): string[] {
  return [t.needs_provider ? 'provider' : '', t.needs_nurse ? 'nurse' : '', t.place === 'none' ? '' : t.place].filter(
    Boolean,
  );
}

/** "Provider, room" or "Nurse, chair" (for tables). */
export function resourceSummary(t: Needs): string {
  const text = resourceNeeds(t).join(', ');
  return text ? text[0]!.toUpperCase() + text.slice(1) : 'Nothing';
}

/** "a nurse and a chair" or "a provider, a nurse and a room" (for sentences). */
export function resourcePhrase(t: Needs): string {
  const each = resourceNeeds(t).map((n) => `a ${n}`);
  return each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : (each[0] ?? 'nothing');
}
