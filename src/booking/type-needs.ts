import type { AppointmentTypeTable } from '../db/schema.ts';

/** The codes are fixed: the booking flow and reports refer to them (their settings are the clinic's). */
export const TYPE_CODES = ['consultation', 'infusion', 'booster', 'follow-up'] as const;

/** "Provider, room" or "Nurse, chair": what one appointment of the type holds for its whole time. */
export function resourceSummary(t: Pick<AppointmentTypeTable, 'needs_provider' | 'needs_nurse' | 'place'>): string {
  const parts = [t.needs_provider ? 'provider' : '', t.needs_nurse ? 'nurse' : '', t.place === 'none' ? '' : t.place].filter(Boolean);
  const text = parts.join(', ');
  return text ? text[0]!.toUpperCase() + text.slice(1) : 'Nothing';
}
