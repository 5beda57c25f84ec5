/**
 * Child process: migrates and seeds a benchmark database (demo clinic + appointment history), then exits, so
 * the bulk load leaves nothing behind in the measured server process. Argument: { dataDir, schema, now, count }.
 */
import { openDatabase } from '../src/kernel/db/database.ts';
import { migrateToLatest } from '../src/kernel/db/migrate.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { generateAppointments, insertHistory } from './seed.ts';

export interface SeedResult {
  count: number;
  first: number;
  last: number;
}

const arg = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; schema?: string; now: number; count: number };
const database = openDatabase({
  dataDir: arg.dataDir,
  databaseUrl: process.env.DATABASE_URL || undefined,
  databaseSchema: arg.schema,
});
try {
  await migrateToLatest(database);
  await seedDemo(database);
  const history = await generateAppointments(database, arg.now, arg.count);
  await insertHistory(database, history);
  const result: SeedResult = { count: history.length, first: history[0]!.starts_at, last: history.at(-1)!.starts_at };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await database.close();
}
