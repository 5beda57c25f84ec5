/**
 * The server's periodic questionnaire run (every 5 minutes): schedule what followed plans owe (idempotent by
 * schedule key), cancel what is no longer owed (an appointment cancelled, a plan stopped), send what has opened,
 * remind once two days after sending, and mark missed what closed unanswered. Each step is one conditional update on
 * the status it leaves, with its email queued and its audit event written in the same transaction: two servers on
 * one database never both send, and a restart re-reads everything.
 */
import type { Kysely } from 'kysely';
import { appendAudit, type AuditDetail } from '../../kernel/audit/audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { enqueue } from '../../kernel/outbox/outbox.ts';
import { currentDefinition } from '../definitions/store.ts';
import { FOLLOWED_PLAN_STATUSES, owedQuestionnaires } from './questionnaire-schedule.ts';
import { QUESTIONNAIRE_SCHEDULE } from './questionnaire-settings.ts';
import {
  dueMissed,
  dueReminders,
  dueToSend,
  insertOwed,
  markReminded,
  moveStatus,
  moveWindow,
  OPEN_STATUSES,
  plansToSchedule,
  questionnairesOfPlan,
  sessionsOfPlan,
  type PlanToSchedule,
} from './questionnaire-repository.ts';

export interface QuestionnaireRunLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const QUESTIONNAIRE_RUN_EVERY_MS = 5 * 60_000;
/** The reminder goes this long after the first email when the questionnaire is not complete (issue 13 §1). */
export const REMINDER_AFTER_MS = 2 * 24 * 3_600_000;

export interface RunCounts {
  scheduled: number;
  moved: number;
  cancelled: number;
  sent: number;
  reminded: number;
  missed: number;
}

type Row = { id: string; patient_id: string; location_id: string };

function auditRun(trx: Kysely<DB>, database: Database, action: string, row: Row, detail: AuditDetail, now: number) {
  return appendAudit(
    trx,
    database,
    {
      actorId: null,
      actorRole: 'system',
      locationId: row.location_id,
      patientRef: row.patient_id,
      action,
      outcome: 'success',
      ip: null,
      detail: { questionnaireId: row.id, ...detail },
    },
    now,
  );
}

async function schedulePlan(
  database: Database,
  plan: PlanToSchedule,
  rows: Awaited<ReturnType<typeof rulesNow>>,
  now: number,
  counts: RunCounts,
) {
  const db = database.db;
  const [sessions, existing] = await Promise.all([sessionsOfPlan(db, plan.id), questionnairesOfPlan(db, plan.id)]);
  const owed = owedQuestionnaires(
    { id: plan.id, protocolCode: plan.protocol_code, status: plan.status },
    sessions,
    rows,
    plan.time_zone,
  );
  const byKey = new Map(existing.map((q) => [q.schedule_key, q]));
  const owedKeys = new Set(owed.map((o) => o.scheduleKey));
  // One that closed before it was ever scheduled (a plan entered after its sessions) was never asked.
  const toInsert = owed.filter((o) => !byKey.has(o.scheduleKey) && o.closesAt > now);
  const toMove = owed.flatMap((o) => {
    const had = byKey.get(o.scheduleKey);
    const moved = had?.status === 'scheduled' && (had.opens_at !== o.opensAt || had.closes_at !== o.closesAt);
    return moved && o.closesAt > now ? [{ had, o }] : [];
  });
  const toCancel = existing.filter(
    (q) => !owedKeys.has(q.schedule_key) && (OPEN_STATUSES as readonly string[]).includes(q.status),
  );
  // Most runs find every plan as it was: no transaction is opened for them.
  if (toInsert.length + toMove.length + toCancel.length === 0) return;
  await database.transact(async (trx) => {
    for (const o of toInsert) {
      const id = timeOrderedId(now);
      if (!(await insertOwed(trx, { id, plan, owed: o, now }))) continue;
      counts.scheduled++;
      await auditRun(trx, database, 'questionnaire.schedule', { ...plan, id }, { timepoint: o.timepoint }, now);
    }
    for (const { had, o } of toMove) {
      if (!(await moveWindow(trx, had.id, o.opensAt, o.closesAt, now))) continue;
      counts.moved++;
      await auditRun(trx, database, 'questionnaire.reschedule', had, { timepoint: had.timepoint }, now);
    }
    for (const q of toCancel) {
      if (!(await moveStatus(trx, q.id, OPEN_STATUSES, 'cancelled', now))) continue;
      counts.cancelled++;
      await auditRun(trx, database, 'questionnaire.cancel', q, { timepoint: q.timepoint }, now);
    }
  });
}

const rulesNow = async (db: Kysely<DB>) => (await currentDefinition(db, QUESTIONNAIRE_SCHEDULE)).body;

/** One full run at `now`: what it did, counted. */
export async function runQuestionnaires(database: Database, now: number): Promise<RunCounts> {
  const db = database.db;
  const counts: RunCounts = { scheduled: 0, moved: 0, cancelled: 0, sent: 0, reminded: 0, missed: 0 };
  const rows = await rulesNow(db);
  for (const plan of await plansToSchedule(db, FOLLOWED_PLAN_STATUSES))
    await schedulePlan(database, plan, rows, now, counts);

  for (const q of await dueMissed(db, now))
    await database.transact(async (trx) => {
      // One a clinician started at a visit and left unfinished is not a follow-up the patient missed.
      const visit = q.timepoint === 'visit';
      if (!(await moveStatus(trx, q.id, OPEN_STATUSES, visit ? 'cancelled' : 'missed', now))) return;
      if (visit) counts.cancelled++;
      else counts.missed++;
      await auditRun(trx, database, visit ? 'questionnaire.cancel' : 'questionnaire.missed', q, {}, now);
    });
  for (const q of await dueToSend(db, now))
    await database.transact(async (trx) => {
      if (!(await moveStatus(trx, q.id, ['scheduled'], 'sent', now))) return;
      counts.sent++;
      await enqueue(
        trx,
        {
          kind: 'questionnaire_link',
          refId: q.id,
          runAt: now,
          dedupeKey: `questionnaire_link:${q.id}`,
          locationId: q.location_id,
        },
        now,
      );
      await auditRun(trx, database, 'questionnaire.send', q, {}, now);
    });
  for (const q of await dueReminders(db, now, REMINDER_AFTER_MS))
    await database.transact(async (trx) => {
      if (!(await markReminded(trx, q.id, now))) return;
      counts.reminded++;
      await enqueue(
        trx,
        {
          kind: 'questionnaire_reminder',
          refId: q.id,
          runAt: now,
          dedupeKey: `questionnaire_reminder:${q.id}`,
          locationId: q.location_id,
        },
        now,
      );
      await auditRun(trx, database, 'questionnaire.remind', q, {}, now);
    });
  return counts;
}

export class QuestionnaireRun {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RunCounts | null> | undefined;

  constructor(
    private readonly options: {
      database: Database;
      now: () => number;
      log: QuestionnaireRunLog;
      everyMs?: number;
      /** Nudges the outbox worker after a run queued mail. */
      onOutbox?: () => void;
    },
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.options.everyMs ?? QUESTIONNAIRE_RUN_EVERY_MS);
    this.#timer.unref();
  }

  /** One run at `now` (the clock's by default); a run already under way is joined, not doubled. */
  runOnce(now = this.options.now()): Promise<RunCounts | null> {
    this.#running ??= runQuestionnaires(this.options.database, now)
      .then((counts) => {
        if (counts.sent + counts.reminded > 0) this.options.onOutbox?.();
        if (Object.values(counts).some((n) => n > 0)) this.options.log.info({ ...counts }, 'questionnaire run');
        return counts;
      })
      .catch((err: unknown) => {
        this.options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'questionnaire run failed');
        return null;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
