import { randomUUID } from 'node:crypto';
import { staffOf } from '../kernel/http/reply.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addDays, exactWallInstant, wallInstant } from '../kernel/time/wall-clock.ts';
import { notFound } from '../kernel/refusal.ts';
import {
  isDay,
  isId,
  parseClock,
  parseWeek,
  plain,
  valuesOf,
  weekValues,
  WEEKDAY_NUMBERS,
  errorsOf,
  type Errors,
  type Values,
} from './forms.ts';
import { bookingConflicts } from './impact.ts';
import {
  SCHEDULE_WORDS,
  schedulePrefix,
  SchedulePage,
  TimeOffPage,
  type SchedulePageProps,
  type TimeOffPageProps,
} from './provider-views.tsx';
import { ADMIN_ONLY, listLocationNames, providerOr404, saveSetup } from './service.ts';
import { sendPage } from './ui.tsx';

type Params = { Params: { id: string } };
const DAY_MS = 86_400_000;
const reasonField = plain('note', 0, 100);

/** A wall-clock time on a local date as an instant (Luxon does the zone work); undefined when that time does not exist. */
export function localInstant(date: string, minutes: number, zone: string): number | undefined {
  // The calendar's one rule for wall times (src/kernel/time/wall-clock.ts): a repeated time is its first occurrence, a skipped
  // one is refused. (Luxon alone picks a repeated time's occurrence by the server machine's own date.)
  if (minutes === 1440) return wallInstant(zone, addDays(date, 1), 0);
  return exactWallInstant(
    zone,
    date,
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`,
  );
}

type TimeOffInput = { start: number; end: number; reason: string; locationId: string };

function parseTimeOff(
  values: Values,
  locations: Array<{ id: string; time_zone: string }>,
  now: number,
): { ok: true; input: TimeOffInput } | { ok: false; errors: Errors } {
  const errors: Errors = {};
  const location = locations.find((l) => l.id === values.location);
  if (!location) errors.location = 'Choose the location whose local time you are using.';
  const instant = (dateKey: string, timeKey: string, label: string) => {
    const date = (values[dateKey] ?? '').trim();
    const minutes = parseClock(values[timeKey], timeKey === 'end_time');
    if (!isDay(date))
      errors[dateKey] = `Write the ${label} date as YYYY-MM-DD, e.g. 2026-03-10, and use a day that exists.`;
    if (minutes === undefined) errors[timeKey] = `Write the ${label} time as HH:MM in 24-hour time, e.g. 08:00.`;
    if (!location || errors[dateKey] || minutes === undefined) return undefined;
    const at = localInstant(date, minutes, location.time_zone);
    if (at === undefined)
      errors[timeKey] =
        `That time does not exist on ${date} in ${location.time_zone} (the clocks go forward). Choose another time.`;
    return at;
  };
  const start = instant('start_date', 'start_time', 'start');
  const end = instant('end_date', 'end_time', 'end');
  const reason = reasonField.safeParse(values.reason ?? '');
  if (!reason.success) errors.reason = errorsOf(reason.error).form ?? 'Check the note.';
  if (start !== undefined && end !== undefined) {
    if (end <= start) errors.end_time = 'The end must be after the start.';
    else if (end <= now) errors.end_date = 'This time off has already ended.';
    else if (end - start > 366 * DAY_MS) errors.end_date = 'Add time off of at most a year at a time.';
  }
  if (Object.keys(errors).length || start === undefined || end === undefined || !location || !reason.success)
    return { ok: false, errors };
  return { ok: true, input: { start, end, reason: reason.data, locationId: location.id } };
}

/** Clinicians' (providers' and nurses') weekly schedules per location, and their time off. */
export async function providerSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const db = database.db;

  // ---- Weekly schedule ----
  async function schedulePage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<SchedulePageProps> = {},
    status = 200,
  ) {
    const provider = await providerOr404(db, req.params.id);
    const locations = await listLocationNames(db);
    let values = extra.values;
    if (!values) {
      const rows = await db.selectFrom('provider_hours').selectAll().where('provider_id', '=', provider.id).execute();
      values = {};
      for (const l of locations) {
        const spans = rows
          .filter((r) => r.location_id === l.id)
          .map((r) => ({ weekday: r.weekday, from: r.from_min, to: r.to_min }));
        Object.assign(values, weekValues(schedulePrefix(l.id), spans));
      }
    }
    return sendPage(
      reply,
      SchedulePage({ staff: staffOf(req), provider, locations, errors: {}, ...extra, values }),
      status,
    );
  }

  app.get<Params>('/staff/setup/providers/:id/hours', { config: ADMIN_ONLY }, async (req, reply) =>
    schedulePage(req, reply),
  );

  app.post<Params>('/staff/setup/providers/:id/hours', { config: ADMIN_ONLY }, async (req, reply) => {
    const provider = await providerOr404(db, req.params.id);
    const locations = await listLocationNames(db);
    const values = valuesOf(req.body);
    const rows: Array<{ provider_id: string; location_id: string; weekday: number; from_min: number; to_min: number }> =
      [];
    const errors: Errors = {};
    for (const l of locations) {
      const parsed = parseWeek(values, schedulePrefix(l.id), SCHEDULE_WORDS, l.name);
      Object.assign(errors, parsed.errors);
      for (const wd of WEEKDAY_NUMBERS) {
        const span = parsed.week[wd];
        if (span)
          rows.push({ provider_id: provider.id, location_id: l.id, weekday: wd, from_min: span.from, to_min: span.to });
      }
    }
    if (Object.keys(errors).length) return schedulePage(req, reply, { values, errors }, 400);
    const conflicts = await saveSetup(app, req, { thing: 'provider_hours', locationId: null }, async (trx) => {
      await trx.deleteFrom('provider_hours').where('provider_id', '=', provider.id).execute();
      if (rows.length) await trx.insertInto('provider_hours').values(rows).execute();
      const found = await bookingConflicts(trx, { providerId: provider.id }, now());
      return { result: found, detail: { provider: provider.id, days: rows.length, conflicts: found.length } };
    });
    return schedulePage(req, reply, {
      saved: `Schedule of ${provider.name} saved. Online booking uses it from now on.`,
      conflicts,
    });
  });

  // ---- Time off ----
  async function timeOffPage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<TimeOffPageProps> = {},
    status = 200,
  ) {
    const provider = await providerOr404(db, req.params.id);
    const locations = await listLocationNames(db);
    const works = await db
      .selectFrom('provider_hours')
      .select('location_id')
      .where('provider_id', '=', provider.id)
      .execute();
    const main = locations.find((l) => works.some((w) => w.location_id === l.id)) ?? locations[0];
    const timeOff = await db
      .selectFrom('provider_time_off')
      .select(['id', 'starts_at', 'ends_at', 'reason'])
      .where('provider_id', '=', provider.id)
      .where('ends_at', '>', now())
      .orderBy('starts_at')
      .execute();
    const props: TimeOffPageProps = {
      staff: staffOf(req),
      provider,
      locations,
      zone: main?.time_zone ?? 'UTC',
      timeOff: timeOff.map((t) => ({ ...t, starts_at: Number(t.starts_at), ends_at: Number(t.ends_at) })),
      values: { location: main?.id ?? '' },
      errors: {},
      ...extra,
    };
    return sendPage(reply, TimeOffPage(props), status);
  }

  app.get<Params>('/staff/setup/providers/:id/time-off', { config: ADMIN_ONLY }, async (req, reply) =>
    timeOffPage(req, reply),
  );

  app.post<Params>('/staff/setup/providers/:id/time-off', { config: ADMIN_ONLY }, async (req, reply) => {
    const provider = await providerOr404(db, req.params.id);
    const values = valuesOf(req.body);
    const parsed = parseTimeOff(values, await listLocationNames(db), now());
    if (!parsed.ok) return timeOffPage(req, reply, { values, errors: parsed.errors }, 400);
    const { start, end, reason, locationId } = parsed.input;
    const id = randomUUID();
    const conflicts = await saveSetup(app, req, { thing: 'time_off_add', locationId: null }, async (trx) => {
      await trx
        .insertInto('provider_time_off')
        .values({ id, provider_id: provider.id, starts_at: start, ends_at: end, reason })
        .execute();
      const found = await bookingConflicts(trx, { providerId: provider.id }, now());
      return {
        result: found,
        detail: {
          provider: provider.id,
          timeOff: id,
          zoneOf: locationId,
          startsAt: start,
          endsAt: end,
          conflicts: found.length,
        },
      };
    });
    return timeOffPage(req, reply, {
      saved: `Time off added. ${provider.name} is not offered for booking during it.`,
      conflicts,
    });
  });

  app.post<{ Params: { id: string; offId: string } }>(
    '/staff/setup/providers/:id/time-off/:offId/remove',
    { config: ADMIN_ONLY },
    async (req, reply) => {
      const provider = await providerOr404(db, req.params.id);
      const offId = req.params.offId;
      if (!isId(offId)) throw notFound('That time off');
      const conflicts = await saveSetup(app, req, { thing: 'time_off_remove', locationId: null }, async (trx) => {
        const res = await trx
          .deleteFrom('provider_time_off')
          .where('id', '=', offId)
          .where('provider_id', '=', provider.id)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) !== 1) throw notFound('That time off');
        const found = await bookingConflicts(trx, { providerId: provider.id }, now());
        return { result: found, detail: { provider: provider.id, timeOff: offId, conflicts: found.length } };
      });
      return timeOffPage(req, reply, { saved: 'Time off removed.', conflicts });
    },
  );
}
