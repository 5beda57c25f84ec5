import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './kernel/config.ts';
import { openDatabase, type Database } from './kernel/db/database.ts';
import { migrateToLatest } from './kernel/db/migrate.ts';
import { createRuntime } from './runtime.ts';
import { initCommand, INIT_OPTIONS, terminalAsker } from './init-command.ts';
import { seedDemo } from './seed/demo.ts';
import { seedDemoProtocols } from './seed/demo-protocols.ts';
import { DEMO_PASSWORD, DEMO_STAFF, seedDemoStaff } from './seed/demo-staff.ts';
import { seedDemoVisits } from './seed/demo-visits.ts';
import { seedWalkPatient } from './seed/demo-walk.ts';
import { seedDemoBoard } from './seed/demo-board.ts';
import { seedDemoOutcomes } from './seed/demo-outcomes.ts';
import { appendAudit } from './kernel/audit/audit.ts';
import { auditVerifyCommand } from './kernel/audit/verify-command.ts';
import { BackupError, backupCommand, restoreCommand, verifyCommand } from './kernel/backup/commands.ts';
import { ROLES } from './kernel/http/policy.ts';
import { totpCode } from './staff/totp.ts';
import { createAuthLink, findUserByEmail, insertUser } from './staff/users.ts';
import type { Role } from './kernel/db/schema.ts';

const HELP: Record<string, string> = {
  main: `Usage: relief <command> [options]

Commands:
  init           Set up a real clinic in an empty database: the clinic, its first location and administrator
  start          Migrate the database, seed a demo clinic if it is empty, and serve the app
  migrate        Bring the database schema up to date
  seed --demo    Create the demo clinic (two locations) and demo staff in an empty database
  users create   Create a staff account and print its one-time enrolment link
  audit verify   Check the audit trail's keyed chain and its checkpoints for edits made behind the app's back
  backup         Make an encrypted backup while the server runs; "backup verify FILE" proves one by restoring it
  restore        Restore a backup into a new, empty data folder or database
  demo-code      Print the current sign-in code of a demo account (not in production)

Run "relief <command> --help" for a command's options. Configuration comes from the environment; see README.md.`,
  init: `Usage: relief init [--clinic-name NAME] [--location-name NAME] [--timezone ZONE] [--address STREET]
                   [--city CITY] [--state STATE] [--zip ZIP] [--phone PHONE] [--admin-name NAME]
                   [--admin-email EMAIL] [--accept-default-types | --skip-default-types]
                   [--location-slug SLUG] [--clinic-email EMAIL] [--tagline TEXT]

Sets up a real clinic in an empty database (the way to start with NODE_ENV=production): the clinic, its first
location (ZONE is an IANA name such as America/Chicago), the first administrator, and, if accepted, the usual
appointment types (consultation, infusion, booster, follow-up; edit, add or retire them later under Clinic set-up).
On a terminal it asks for whatever the options leave out; from a script, give them all. The values follow the
set-up pages' rules. It is one transaction (a refused value or a failure leaves nothing) and is audited.
It prints a one-time link (72 hours) where the administrator chooses a password and sets up the authenticator.
It refuses a database that already has a clinic. --clinic-email defaults to the administrator's email.`,
  start: `Usage: relief start

Migrates the database, seeds the demo clinic when the database is empty (not when NODE_ENV=production),
starts the outbox worker that delivers email, and serves on HOST:PORT (default 127.0.0.1:3000).`,
  migrate: `Usage: relief migrate

Applies pending migrations to the database in DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL).`,
  users: `Usage: relief users create --email EMAIL --name "FULL NAME" --role ROLE [--location SLUG ...]

Creates a staff account (ROLE: admin, front_desk, nurse or provider) working at the given locations (admins see
all locations) and prints a one-time enrolment link, valid for 72 hours, where the person chooses a password and
sets up two-step sign-in.`,
  audit: `Usage: relief audit verify [--checkpoints FILE ...]

Checks the audit trail: every event's HMAC under the audit key (AUDIT_KEY, or one derived from SECRET), the links
between events, and every signed checkpoint in AUDIT_CHECKPOINT_FILE (default DATA_DIR/audit-checkpoints.log) and in
each copy named with --checkpoints. Exits 0 when all hold; 1 when the trail was truncated, events were deleted,
renumbered, re-hashed or edited, or a checkpoint line is forged (each kind on a line, with the first event it
affects); 2 when the key does not match the trail. See README.md, "Audit trail".`,
  backup: `Usage: relief backup [--to DIR] [--with-secret] [--plain]
       relief backup verify FILE

Makes a consistent backup while the server keeps serving (SQLite's online backup, or pg_dump on PostgreSQL), into
DIR (default BACKUP_DIR). It is encrypted with AES-256-GCM using BACKUP_KEY (64 hex characters) or BACKUP_PASSPHRASE;
--plain writes it unencrypted instead. --with-secret includes the secret that signs links and sessions.

"backup verify FILE" restores FILE into a temporary copy, compares its rows with the backup's header, checks the
audit trail and the migrations, prints the time it took, and removes the copy. See README.md, "Backups and restore".`,
  restore: `Usage: relief restore FILE --into DIR|DATABASE_URL

Restores a backup into a new or empty folder (SQLite: then start Relief with DATA_DIR=DIR) or into an empty
PostgreSQL schema (the first of the URL's search_path, normally public, of a new database). Never over existing data.
The key must be the one the backup was made with (BACKUP_KEY or BACKUP_PASSPHRASE).`,
  'demo-code': `Usage: relief demo-code --email EMAIL

Prints the current 6-digit sign-in code of a demo staff account, so the demo can be tried without an
authenticator app. Refused when NODE_ENV=production and for accounts that are not demo accounts.`,
  seed: `Usage: relief seed --demo

Creates the demo clinic: two locations (Chicago, Central Time; Denver, Mountain Time), providers, rooms,
opening hours and appointment types. Does nothing if a clinic already exists. Refused when NODE_ENV=production.`,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  demo: { type: 'boolean' },
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  location: { type: 'string', multiple: true },
  to: { type: 'string' },
  'with-secret': { type: 'boolean' },
  plain: { type: 'boolean' },
  into: { type: 'string' },
  checkpoints: { type: 'string', multiple: true },
  'clinic-name': { type: 'string' },
  'clinic-email': { type: 'string' },
  tagline: { type: 'string' },
  'location-name': { type: 'string' },
  'location-slug': { type: 'string' },
  timezone: { type: 'string' },
  address: { type: 'string' },
  city: { type: 'string' },
  state: { type: 'string' },
  zip: { type: 'string' },
  phone: { type: 'string' },
  'admin-name': { type: 'string' },
  'admin-email': { type: 'string' },
  'accept-default-types': { type: 'boolean' },
  'skip-default-types': { type: 'boolean' },
} as const;

/** What each command takes: its options and how many words (a sub-command) follow it. */
const ACCEPTS: Record<string, { options: string[]; words: number }> = {
  init: { options: INIT_OPTIONS, words: 0 },
  start: { options: [], words: 0 },
  migrate: { options: [], words: 0 },
  seed: { options: ['demo'], words: 0 },
  users: { options: ['email', 'name', 'role', 'location'], words: 1 },
  audit: { options: ['checkpoints'], words: 1 },
  'demo-code': { options: ['email'], words: 0 },
  backup: { options: ['to', 'with-secret', 'plain'], words: 2 },
  restore: { options: ['into'], words: 1 },
};

function parsedArguments(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    // Node's message names the option ("Unknown option '--dry-run'. ..."); its first sentence is the useful part.
    return fail(`${(err as Error).message.split('. ')[0]}. Run "relief --help".`);
  }
}

/** A mistyped option or an unquoted name must stop the command, not be ignored while it runs anyway. */
function checkArguments(command: string, values: Record<string, unknown>, words: string[]): void {
  const accepts = ACCEPTS[command]!;
  const extra = Object.keys(values).find((key) => key !== 'help' && !accepts.options.includes(key));
  if (extra) fail(`${command} does not take --${extra}. Run "relief ${command} --help".`);
  const stray = words[accepts.words];
  if (stray !== undefined)
    fail(`unexpected "${stray}" after ${command}; put a value with spaces in quotes. Run "relief ${command} --help".`);
}

function fail(message: string): never {
  process.stderr.write(`relief: ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined;
  const { values, positionals } = parsedArguments(command ? argv.slice(1) : argv);
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
  checkArguments(command, values, positionals);
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
      if (created) await seedDemoProtocols(database, Date.now());
      const staff = await seedDemoStaff(database, config.secret, Date.now());
      if (created) await seedDemoBoard(database, Date.now());
      if (created) await seedDemoOutcomes(database, Date.now());
      if (created) await seedDemoVisits(database, Date.now());
      if (created) await seedWalkPatient(database, Date.now());
      process.stdout.write(created ? 'Demo clinic created.\n' : 'A clinic already exists; nothing was changed.\n');
      if (staff) process.stdout.write('Demo staff accounts created (see README.md, "Demo staff accounts").\n');
    } finally {
      await database.close();
    }
  } else if (command === 'init') {
    const terminal = terminalAsker();
    try {
      await initCommand(config, values, {
        out: (line) => process.stdout.write(line + '\n'),
        fail,
        ...(terminal ? { ask: terminal.ask } : {}),
      });
    } finally {
      terminal?.close();
    }
  } else if (command === 'start') {
    await start(config);
  } else if (command === 'users') {
    await usersCommand(config, positionals[0], values);
  } else if (command === 'audit') {
    if (positionals[0] !== 'verify') fail('audit needs "verify". Run "relief audit --help".');
    const database = openDatabase(config);
    try {
      await migrateToLatest(database);
      const copies = (values.checkpoints ?? []).map((file) => resolve(file));
      process.exitCode = await auditVerifyCommand(
        database,
        { checkpointFiles: [config.audit.checkpointFile, ...copies], keyFrom: config.audit.keyFrom },
        (line) => process.stdout.write(line + '\n'),
      );
    } finally {
      await database.close();
    }
  } else if (command === 'backup' || command === 'restore') {
    await backups(config, command, positionals, values);
  } else if (command === 'demo-code') {
    if (config.production) fail('demo-code is refused when NODE_ENV=production.');
    const account = DEMO_STAFF.find((s) => s.email === String(values.email ?? '').toLowerCase());
    if (!account) fail(`--email must be one of the demo accounts: ${DEMO_STAFF.map((s) => s.email).join(', ')}.`);
    process.stdout.write(totpCode(account.totp, Date.now()) + '\n');
  }
}

/** `relief backup`, `relief backup verify FILE` and `relief restore FILE --into …`; the work is in kernel/backup. */
async function backups(config: Config, command: string, words: string[], values: Record<string, unknown>) {
  const io = { out: (line: string) => process.stdout.write(line + '\n'), terminal: process.stderr };
  try {
    if (command === 'restore') {
      if (!words[0]) fail('restore needs the backup FILE. Run "relief restore --help".');
      if (typeof values.into !== 'string' || !values.into)
        fail('restore needs --into DIR (SQLite) or --into DATABASE_URL (PostgreSQL). Run "relief restore --help".');
      await restoreCommand(config, words[0], values.into, io);
    } else if (words[0] === 'verify') {
      const extra = ['to', 'with-secret', 'plain'].find((o) => values[o] !== undefined);
      if (extra) fail(`backup verify does not take --${extra}. Run "relief backup --help".`);
      if (!words[1]) fail('backup verify needs the backup FILE. Run "relief backup --help".');
      await verifyCommand(config, words[1], io);
    } else {
      if (words[0] !== undefined) fail(`unexpected "${words[0]}" after backup. Run "relief backup --help".`);
      const to = typeof values.to === 'string' ? values.to : undefined;
      await backupCommand(config, { to, withSecret: values['with-secret'] === true, plain: values.plain === true }, io);
    }
  } catch (err) {
    if (err instanceof BackupError) fail(err.message);
    throw err;
  }
}

async function usersCommand(config: Config, sub: string | undefined, values: Record<string, unknown>): Promise<void> {
  if (sub !== 'create') fail('users needs "create". Run "relief users --help".');
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const email = text(values.email).trim().toLowerCase();
  const name = text(values.name).trim();
  const role = text(values.role);
  const slugs = (values.location as string[] | undefined) ?? [];
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fail('--email must be an email address.');
  if (name.length < 2 || name.length > 100) fail("--name must be the person's full name (2 to 100 characters).");
  if (!(ROLES as readonly string[]).includes(role)) fail(`--role must be one of ${ROLES.join(', ')}.`);
  const database = openDatabase(config);
  try {
    await migrateToLatest(database);
    const locations = await database.db.selectFrom('locations').select(['id', 'slug']).execute();
    const ids = slugs.map(
      (slug) => locations.find((l) => l.slug === slug || l.id === slug)?.id ?? fail(`unknown location "${slug}".`),
    );
    if (role !== 'admin' && ids.length === 0) fail('--location is required (repeat it for several locations).');
    if (await findUserByEmail(database.db, email)) fail(`a user with email ${email} already exists.`);
    const token = await database.transact(async (trx) => {
      const id = await insertUser(
        trx,
        { email, name, role: role as Role, locationIds: role === 'admin' ? locations.map((l) => l.id) : ids },
        Date.now(),
      );
      const link = await createAuthLink(trx, config.secret, id, 'enrol', Date.now());
      await appendAudit(
        trx,
        database,
        {
          actorId: null,
          actorRole: 'cli',
          locationId: null,
          patientRef: null,
          action: 'user.create',
          outcome: 'success',
          ip: null,
          detail: { user: id, role },
        },
        Date.now(),
      );
      return link.token;
    });
    process.stdout.write(
      `Created ${role} ${email}.\nOne-time enrolment link (valid 72 hours):\n${config.publicUrl}/staff/welcome/${token}\n`,
    );
  } finally {
    await database.close();
  }
}

/** The demo accounts exist (a demo database): the start-up lines then say where they are described. */
async function hasDemoStaff(database: Database): Promise<boolean> {
  const emails = DEMO_STAFF.map((s) => s.email);
  const row = await database.db.selectFrom('users').select('id').where('email', 'in', emails).executeTakeFirst();
  return row !== undefined;
}

async function start(config: Config): Promise<void> {
  const runtime = await createRuntime(config, { seed: config.production ? 'none' : 'demo' });
  runtime.worker.start();
  try {
    await runtime.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await runtime.close().catch(() => {});
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') fail(`port ${config.port} is already in use; set PORT to another port.`);
    if (code === 'EACCES') fail(`not allowed to listen on port ${config.port}; set PORT to 1024 or above.`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL')
      fail(`cannot listen on HOST ${config.host}: no such address on this machine (${code}).`);
    throw err;
  }
  const base = config.publicUrl;
  const lines = [
    '',
    `Relief is running on ${config.databaseUrl ? 'PostgreSQL' : `SQLite (${config.dataDir})`}.`,
    `  Site:                     ${base}/`,
    `  Request a consultation:   ${base}/consultation`,
    `  Staff sign-in:            ${base}/staff/sign-in`,
    ...(config.smtpUrl ? [`  Mail is sent through SMTP.`] : [`  Development mailbox:      ${base}/dev/mailbox`]),
    ...((await runtime.database.db.selectFrom('clinic').select('id').executeTakeFirst())
      ? []
      : ['This database has no clinic yet: stop, run "relief init" (see "relief init --help"), then start again.']),
    ...((await hasDemoStaff(runtime.database))
      ? [
          `Demo staff accounts (one per role, password "${DEMO_PASSWORD}") are listed in README.md under`,
          `"Demo staff accounts"; print a sign-in code with: npx relief demo-code --email ${DEMO_STAFF[0]!.email}`,
        ]
      : []),
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
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** Errors an operator can fix, each as one line naming the setting; PostgreSQL's codes are SQLSTATEs. */
const DATABASE_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'cannot reach the database at DATABASE_URL (connection refused)',
  ENOTFOUND: 'cannot reach the database at DATABASE_URL (unknown host)',
  EAI_AGAIN: 'cannot reach the database at DATABASE_URL (the host name could not be looked up)',
  '28P01': 'the database refused the user name or password in DATABASE_URL',
  '28000': 'the database refused the user in DATABASE_URL',
  '3D000': 'the database named in DATABASE_URL does not exist',
};

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.message);
  const code = (err as { code?: string }).code;
  if (code && DATABASE_PROBLEMS[code]) fail(`${DATABASE_PROBLEMS[code]}.`);
  // Anything else is a fault, not a setting: one line, with the stack only when asked for (LOG_LEVEL=debug).
  const debug = process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace';
  if (debug) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  fail(
    `unexpected error: ${String((err as Error).message ?? err).replace(/\s*\n\s*/g, ' ')}${debug ? '' : ' (set LOG_LEVEL=debug to see where)'}`,
  );
});
