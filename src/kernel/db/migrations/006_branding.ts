import { SqliteAdapter, sql, type Kysely } from 'kysely';

// Clinic branding: an accent colour on the clinic row (existing clinics keep site.css's colour), and an optional
// logo in its own table so the many reads of the clinic row never carry image bytes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('clinic')
    // The app accepts only '#rrggbb' and re-checks before writing CSS; the CHECK keeps other writers close to it.
    .addColumn('accent_color', 'text', (c) =>
      c
        .notNull()
        .defaultTo('#0d5c61')
        .check(sql`length(accent_color) = 7 and substr(accent_color, 1, 1) = '#'`),
    )
    .execute();

  const binary = db.getExecutor().adapter instanceof SqliteAdapter ? 'blob' : 'bytea';
  await db.schema
    .createTable('clinic_logo')
    .addColumn('clinic_id', 'text', (c) => c.primaryKey().references('clinic.id'))
    .addColumn('content_type', 'text', (c) => c.notNull().check(sql`content_type in ('image/png', 'image/jpeg')`))
    // Hex SHA-256 of the bytes: the logo's URL carries part of it, so a new logo gets a new URL.
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', binary, (c) => c.notNull().check(sql`length(bytes) between 1 and 204800`))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
