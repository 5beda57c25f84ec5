import { z } from 'zod';
import type { PlaceNeed } from '../kernel/db/schema.ts';
import { TYPE_KINDS } from '../scheduling/type-needs.ts';
import { checkbox, fiveMinutes, plain, whole, type Values } from './forms.ts';
import type { AppointmentType } from './repository.ts';

const PLACES = ['none', 'room', 'chair'] as const satisfies readonly PlaceNeed[];

/** The kind is chosen once, when the type is added: visits already booked were booked as that kind. */
export const kindField = z.enum(TYPE_KINDS, {
  error: 'Choose what kind of appointment it is: consultation, infusion, booster infusion or follow-up.',
});

/**
 * What to tell the patient before a visit, in the confirmation and reminders: plain text, a few lines. Emails can be
 * read by others, so the hint asks for no condition or treatment by name.
 */
const preparationField = z
  .string()
  .trim()
  .max(1500, 'Use at most 1,500 characters.')
  .refine((v) => !/[<>]/.test(v), 'Use plain text, without < or >.')
  .optional()
  .default('');

export const typeForm = z
  .object({
    name: plain('name', 2, 60),
    duration: fiveMinutes('duration', 5, 720),
    buffer_before: fiveMinutes('buffer before', 0, 120),
    buffer_after: fiveMinutes('buffer after', 0, 120),
    notice: whole('minimum notice', 0, 336, 'hours'),
    step: fiveMinutes('time step', 5, 240),
    needs_provider: checkbox,
    needs_nurse: checkbox,
    place: z.enum(PLACES, { error: 'Choose which place it needs: none, a consultation room or an infusion chair.' }),
    online_bookable: checkbox,
    preparation: preparationField,
  })
  // With nothing held, the database could not stop two bookings of the same time.
  .refine((v) => v.needs_provider || v.needs_nurse || v.place !== 'none', {
    path: ['place'],
    message: 'An appointment must take at least one resource: a provider, a nurse, a room or a chair.',
  })
  // An appointment's busy time (with buffers) must fit in a day; the database refuses longer.
  .refine((v) => v.duration + v.buffer_before + v.buffer_after <= 1440, {
    path: ['duration'],
    message: 'The duration and both buffers together must fit in 24 hours.',
  });
export type TypeInput = z.infer<typeof typeForm>;

/** A saved type as form values. */
export const typeValues = (t: AppointmentType): Values => ({
  name: t.name,
  duration: String(t.duration_min),
  buffer_before: String(t.buffer_before_min),
  buffer_after: String(t.buffer_after_min),
  notice: String(Math.round((t.min_notice_min / 60) * 100) / 100),
  step: String(t.step_min),
  needs_provider: t.needs_provider ? 'yes' : '',
  needs_nurse: t.needs_nurse ? 'yes' : '',
  place: t.place,
  online_bookable: t.online_bookable ? 'yes' : '',
  preparation: t.preparation,
});

/** A new type: its kind too. */
export const newTypeForm = typeForm.and(z.object({ kind: kindField }));
export type NewTypeInput = z.infer<typeof newTypeForm>;

/** The starting values of the form for a new type: a follow-up's (a provider and a room). */
export const newTypeValues: Values = {
  name: '',
  kind: '',
  duration: '30',
  buffer_before: '0',
  buffer_after: '0',
  notice: '12',
  step: '30',
  needs_provider: 'yes',
  needs_nurse: '',
  place: 'room',
  online_bookable: '',
  preparation: '',
};
