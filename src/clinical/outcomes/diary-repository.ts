/** The only writer of `pain_diary`: append-only; the latest entry of a day is the one that counts. */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export async function addDiaryEntry(
  trx: Kysely<DB>,
  row: { id: string; patientId: string; locationId: string; day: string; pain: number; now: number },
): Promise<void> {
  await trx
    .insertInto('pain_diary')
    .values({
      id: row.id,
      patient_id: row.patientId,
      location_id: row.locationId,
      day: row.day,
      pain: row.pain,
      recorded_at: row.now,
    })
    .execute();
}

export interface DiaryDay {
  day: string;
  pain: number;
  recordedAt: number;
}

/** One entry per day, the latest of each, newest day first; `limit` days at most. */
export async function diaryOf(db: Kysely<DB>, patientId: string, limit = 120): Promise<DiaryDay[]> {
  const rows = await db
    .selectFrom('pain_diary')
    .select(['day', 'pain', 'recorded_at', 'id'])
    .where('patient_id', '=', patientId)
    .orderBy('day', 'desc')
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit * 4)
    .execute();
  const out: DiaryDay[] = [];
  for (const r of rows) {
    if (out.at(-1)?.day === r.day) continue;
    out.push({ day: r.day, pain: r.pain, recordedAt: Number(r.recorded_at) });
    if (out.length === limit) break;
  }
  return out;
}
