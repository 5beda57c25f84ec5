import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isUniqueViolation } from '../kernel/db/database.ts';
import { badRequest, notFound } from '../kernel/refusal.ts';
import {
  errorsOf,
  isDay,
  parseWeek,
  plain,
  valuesOf,
  weekValues,
  WEEKDAY_NUMBERS,
  type Errors,
  type Values,
} from './forms.ts';
import {
  ClosuresPage,
  OPENING_WORDS,
  OpeningHoursPage,
  type ClosuresPageProps,
  type HoursPageProps,
} from './hours-views.tsx';
import { bookingConflicts, type ConflictRow } from './impact.ts';
import { ADMIN_ONLY, locationOr404, saveSetup } from './service.ts';
import { sendPage } from './ui.tsx';

type Params = { Params: { id: string } };

const closureForm = z.object({
  date: z
    .string({ error: 'Enter the date.' })
    .trim()
    .min(1, 'Enter the date.')
    .refine(isDay, 'Write the date as YYYY-MM-DD, e.g. 2026-07-03, and use a day that exists.'),
  reason: plain('reason', 2, 100),
});

/** Weekly opening hours and closures of a location. */
export async function hoursSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const db = database.db;

  // ---- Opening hours ----
  async function hoursPage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<HoursPageProps> = {},
    status = 200,
  ) {
    const location = await locationOr404(db, req.params.id);
    let values = extra.values;
    if (!values) {
      const rows = await db.selectFrom('opening_hours').selectAll().where('location_id', '=', location.id).execute();
      values = weekValues(
        '',
        rows.map((r) => ({ weekday: r.weekday, from: r.opens_min, to: r.closes_min })),
      );
    }
    return sendPage(reply, OpeningHoursPage({ staff: staffOf(req), location, errors: {}, ...extra, values }), status);
  }

  app.get<Params>('/staff/setup/locations/:id/hours', { config: ADMIN_ONLY }, async (req, reply) => {
    const created = (req.query as Record<string, unknown> | undefined)?.created === '1';
    return hoursPage(req, reply, created ? { saved: 'Location added. Now set its opening hours.' } : {});
  });

  app.post<Params>('/staff/setup/locations/:id/hours', { config: ADMIN_ONLY }, async (req, reply) => {
    const location = await locationOr404(db, req.params.id);
    const values = valuesOf(req.body);
    const { week, errors } = parseWeek(values, '', OPENING_WORDS);
    if (Object.keys(errors).length) return hoursPage(req, reply, { values, errors }, 400);
    const conflicts = await saveSetup(app, req, { thing: 'opening_hours', locationId: location.id }, async (trx) => {
      await trx.deleteFrom('opening_hours').where('location_id', '=', location.id).execute();
      const rows = WEEKDAY_NUMBERS.flatMap((wd) => {
        const span = week[wd];
        return span ? [{ location_id: location.id, weekday: wd, opens_min: span.from, closes_min: span.to }] : [];
      });
      if (rows.length) await trx.insertInto('opening_hours').values(rows).execute();
      const found = await bookingConflicts(trx, { locationId: location.id }, now());
      return { result: found, detail: { location: location.id, openDays: rows.length, conflicts: found.length } };
    });
    return hoursPage(req, reply, { saved: 'Opening hours saved. Online booking uses them from now on.', conflicts });
  });

  // ---- Closures ----
  async function closuresPage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string; conflicts?: ConflictRow[] } = {},
    status = 200,
  ) {
    const location = await locationOr404(db, req.params.id);
    const today = DateTime.fromMillis(now(), { zone: location.time_zone }).toISODate()!;
    const closures = await db
      .selectFrom('closures')
      .select(['date', 'reason'])
      .where('location_id', '=', location.id)
      .where('date', '>=', today)
      .orderBy('date')
      .execute();
    const props: ClosuresPageProps = {
      staff: staffOf(req),
      location,
      closures,
      values: extra.values ?? {},
      errors: extra.errors ?? {},
      saved: extra.saved,
      conflicts: extra.conflicts,
    };
    return sendPage(reply, ClosuresPage(props), status);
  }

  app.get<Params>('/staff/setup/locations/:id/closures', { config: ADMIN_ONLY }, async (req, reply) =>
    closuresPage(req, reply),
  );

  app.post<Params>('/staff/setup/locations/:id/closures', { config: ADMIN_ONLY }, async (req, reply) => {
    const location = await locationOr404(db, req.params.id);
    const values = valuesOf(req.body);
    const parsed = closureForm.safeParse(req.body ?? {});
    const errors = parsed.success ? {} : errorsOf(parsed.error);
    const today = DateTime.fromMillis(now(), { zone: location.time_zone });
    if (parsed.success) {
      const day = DateTime.fromISO(parsed.data.date, { zone: location.time_zone });
      if (day < today.startOf('day')) errors.date = 'Choose today or a later date.';
      else if (day > today.plus({ years: 3 })) errors.date = 'Choose a date within the next three years.';
    }
    if (!parsed.success || Object.keys(errors).length) return closuresPage(req, reply, { values, errors }, 400);
    const { date, reason } = parsed.data;
    try {
      const conflicts = await saveSetup(app, req, { thing: 'closure_add', locationId: location.id }, async (trx) => {
        await trx.insertInto('closures').values({ location_id: location.id, date, reason }).execute();
        const found = await bookingConflicts(trx, { locationId: location.id }, now());
        return { result: found, detail: { location: location.id, date, conflicts: found.length } };
      });
      return closuresPage(req, reply, {
        saved: `Closure on ${date} added. Online booking offers no times that day.`,
        conflicts,
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return closuresPage(req, reply, { values, errors: { date: 'The location is already closed on that day.' } }, 400);
    }
  });

  app.post<Params>('/staff/setup/locations/:id/closures/remove', { config: ADMIN_ONLY }, async (req, reply) => {
    const location = await locationOr404(db, req.params.id);
    const date = valuesOf(req.body).date ?? '';
    if (!isDay(date)) throw badRequest('Choose a closure from the list to remove.');
    const conflicts = await saveSetup(app, req, { thing: 'closure_remove', locationId: location.id }, async (trx) => {
      const res = await trx
        .deleteFrom('closures')
        .where('location_id', '=', location.id)
        .where('date', '=', date)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) throw notFound('That closure');
      const found = await bookingConflicts(trx, { locationId: location.id }, now());
      return { result: found, detail: { location: location.id, date, conflicts: found.length } };
    });
    return closuresPage(req, reply, { saved: `Closure on ${date} removed.`, conflicts });
  });
}
