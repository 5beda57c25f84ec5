import { z } from 'zod';
import { plain } from './forms.ts';

export const roomName = plain('name', 1, 60);
export const roomForm = z.object({
  name: roomName,
  kind: z.enum(['room', 'chair'], { error: 'Choose a consultation room or an infusion chair.' }),
});
export type RoomInput = z.infer<typeof roomForm>;
