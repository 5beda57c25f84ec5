import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Role } from '../../kernel/db/schema.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { resolveAlert, worklist, worklistCount } from './alerts-service.ts';
import { consentLibrary, patientIntake, publishDocument, signedCopy } from './staff-service.ts';
import { PatientIntakePage, SignedCopyPage } from './staff-views.tsx';
import { ConsentSettingsPage, WorklistPage } from './worklist-views.tsx';

const savedQuery = z.object({ saved: z.string().max(20).optional() });

/** On the root instance (like the brand hook), so every staff page's navigation shows the worklist's open count. */
export function installWorklistCount(app: FastifyInstance): void {
  const { database } = app.deps;
  app.addHook('preHandler', async (req) => {
    if (req.staff?.stage !== 'active') return;
    const count = await worklistCount(database.db, req.staff);
    if (count !== undefined) req.staff.worklistOpen = count;
  });
}

/**
 * Clinicians: a patient's intake and signed consent, and the safety worklist. Administrators: the consent documents.
 * Front desk sees none of it.
 */
export async function intakeStaffRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const { database } = deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const admin = { policy: { roles: ['admin'] as Role[] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const idOf = (req: FastifyRequest, key: string) => (req.params as Record<string, string | undefined>)[key];

  app.get('/staff/patients/:id/intake', { config: clinical }, async (req, reply) => {
    const view = await patientIntake(database, actorOf(req), idOf(req, 'id'));
    return html(
      reply,
      PatientIntakePage({
        staff: staffOf(req),
        patient: view.patient,
        latest: view.latest,
        consent: view.consent.documents,
        signatures: view.signatures,
        alerts: view.alerts,
        zone: view.zone,
      }),
    );
  });

  app.get('/staff/patients/:id/intake/consent/:signature', { config: clinical }, async (req, reply) => {
    const copy = await signedCopy(database, actorOf(req), idOf(req, 'id'), idOf(req, 'signature'));
    return html(reply, SignedCopyPage({ staff: staffOf(req), ...copy }));
  });

  app.get('/staff/worklist', { config: clinical }, async (req, reply) => {
    const q = savedQuery.safeParse(req.query);
    const saved =
      q.success && q.data.saved === 'closed' ? 'Assessment and action recorded; the alert is closed.' : undefined;
    const alerts = await worklist(database, actorOf(req));
    return html(reply, WorklistPage({ staff: staffOf(req), alerts, saved }));
  });

  app.post('/staff/worklist/:alert/resolve', { config: clinical }, async (req, reply) => {
    const alertId = idOf(req, 'alert') ?? '';
    const result = await resolveAlert(database, actorOf(req), alertId, req.body);
    if (!isRefusal(result)) return reply.code(303).redirect('/staff/worklist?saved=closed');
    if (result.code !== 'invalid_request') throw result;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof body[k] === 'string' ? body[k].slice(0, 4000) : '');
    const alerts = await worklist(database, actorOf(req));
    return html(
      reply,
      WorklistPage({
        staff: staffOf(req),
        alerts,
        failed: {
          alertId,
          errors: result.fields ?? {},
          values: { assessment: text('assessment'), action: text('action') },
        },
      }),
      result.statusCode,
    );
  });

  app.get('/staff/clinical-settings/consent', { config: admin }, async (req, reply) => {
    const q = savedQuery.safeParse(req.query);
    const saved = q.success && q.data.saved === 'published' ? 'New version published.' : undefined;
    const library = await consentLibrary(database, deps.now());
    return html(reply, ConsentSettingsPage({ staff: staffOf(req), ...library, saved }));
  });

  app.post('/staff/clinical-settings/consent/:code', { config: admin }, async (req, reply) => {
    const code = idOf(req, 'code') ?? '';
    const result = await publishDocument(database, actorOf(req), code, req.body);
    if (!isRefusal(result)) return reply.code(303).redirect('/staff/clinical-settings/consent?saved=published');
    if (result.code === 'not_found') throw result;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const library = await consentLibrary(database, deps.now());
    const values: Record<string, string> = {};
    // A stale form shows the new version's text (so the administrator reads it); any other refusal keeps what was typed.
    if (result.code !== 'conflict')
      for (const k of ['title', 'body'])
        if (typeof body[k] === 'string') values[`${code}-${k}`] = body[k].slice(0, 20000);
    return html(
      reply,
      ConsentSettingsPage({ staff: staffOf(req), ...library, errors: result.fields ?? {}, values }),
      result.statusCode,
    );
  });
}
