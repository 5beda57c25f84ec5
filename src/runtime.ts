import type { FastifyInstance } from 'fastify';
import { chainTakesKey } from './kernel/backup/audit-key.ts';
import { buildApp } from './app.ts';
import { keyAuditChain } from './kernel/audit/audit.ts';
import { AuditCheckpoints, checkpointFileWritable } from './kernel/audit/checkpoint-schedule.ts';
import { startBackups, type BackupSchedule } from './kernel/backup/schedule.ts';
import { ConfigError, type Config } from './kernel/config.ts';
import { openDatabase, type Database } from './kernel/db/database.ts';
import { migrateToLatest } from './kernel/db/migrate.ts';
import { Tokens } from './kernel/tokens.ts';
import { createMailRenderer, mailRegistry } from './kernel/outbox/templates.tsx';
import { createTransport, type MailTransport } from './kernel/outbox/transport.ts';
import { OutboxWorker } from './kernel/outbox/worker.ts';
import { seedDemo } from './seed/demo.ts';
import { seedDemoStaff } from './seed/demo-staff.ts';
import { seedDemoVisits } from './seed/demo-visits.ts';
import { seedDemoProtocols } from './seed/demo-protocols.ts';
import { seedWalkPatient } from './seed/demo-walk.ts';
import { seedDemoBoard } from './seed/demo-board.ts';
import { seedDemoOutcomes } from './seed/demo-outcomes.ts';
import { consultationVisitMail } from './online-booking/mail.tsx';
import { findPatient } from './patients/service.ts';
import { requestEmails } from './requests/mail.tsx';
import { intakeEmails } from './clinical/intake/mail.tsx';
import { AlertEscalations } from './clinical/sessions/alerts-escalation.ts';
import { SafetySweep } from './clinical/safety/flags-sweep.ts';
import { sessionAlertEmails } from './clinical/sessions/alerts-mail.tsx';
import { questionnaireEmails } from './clinical/outcomes/questionnaire-mail.tsx';
import { QuestionnaireRun } from './clinical/outcomes/questionnaire-run.ts';
import { ExportRun } from './clinical/outcomes/export-run.ts';
import { visitEmails } from './scheduling/mail.tsx';
import { staffEmails } from './staff/mail.tsx';
import { waitlistEmails } from './waitlist/mail.tsx';

export interface Runtime {
  app: FastifyInstance;
  database: Database;
  worker: OutboxWorker;
  tokens: Tokens;
  /** Scheduled backups, when BACKUP_DIR is set. */
  backups: BackupSchedule | undefined;
  /** Signed checkpoints of the audit chain's head, written outside the database. */
  checkpoints: AuditCheckpoints;
  /** Unacknowledged session alerts escalated to the supervising provider every 30 s. */
  escalations: AlertEscalations;
  /** Follow-up questionnaires scheduled, sent, reminded and marked missed every 5 minutes. */
  questionnaires: QuestionnaireRun;
  /** Report exports worked in the background, resumed after a restart, removed when they expire. */
  exports: ExportRun;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  now?: () => number;
  /**
   * Seed the demo clinic (and its demo staff accounts; and, for `demo`, visits over this week and the next) when the
   * database is empty (development default).
   */
  seed?: 'none' | 'clinic' | 'clinic-and-staff' | 'demo';
  transport?: MailTransport;
}

/** Everything the server needs, wired once: database (migrated), app, mail transport and outbox worker. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const now = options.now ?? Date.now;
  await checkpointFileWritable(config.audit.checkpointFile);
  const database = openDatabase(config);
  try {
    await migrateToLatest(database);
    // A trail keyed with another key (SECRET changed, AUDIT_KEY unset; or instances set apart) would be continued
    // under this one and then verify under neither: refuse to start, naming what to set.
    if (!(await chainTakesKey(database, config.audit.key))) {
      throw new ConfigError(
        `Invalid configuration: the audit trail was keyed with another key; set ${config.audit.keyFrom === 'AUDIT_KEY' ? 'AUDIT_KEY' : 'SECRET (or AUDIT_KEY)'} to the one it was written with`,
      );
    }
    // Before anything else is audited: an upgraded database's legacy chain is closed by its keyed boundary now.
    await keyAuditChain(database, now());
    const seed = options.seed ?? 'none';
    const created = seed !== 'none' && (await seedDemo(database));
    if (seed === 'clinic-and-staff' || seed === 'demo') await seedDemoStaff(database, config.secret, now());
    // Only with a clinic just created: the protocol library a newcomer opens is not empty (tests start from an empty
    // one and fill it as needed), and neither is the calendar, whose infusion patients are planned on those protocols.
    if (seed === 'demo' && created) await seedDemoProtocols(database, now());
    // Before the calendar: today's nurse board has first call on chairs, nurses and the supervising provider.
    if (seed === 'demo' && created) await seedDemoBoard(database, now());
    // Six months of treated patients, before the calendar's visits so that those are placed around them.
    if (seed === 'demo' && created) await seedDemoOutcomes(database, now());
    if (seed === 'demo' && created) await seedDemoVisits(database, now());
    // After the calendar is filled: the walk patient's consultation takes a time left free.
    if (seed === 'demo' && created) await seedWalkPatient(database, now());
  } catch (err) {
    await database.close();
    throw err;
  }
  const tokens = new Tokens(config.secret);
  const transport = options.transport ?? createTransport(config.smtpUrl, config.mailFrom, database, config.mailLeaseMs);
  // Each feature's emails, by kind: a kind declared without a template fails to compile here, and a kind registered
  // twice fails at start-up.
  const templates = mailRegistry(
    requestEmails,
    visitEmails({ request: consultationVisitMail, patient: findPatient }),
    waitlistEmails,
    staffEmails,
    intakeEmails,
    sessionAlertEmails,
    questionnaireEmails,
  );
  const render = createMailRenderer(templates, {
    db: database.db,
    tokens,
    publicUrl: config.publicUrl,
    messageDomain: new URL(config.publicUrl).hostname,
    secret: config.secret,
    now,
  });
  // The worker needs the app's logger, and the app needs to nudge the worker: the nudge reads it once it exists.
  const late: { worker?: OutboxWorker; exports?: ExportRun } = {};
  // The nudge waits until the answer is on its way: delivering first (claim, render, send) would make an answer
  // for a known address measurably slower than for an unknown one, telling who has an account or a request.
  const app = await buildApp({
    config,
    database,
    tokens,
    now,
    onOutbox: () => setImmediate(() => late.worker?.nudge()),
    onExport: () => late.exports?.runOnce() ?? Promise.resolve(),
  });
  const w = (late.worker = new OutboxWorker({
    database,
    transport,
    render,
    now,
    retryBaseMs: config.mailRetryMs,
    retryWindowMs: config.mailRetryWindowMs,
    leaseMs: config.mailLeaseMs,
    log: app.log,
  }));
  const backups = await startBackups(config, database, app.log);
  const checkpoints = new AuditCheckpoints({ database, settings: config.audit, log: app.log, now });
  await checkpoints.start();
  const escalations = new AlertEscalations({ database, now, log: app.log });
  escalations.start();
  const questionnaires = new QuestionnaireRun({
    database,
    now,
    log: app.log,
    onOutbox: () => setImmediate(() => late.worker?.nudge()),
  });
  questionnaires.start();
  const safetySweep = new SafetySweep({ database, now, log: app.log });
  safetySweep.start();
  const exports = (late.exports = new ExportRun({ database, now, log: app.log }));
  exports.start();
  return {
    app,
    database,
    worker: w,
    tokens,
    backups,
    checkpoints,
    escalations,
    questionnaires,
    exports,
    async close() {
      await questionnaires.stop();
      await escalations.stop();
      await safetySweep.stop();
      await backups?.stop();
      await app.close();
      // After the app: no request can start an export run any more.
      await exports.stop();
      await w.stop();
      // After the app: the last requests' events are in the final checkpoint.
      await checkpoints.stop();
      transport.close();
      await database.close();
    },
  };
}
