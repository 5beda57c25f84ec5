import type { Insertable } from 'kysely';
import type { AppointmentTypeTable, ClinicTable } from '../kernel/db/schema.ts';
import { DEFAULT_ACCENT } from '../kernel/ui/brand/palette.ts';

/** A new clinic's settings beyond its name and contacts; each is edited under Clinic set-up → Clinic. */
export const CLINIC_DEFAULTS = {
  reminder_offsets_min: JSON.stringify([48 * 60, 2 * 60]),
  cancel_cutoff_min: 24 * 60,
  booking_horizon_days: 56,
  booking_link_days: 14,
  accent_color: DEFAULT_ACCENT,
} as const satisfies Partial<Insertable<ClinicTable>>;

export type TypeRow = Omit<Insertable<AppointmentTypeTable>, 'id' | 'retired_at'>;

/**
 * What infusion visits' emails tell the patient beforehand: the clinic practice of shared/clinical-facts.md §8 (not a
 * published standard), worded to name no condition or treatment. Each clinic edits it per type.
 */
export const INFUSION_PREPARATION = [
  'Please have no solid food for 6 hours before your appointment. Clear drinks such as water are fine until 2 hours before.',
  'An adult needs to take you home afterwards. Please do not drive for the rest of the day, and plan no work or important decisions until the next day.',
].join('\n');

/**
 * The four types a clinic starts with (the demo has them; `relief init` offers them for review). An administrator
 * changes, adds and retires types afterwards under Clinic set-up; these are only the starting point.
 */
export const DEFAULT_TYPES: readonly TypeRow[] = [
  {
    code: 'consultation',
    kind: 'consultation',
    name: 'Consultation',
    duration_min: 45,
    buffer_before_min: 0,
    buffer_after_min: 15,
    min_notice_min: 12 * 60,
    step_min: 30,
    needs_provider: 1,
    needs_nurse: 0,
    place: 'room',
    online_bookable: 1,
    preparation: '',
  },
  {
    code: 'infusion',
    kind: 'infusion',
    name: 'Infusion',
    duration_min: 240,
    buffer_before_min: 15,
    buffer_after_min: 30,
    min_notice_min: 24 * 60,
    step_min: 30,
    needs_provider: 0,
    needs_nurse: 1,
    place: 'chair',
    online_bookable: 0,
    preparation: INFUSION_PREPARATION,
  },
  {
    code: 'booster',
    kind: 'booster',
    name: 'Booster infusion',
    duration_min: 120,
    buffer_before_min: 15,
    buffer_after_min: 30,
    min_notice_min: 24 * 60,
    step_min: 30,
    needs_provider: 0,
    needs_nurse: 1,
    place: 'chair',
    online_bookable: 0,
    preparation: INFUSION_PREPARATION,
  },
  {
    code: 'follow-up',
    kind: 'follow-up',
    name: 'Follow-up',
    duration_min: 30,
    buffer_before_min: 0,
    buffer_after_min: 0,
    min_notice_min: 12 * 60,
    step_min: 30,
    needs_provider: 1,
    needs_nurse: 0,
    place: 'room',
    online_bookable: 0,
    preparation: '',
  },
];
