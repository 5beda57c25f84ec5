// Vitest global set-up: the process tests start bin/relief.js, which runs dist/. Build once here, before any test
// file runs, so parallel test files never race to rebuild a stale dist/. On PostgreSQL, also build the migrated
// template the test runtimes clone (test/helpers/pg-template.ts).
import type { TestProject } from 'vitest/node';
// @ts-expect-error -- bin/build.js is plain JavaScript without type declarations
import { ensureBuilt } from '../../bin/build.js';
import { openDatabase } from '../../src/kernel/db/database.ts';
import { migrateToLatest } from '../../src/kernel/db/migrate.ts';
import { ensureTemplate, TEMPLATE_SCHEMA } from './pg-template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated PostgreSQL template database's name; empty on SQLite. */
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  (ensureBuilt as () => boolean)();
  const url = process.env.DATABASE_URL;
  let template = '';
  if (url)
    template = await ensureTemplate(url, async (templateUrl) => {
      const database = openDatabase({ dataDir: '', databaseUrl: templateUrl, databaseSchema: TEMPLATE_SCHEMA });
      try {
        await migrateToLatest(database);
      } finally {
        await database.close();
      }
    });
  project.provide('pgTemplate', template);
}
