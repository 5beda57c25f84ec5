import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export interface WeightRow {
  id: string;
  patient_id: string;
  kg: number;
  entered_value: number;
  entered_unit: 'kg' | 'lb';
  measured_at: number;
  measured_by: string;
  created_at: number;
}

/** The patient's most recent weight by when it was measured (not when it was typed in), or undefined. */
export async function latestWeight(db: Kysely<DB>, patientId: string): Promise<WeightRow | undefined> {
  const row = await db
    .selectFrom('weights')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('measured_at', 'desc')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      kg: Number(row.kg),
      entered_value: Number(row.entered_value),
      entered_unit: row.entered_unit,
      measured_at: Number(row.measured_at),
      created_at: Number(row.created_at),
    }
  );
}
