import { sql, type Kysely } from 'kysely';

/**
 * What a patient should know before a visit of a type (eating and drinking beforehand, who takes them home, how long
 * to allow), as the clinic words it: plain text per appointment type, edited on the type's set-up page and put in
 * the confirmation and reminder emails. The two infusion kinds start with the clinic-practice defaults of
 * shared/clinical-facts.md §8, worded so that an email read by someone else names no condition or treatment.
 * Numbers 023 to 025 are taken by other work of the same release.
 */
export const PREPARATION_DEFAULT = [
  'Please have no solid food for 6 hours before your appointment. Clear drinks such as water are fine until 2 hours before.',
  'An adult needs to take you home afterwards. Please do not drive for the rest of the day, and plan no work or important decisions until the next day.',
].join('\n');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('appointment_types')
    .addColumn('preparation', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db
    .updateTable('appointment_types')
    .set({ preparation: PREPARATION_DEFAULT })
    .where(sql.ref('kind'), 'in', ['infusion', 'booster'])
    .execute();
}
