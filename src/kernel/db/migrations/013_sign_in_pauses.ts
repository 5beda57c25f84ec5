import type { Kysely } from 'kysely';

/**
 * The pause after failed sign-ins, per account and source address. Until now one pause per account let a stranger
 * who knew a staff email keep that account locked out indefinitely, one wrong guess per pause. The users table's
 * failed_logins and locked_until stay as the account-wide count, with a higher limit (src/staff/sign-in-rules.ts).
 * Number 012 is left to the audit trail's index in the same release.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_pauses')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addPrimaryKeyConstraint('sign_in_pauses_pk', ['user_id', 'ip'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
