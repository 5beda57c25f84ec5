import { z } from 'zod';

export const tokenParams = z.object({ token: z.string().max(600) });

/** Which day and location a booking page shows, and what just happened (after a redirect). */
export const pickerQuery = z.object({
  location: z.string().max(64).optional(),
  // Checked by the day chooser: a day that does not exist or cannot be booked shows the first open day, with a note.
  day: z.string().max(40).optional(),
  status: z.enum(['booked', 'moved', 'cancelled', 'waitlisted', 'left-waitlist']).optional(),
});
export type PickerQuery = z.infer<typeof pickerQuery>;

/** A time chosen from the list (its instant) at a location. */
export const slotBody = z.object({
  slot: z
    .string({ error: 'Choose a time.' })
    .regex(/^\d{12,14}$/, 'Choose a time from the list.')
    .transform(Number),
  location: z.string({ error: 'Choose a location.' }).max(64),
});
export type SlotChoice = z.ZodSafeParseResult<z.infer<typeof slotBody>>;

export const newLinkBody = z.object({ email: z.string().trim().max(254).pipe(z.email()) });
