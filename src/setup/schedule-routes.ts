import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { isRefusal } from '../kernel/refusal.ts';
import { valuesOf, weekValues, type Values } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import { schedulePrefix } from './schedule-schema.ts';
import { addTimeOff, removeTimeOff, saveWeeklySchedule, timeOffOf, weeklySchedule } from './schedule-service.ts';
import { SchedulePage, TimeOffPage, type SchedulePageProps, type TimeOffPageProps } from './schedule-views.tsx';

type Params = { Params: { id: string } };

/** Clinicians' (providers' and nurses') weekly schedules per location, and their time off. */
export async function scheduleSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;

  // ---- Weekly schedule ----
  async function schedulePage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<SchedulePageProps> = {},
    status = 200,
  ) {
    const { clinician, locations, hours } = await weeklySchedule(database, req.params.id);
    let values = extra.values;
    if (!values) {
      values = {};
      for (const l of locations) {
        const spans = hours
          .filter((r) => r.location_id === l.id)
          .map((r) => ({ weekday: r.weekday, from: r.from_min, to: r.to_min }));
        Object.assign(values, weekValues(schedulePrefix(l.id), spans));
      }
    }
    const page = SchedulePage({ staff: staffOf(req), clinician, locations, errors: {}, ...extra, values });
    return html(reply, page, status);
  }

  app.get<Params>('/staff/setup/clinicians/:id/hours', { config: ADMIN_ONLY }, async (req, reply) =>
    schedulePage(req, reply),
  );

  app.post<Params>('/staff/setup/clinicians/:id/hours', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const done = await saveWeeklySchedule(database, actorOf(app, req), req.params.id, values);
    if (isRefusal(done)) return schedulePage(req, reply, { values, errors: done.fields ?? {} }, 400);
    return schedulePage(req, reply, {
      saved: `Schedule of ${done.name} saved. Online booking uses it from now on.`,
      conflicts: done.conflicts,
    });
  });

  // ---- Time off ----
  async function timeOffPage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<TimeOffPageProps> = {},
    status = 200,
  ) {
    const { clinician, locations, main, timeOff } = await timeOffOf(database, req.params.id, now());
    const values: Values = { location: main?.id ?? '' };
    const page = TimeOffPage({
      staff: staffOf(req),
      clinician,
      locations,
      zone: main?.time_zone ?? 'UTC',
      timeOff,
      values,
      errors: {},
      ...extra,
    });
    return html(reply, page, status);
  }

  app.get<Params>('/staff/setup/clinicians/:id/time-off', { config: ADMIN_ONLY }, async (req, reply) =>
    timeOffPage(req, reply),
  );

  app.post<Params>('/staff/setup/clinicians/:id/time-off', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const done = await addTimeOff(database, actorOf(app, req), req.params.id, values);
    if (isRefusal(done)) return timeOffPage(req, reply, { values, errors: done.fields ?? {} }, 400);
    return timeOffPage(req, reply, {
      saved: `Time off added. ${done.name} is not offered for booking during it.`,
      conflicts: done.conflicts,
    });
  });

  app.post<{ Params: { id: string; offId: string } }>(
    '/staff/setup/clinicians/:id/time-off/:offId/remove',
    { config: ADMIN_ONLY },
    async (req, reply) => {
      const conflicts = await removeTimeOff(database, actorOf(app, req), req.params.id, req.params.offId);
      return timeOffPage(req, reply, { saved: 'Time off removed.', conflicts });
    },
  );
}
