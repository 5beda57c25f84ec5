import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createRuntime } from './runtime.ts';
import { seedDemo } from './seed/demo.ts';

const HELP: Record<string, string> = {
  main: `Usage: relief <command> [options]

Commands:
  start          Migrate the database, seed a demo clinic if it is empty, and serve the app
  migrate        Bring the database schema up to date
  seed --demo    Create the demo clinic (two locations) in an empty database

Run "relief <command> --help" for a command's options. Configuration comes from the environment; see README.md.`,
  start: `Usage: relief start

Migrates the database, seeds the demo clinic when the database is empty (not when NODE_ENV=production),
starts the outbox worker that delivers email, and serves on HOST:PORT (default 127.0.0.1:3000).`,
  migrate: `Usage: relief migrate

Applies pending migrations to the database in DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL).`,
  seed: `Usage: relief seed --demo

Creates the demo clinic: two locations (Chicago, Central Time; Denver, Mountain Time), providers, rooms,
opening hours and appointment types. Does nothing if a clinic already exists. Refused when NODE_ENV=production.`,
};

function fail(message: string): never {
  process.stderr.write(`relief: ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined;
  const { values } = parseArgs({
    args: command ? argv.slice(1) : argv,
    options: { help: { type: 'boolean', short: 'h' }, demo: { type: 'boolean' } },
    strict: false,
  });
  if (!command) {
    process.stdout.write(HELP.main + '\n');
    if (!values.help) process.exitCode = 1;
    return;
  }
  if (!(command in HELP) || command === 'main') fail(`unknown command "${command}". Run "relief --help".`);
  if (values.help) {
    process.stdout.write(HELP[command] + '\n');
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (command === 'migrate') {
    const database = openDatabase(config);
    const applied = await migrateToLatest(database).finally(() => database.close());
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } else if (command === 'seed') {
    if (!values.demo) fail('seed needs --demo (the only seed there is). Run "relief seed --help".');
    if (config.production) fail('refusing to seed demo data when NODE_ENV=production.');
    const database = openDatabase(config);
    try {
      await migrateToLatest(database);
      const created = await seedDemo(database);
      process.stdout.write(created ? 'Demo clinic created.\n' : 'A clinic already exists; nothing was changed.\n');
    } finally {
      await database.close();
    }
  } else if (command === 'start') {
    await start(config);
  }
}

async function start(config: Config): Promise<void> {
  const runtime = await createRuntime(config, { seedWhenEmpty: !config.production });
  runtime.worker.start();
  await runtime.app.listen({ port: config.port, host: config.host });
  const base = config.publicUrl;
  const lines = [
    '',
    `Relief is running on ${config.databaseUrl ? 'PostgreSQL' : `SQLite (${config.dataDir})`}.`,
    `  Site:                     ${base}/`,
    `  Request a consultation:   ${base}/consultation`,
    ...(config.smtpUrl ? [`  Mail is sent through SMTP.`] : [`  Development mailbox:      ${base}/dev/mailbox`]),
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.message);
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') fail(`port is already in use; set PORT to another port (${(err as Error).message}).`);
  if (code === 'ECONNREFUSED') fail(`cannot reach the database at DATABASE_URL (${(err as Error).message}).`);
  process.stderr.write(`relief: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
