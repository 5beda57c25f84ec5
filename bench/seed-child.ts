/**
 * Child process: migrates and seeds a benchmark database (demo clinic + appointment history), then exits, so
 * the bulk load leaves nothing behind in the measured server process. Argument: { dataDir, schema, now, history }
 * where history says which appointments to add:
 * - { kind: 'around', count }: spread over ~3 years around now (the main bench's data);
 * - { kind: 'window', count, fromDay, toDay }: only in the days [fromDay, toDay) around now;
 * - { kind: 'before', count, beforeDay }: whole days backwards from the day before beforeDay (older history, added
 *   to a database that is already migrated and seeded, possibly while a runtime has it open).
 */
import { openDatabase } from '../src/kernel/db/database.ts';
import { migrateToLatest } from '../src/kernel/db/migrate.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { generateAppointments, generateBefore, generateWindow, insertHistory } from './seed.ts';
import { childArgument } from './child.ts';

export interface SeedResult {
  count: number;
  first: number;
  last: number;
}

export type HistoryPlan =
  | { kind: 'around'; count: number }
  | { kind: 'window'; count: number; fromDay: number; toDay: number }
  | { kind: 'before'; count: number; beforeDay: number };

export interface SeedArgument {
  dataDir: string;
  schema?: string | undefined;
  now: number;
  history: HistoryPlan;
}

const arg = await childArgument<SeedArgument>();
const database = openDatabase({
  dataDir: arg.dataDir,
  databaseUrl: process.env.DATABASE_URL || undefined,
  databaseSchema: arg.schema,
});
try {
  const plan = arg.history;
  if (plan.kind !== 'before') {
    await migrateToLatest(database);
    await seedDemo(database);
  }
  const history =
    plan.kind === 'around'
      ? await generateAppointments(database, arg.now, plan.count)
      : plan.kind === 'window'
        ? await generateWindow(database, arg.now, plan.count, plan.fromDay, plan.toDay)
        : await generateBefore(database, arg.now, plan.count, plan.beforeDay);
  await insertHistory(database, history);
  const result: SeedResult = { count: history.length, first: history[0]!.starts_at, last: history.at(-1)!.starts_at };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await database.close();
}
