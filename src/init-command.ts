import { createInterface } from 'node:readline/promises';
import type { Config } from './kernel/config.ts';
import { openDatabase, type Database } from './kernel/db/database.ts';
import { migrateToLatest } from './kernel/db/migrate.ts';
import { ENROL_LINK_MS } from './staff/users.ts';
import { firstStart } from './first-start.ts';
import { DEFAULT_TYPES } from './setup/defaults.ts';
import {
  DEFAULT_TAGLINE,
  knownZone,
  parseFirstStart,
  slugOf,
  type FirstStartAnswers,
  type FirstStartField,
} from './setup/first-start.ts';
import { resourceSummary } from './scheduling/type-needs.ts';

/** The questions, in the order a terminal asks them; the optional ones say what an empty answer means. */
const QUESTIONS: Array<{ field: FirstStartField; label: string; optional?: (a: FirstStartAnswers) => string }> = [
  { field: 'clinic-name', label: 'Clinic name' },
  { field: 'tagline', label: 'Tagline', optional: () => DEFAULT_TAGLINE },
  { field: 'location-name', label: 'First location name (e.g. Chicago – River North)' },
  { field: 'location-slug', label: 'Short name in web addresses', optional: (a) => slugOf(a['location-name'] ?? '') },
  { field: 'timezone', label: 'Time zone of the location (IANA name, e.g. America/Chicago)' },
  { field: 'address', label: 'Street address' },
  { field: 'city', label: 'City' },
  { field: 'state', label: 'State' },
  { field: 'zip', label: 'ZIP code' },
  { field: 'phone', label: 'Phone number of the location' },
  { field: 'admin-name', label: "First administrator's full name" },
  { field: 'admin-email', label: "First administrator's work email" },
  { field: 'clinic-email', label: 'Clinic email shown to patients', optional: (a) => a['admin-email'] ?? '' },
];

export const INIT_OPTIONS = [...QUESTIONS.map((q) => q.field), 'accept-default-types', 'skip-default-types'];

export interface InitIo {
  out: (line: string) => void;
  fail: (message: string) => never;
  /** Present on a terminal: asks one question and returns the answer. */
  ask?: (question: string) => Promise<string>;
}

/** `relief init`: the answers from options, the rest asked on a terminal; then one transaction. */
export async function initCommand(config: Config, values: Record<string, unknown>, io: InitIo): Promise<void> {
  const answers: FirstStartAnswers = {};
  for (const q of QUESTIONS) if (typeof values[q.field] === 'string') answers[q.field] = values[q.field] as string;
  if (values['accept-default-types'] && values['skip-default-types'])
    io.fail('choose either --accept-default-types or --skip-default-types, not both.');

  const database = openDatabase(config);
  try {
    // Refused before migrating: a clinic's database (of any release) is left exactly as it was.
    if (await hasClinic(database)) io.fail(ALREADY);
    await migrateToLatest(database);
    if (await database.db.selectFrom('clinic').select('id').executeTakeFirst()) io.fail(ALREADY);

    let parsed = parseFirstStart(answers);
    if (io.ask) {
      // Ask for what is missing, then again for each answer the set-up rules refuse, with the reason.
      for (const q of QUESTIONS) {
        if (answers[q.field] !== undefined) continue;
        const fallback = q.optional?.(answers);
        const typed = (await io.ask(`${q.label}${fallback ? ` [${fallback}]` : ''}: `)).trim();
        answers[q.field] = typed || fallback || '';
        if (q.field === 'timezone')
          while (!knownZone(answers.timezone ?? ''))
            answers.timezone = (
              await io.ask('  Not a time zone we know. Type an IANA name like America/Chicago: ')
            ).trim();
      }
      for (let round = 0; !(parsed = parseFirstStart(answers)).ok && round < 5; round++) {
        for (const [field, message] of Object.entries(parsed.errors) as Array<[FirstStartField, string]>) {
          const label = QUESTIONS.find((q) => q.field === field)?.label ?? field;
          answers[field] = (await io.ask(`  ${message}\n${label}: `)).trim();
        }
      }
    } else {
      const missing = QUESTIONS.filter((q) => !q.optional && answers[q.field] === undefined).map((q) => `--${q.field}`);
      if (missing.length) io.fail(`init needs ${missing.join(', ')} (or run it on a terminal to be asked).`);
    }
    if (!parsed.ok) {
      const lines = Object.entries(parsed.errors).map(([field, message]) => `--${field}: ${message}`);
      io.fail(`nothing was created; please correct:\n  ${lines.join('\n  ')}`);
    }

    let withTypes: boolean;
    if (values['accept-default-types']) withTypes = true;
    else if (values['skip-default-types']) withTypes = false;
    else if (io.ask) {
      io.out('\nThe usual appointment types (change, add or retire them later under Clinic set-up):');
      for (const line of typeTable()) io.out(line);
      withTypes = !/^n/i.test((await io.ask('Create these four types? [Y/n] ')).trim());
    } else
      io.fail(
        'init needs --accept-default-types (consultation, infusion, booster, follow-up; editable later) or --skip-default-types.',
      );

    const done = await firstStart(database, config.secret, parsed.value, withTypes, Date.now());
    if (!done.ok) io.fail(ALREADY);
    const { clinic, location, admin } = parsed.value;
    io.out(
      [
        '',
        `Created the clinic "${clinic.name}" with its first location, ${location.name} (${location.time_zone}),`,
        done.types.length
          ? `and ${done.types.length} appointment types: ${DEFAULT_TYPES.map((t) => t.name).join(', ')}.`
          : 'and no appointment types: add a consultation type before patients can book online.',
        '',
        `First administrator: ${admin.name} <${admin.email}>.`,
        `Open this one-time link within ${ENROL_LINK_MS / 3_600_000} hours to choose a password and set up the authenticator app:`,
        `  ${config.publicUrl}/staff/welcome/${done.enrolToken}`,
        '',
        'Then start Relief ("relief start"), sign in, and under Clinic set-up give the location its opening hours and',
        'add a provider with their hours, and rooms and chairs: online booking offers consultation times from then on.',
        '',
      ].join('\n'),
    );
  } finally {
    await database.close();
  }
}

/** Whether a clinic row exists, on a database that may not have the table yet (a new one). */
async function hasClinic(database: Database): Promise<boolean> {
  try {
    return (await database.db.selectFrom('clinic').select('id').executeTakeFirst()) !== undefined;
  } catch {
    return false; // no clinic table: an empty database
  }
}

const ALREADY =
  'this database already has a clinic; init only sets up an empty one. Change the clinic under Clinic set-up, or point DATA_DIR or DATABASE_URL at a new database.';

function typeTable(): string[] {
  return DEFAULT_TYPES.map(
    (t) =>
      `  ${t.name.padEnd(17)} ${String(t.duration_min).padStart(3)} min  needs ${resourceSummary(t).toLowerCase()}${t.online_bookable ? '; booked online' : ''}`,
  );
}

/** A question-asker on the terminal, or undefined when input is not a terminal (scripts pass options instead). */
export function terminalAsker(): { ask: (q: string) => Promise<string>; close: () => void } | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return { ask: (q) => rl.question(q), close: () => rl.close() };
}
