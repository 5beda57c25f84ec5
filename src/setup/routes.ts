import type { FastifyInstance } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { clinicSetupRoutes } from './clinic-routes.tsx';
import { clinicianSetupRoutes } from './clinician-routes.tsx';
import { hoursSetupRoutes } from './hours-routes.ts';
import { ADMIN_ONLY } from './http.ts';
import { SetupIndexPage } from './index-view.tsx';
import { locationSetupRoutes } from './location-routes.ts';
import { roomSetupRoutes } from './room-routes.ts';
import { scheduleSetupRoutes } from './schedule-routes.ts';
import { setupOverview } from './service.ts';
import { typeSetupRoutes } from './type-routes.tsx';

/**
 * Clinic set-up for administrators: clinic settings, locations (details, opening hours, closures, rooms),
 * appointment types, provider schedules and time off. Every route is admin-only; every save is validated,
 * audited in its own transaction and applied to availability at once.
 */
export async function setupRoutes(app: FastifyInstance): Promise<void> {
  app.get('/staff/setup', { config: ADMIN_ONLY }, async (req, reply) => {
    const { locations, clinicians } = await setupOverview(app.deps.database);
    return html(reply, SetupIndexPage({ staff: staffOf(req), locations, clinicians }));
  });
  await app.register(clinicSetupRoutes);
  await app.register(locationSetupRoutes);
  await app.register(hoursSetupRoutes);
  await app.register(roomSetupRoutes);
  await app.register(typeSetupRoutes);
  await app.register(clinicianSetupRoutes);
  await app.register(scheduleSetupRoutes);
}
