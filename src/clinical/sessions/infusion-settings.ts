/**
 * The side effects a nurse records during an infusion, as a list the medical director edits, and the severity grades
 * they are recorded with. The list is the one issue 12 names (what ketamine clinics watch for); the grades follow the
 * shape of the NCI's CTCAE (1 mild, 2 moderate, 3 severe, 4 life-threatening) without its per-effect wording, which
 * this product has not checked, so both are marked unverified.
 */
import { z } from 'zod';
import type { DefinitionKind } from '../definitions/store.ts';

export interface SideEffectItem {
  code: string;
  label: string;
}

const text = (field: string, max: number) =>
  z
    .string({ error: `${field}: required` })
    .trim()
    .min(1, `${field}: required`)
    .max(max, `${field}: at most ${max} characters`)
    .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), `${field}: no control or invisible characters`);

const sideEffectsSchema: z.ZodType<SideEffectItem[]> = z
  .array(
    z.strictObject({
      code: z.string().regex(/^[a-z0-9_]{1,40}$/, 'code: lower-case letters, digits and _'),
      label: text('label', 80),
    }),
  )
  .min(1, 'At least one side effect')
  .max(40, 'At most 40 side effects')
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, i) => {
      if (seen.has(row.code))
        ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `Side effect ${row.code} is listed twice` });
      seen.add(row.code);
    });
  });

export const SIDE_EFFECTS: DefinitionKind<SideEffectItem[]> = {
  kind: 'session-side-effects',
  label: 'Infusion side effects',
  schema: sideEffectsSchema,
  defaults: [
    { code: 'nausea_vomiting', label: 'Nausea or vomiting' },
    { code: 'hypertension', label: 'Hypertension' },
    { code: 'tachycardia', label: 'Tachycardia' },
    { code: 'anxiety_dissociation', label: 'Anxiety or dissociation' },
    { code: 'hallucinations', label: 'Hallucinations' },
    { code: 'excessive_sedation', label: 'Excessive sedation' },
    { code: 'headache', label: 'Headache' },
    { code: 'dizziness', label: 'Dizziness' },
    { code: 'vision', label: 'Blurred or double vision' },
    { code: 'hypersalivation', label: 'Hypersalivation' },
  ],
  source:
    'Issue 12’s list of what an infusion is watched for; clinics name nausea, dizziness, headache, blood-pressure ' +
    'rise and anxiety (clinical-facts §8, clinic practice). Graded 1–4 in the shape of CTCAE, not its wording',
  unverified: true,
};

/** The grades a side effect is recorded with (CTCAE's shape; grade 5, death, is not a grade a nurse records here). */
export const SIDE_EFFECT_GRADES: ReadonlyArray<{ grade: 1 | 2 | 3 | 4; label: string }> = [
  { grade: 1, label: 'Grade 1, mild: noticed, no treatment needed' },
  { grade: 2, label: 'Grade 2, moderate: treated, or the rate lowered' },
  { grade: 3, label: 'Grade 3, severe: infusion paused or stopped' },
  { grade: 4, label: 'Grade 4, life-threatening: urgent help' },
];
