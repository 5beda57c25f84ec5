/**
 * The part of a plan's definition (its copy of the protocol, with the provider's changes) that a dose order reads:
 * the dosing rule, the standard bag, and how long a session of each kind lasts. Pure.
 */
import { z } from 'zod';
import type { Bag, DosingRule } from './dose.ts';
import { dosingRuleSchema } from '../protocols/protocol.ts';

export interface PlanDosing {
  rule: DosingRule & { source: string; unverified: boolean };
  bag: Bag & { source: string; unverified: boolean };
  hours: { induction: number; booster: number };
}

const hours = z.object({ hoursPerSession: z.number().positive().max(24) });
const planDosingSchema = z.object({
  dosing: dosingRuleSchema,
  bag: z.object({
    drugMg: z.number().positive(),
    volumeMl: z.number().positive(),
    source: z.string(),
    unverified: z.boolean(),
  }),
  induction: hours,
  maintenance: hours,
});

/** The plan's dosing, or undefined when its definition cannot be read as one (never guessed). */
export function planDosing(definition: string): PlanDosing | undefined {
  let json: unknown;
  try {
    json = JSON.parse(definition);
  } catch {
    return undefined;
  }
  const parsed = planDosingSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { dosing, bag, induction, maintenance } = parsed.data;
  return {
    rule: dosing,
    bag,
    hours: { induction: induction.hoursPerSession, booster: maintenance.hoursPerSession },
  };
}
