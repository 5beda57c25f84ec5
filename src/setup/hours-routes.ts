import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, staffOf } from '../kernel/http/reply.ts';
import { isRefusal } from '../kernel/refusal.ts';
import { errorsOf, isDay, parseWeek, plain, valuesOf, weekValues, type Errors, type Values } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import {
  addClosure,
  closureToRemove,
  openingHours,
  removeClosure,
  saveOpeningHours,
  upcomingClosures,
} from './hours-service.ts';
import { ClosuresPage, OPENING_WORDS, OpeningHoursPage, type HoursPageProps } from './hours-views.tsx';
import type { ConflictRow } from './impact.ts';

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

  // ---- Opening hours ----
  async function hoursPage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<HoursPageProps> = {},
    status = 200,
  ) {
    const { location, spans } = await openingHours(database, req.params.id);
    const values = extra.values ?? weekValues('', spans);
    return html(reply, OpeningHoursPage({ staff: staffOf(req), location, errors: {}, ...extra, values }), status);
  }

  app.get<Params>('/staff/setup/locations/:id/hours', { config: ADMIN_ONLY }, async (req, reply) => {
    const created = (req.query as Record<string, unknown> | undefined)?.created === '1';
    return hoursPage(req, reply, created ? { saved: 'Location added. Now set its opening hours.' } : {});
  });

  app.post<Params>('/staff/setup/locations/:id/hours', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const { week, errors } = parseWeek(values, '', OPENING_WORDS);
    if (Object.keys(errors).length) return hoursPage(req, reply, { values, errors }, 400);
    const conflicts = await saveOpeningHours(database, actorOf(app, req), req.params.id, week);
    return hoursPage(req, reply, { saved: 'Opening hours saved. Online booking uses them from now on.', conflicts });
  });

  // ---- Closures ----
  async function closuresPage(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: {
      values?: Values;
      errors?: Errors;
      saved?: string;
      conflicts?: ConflictRow[];
      confirmRemove?: string;
    } = {},
    status = 200,
  ) {
    const { location, closures } = await upcomingClosures(database, req.params.id, now());
    const page = ClosuresPage({
      staff: staffOf(req),
      location,
      closures,
      values: extra.values ?? {},
      errors: extra.errors ?? {},
      saved: extra.saved,
      conflicts: extra.conflicts,
      confirmRemove: extra.confirmRemove,
    });
    return html(reply, page, status);
  }

  app.get<Params>('/staff/setup/locations/:id/closures', { config: ADMIN_ONLY }, async (req, reply) =>
    closuresPage(req, reply),
  );

  app.post<Params>('/staff/setup/locations/:id/closures', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const parsed = closureForm.safeParse(req.body ?? {});
    if (!parsed.success) return closuresPage(req, reply, { values, errors: errorsOf(parsed.error) }, 400);
    const { date } = parsed.data;
    const conflicts = await addClosure(database, actorOf(app, req), req.params.id, parsed.data);
    if (isRefusal(conflicts)) return closuresPage(req, reply, { values, errors: conflicts.fields ?? {} }, 400);
    return closuresPage(req, reply, {
      saved: `Closure on ${date} added. Online booking offers no times that day.`,
      conflicts,
    });
  });

  app.post<Params>('/staff/setup/locations/:id/closures/remove', { config: ADMIN_ONLY }, async (req, reply) => {
    const { date = '', confirm } = valuesOf(req.body);
    // Reopening a day puts it back into online booking at once: the first press asks, the second removes.
    if (confirm !== 'yes') {
      await closureToRemove(database, req.params.id, date, now());
      return closuresPage(req, reply, { confirmRemove: date });
    }
    const conflicts = await removeClosure(database, actorOf(app, req), req.params.id, date);
    return closuresPage(req, reply, { saved: `Closure on ${date} removed.`, conflicts });
  });
}
