import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Role } from '../../kernel/db/schema.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { addSuggestedProtocols, previewDose, protocolLibrary, protocolVersion, protocolVersions } from '../service.ts';
import { FIELD_NAMES, ProtocolPage, ProtocolsPage, type PreviewForm } from './views.tsx';
import { saveOrderLimits, type OrderLimitsInput } from './order-limits.ts';
import { saveProtocolEdit } from './edit-protocol.ts';
import { ProtocolEditPage } from './edit-view.tsx';
import { postedOrderCount, protocolValues } from './protocol-form.ts';

const codeParams = z.object({ code: z.string().regex(/^[a-z0-9-]{2,40}$/) });
const addedQuery = z.object({ added: z.coerce.number().int().min(0).max(100).optional() });
const savedQuery = z.object({ saved: z.enum(['limits', 'edit']).optional() });

/** A figure typed in: a plain decimal number, or a message naming what is wrong. */
const decimal = (label: string, min: number, max: number, unit: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,4}(\.\d{1,3})?$/, `${label}: a number such as ${min === 0 ? '0.2' : '72.5'}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${label}: from ${min} to ${max} ${unit}`);

/** The calculator's form: every field optional (the page opens empty), each checked when given. */
const previewQuery = z.object({
  weight: z.string().max(20).optional(),
  unit: z.string().max(5).optional(),
  hours: z.string().max(20).optional(),
  rate: z.string().max(20).optional(),
  bolus: z.string().max(20).optional(),
});

/**
 * The protocol library: clinicians and administrators read it (front desk sees no clinical data), administrators
 * start it from the suggested protocols; each protocol's page runs the dose calculator on a weight typed in.
 */
export async function protocolRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: ['admin', 'provider', 'nurse'] as Role[] } };
  const admin = { policy: { roles: ['admin'] as Role[] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/protocols', { config: clinical }, async (req, reply) => {
    const added = addedQuery.safeParse(req.query);
    const notice =
      added.success && added.data.added !== undefined
        ? `${added.data.added} suggested protocols added. Review each one’s figures before any patient is dosed by it.`
        : undefined;
    const protocols = await protocolLibrary(deps.database);
    return html(reply, ProtocolsPage({ staff: staffOf(req), protocols, ...(notice ? { notice } : {}) }));
  });

  app.post('/staff/protocols/suggested', { config: admin }, async (req, reply) => {
    const result = await addSuggestedProtocols(deps.database, actorOf(req));
    if (!result.ok) throw result;
    return reply.code(303).redirect(`/staff/protocols?added=${result.added}`);
  });

  app.get('/staff/protocols/:code', { config: clinical }, async (req, reply) => {
    const params = codeParams.safeParse(req.params);
    if (!params.success) throw notFound('That protocol');
    const protocol = await protocolVersion(deps.database, params.data.code);
    if (!protocol) throw notFound('That protocol');
    const versions = await protocolVersions(deps.database, protocol.code);
    const raw = previewQuery.safeParse(req.query);
    const values = raw.success ? Object.fromEntries(Object.entries(raw.data).filter(([, v]) => v !== undefined)) : {};
    const form: PreviewForm = { values: values, errors: {} };
    const savedLimits = savedQuery.safeParse(req.query);
    const saved =
      savedLimits.success && savedLimits.data.saved
        ? savedLimits.data.saved === 'limits'
          ? 'The limits are saved as this new version.'
          : 'The protocol is saved as this new version.'
        : undefined;
    // A field too long to be a figure is named as that field (the page opens on the others' values).
    if (!raw.success)
      for (const issue of raw.error.issues) {
        const name = String(issue.path[0] ?? 'weight');
        form.errors[name] ??= `${FIELD_NAMES[name] ?? 'Weight'}: a number such as 72.5`;
      }
    const page = (status: number, preview?: Parameters<typeof ProtocolPage>[0]['preview']) =>
      html(
        reply,
        ProtocolPage({
          staff: staffOf(req),
          protocol,
          versions,
          form,
          ...(preview ? { preview } : {}),
          ...(saved ? { saved } : {}),
        }),
        status,
      );
    if (!raw.success || values.weight === undefined) return page(raw.success ? 200 : 400);

    const { dosing } = protocol.definition;
    const fields = {
      weight: decimal('Weight', 1, 1500, 'kg or lb').safeParse(values.weight),
      hours: values.hours ? decimal('Hours', 0.25, 24, 'hours').safeParse(values.hours) : undefined,
      rate: values.rate ? decimal('Rate', 0.001, 50, 'mg/kg/h').safeParse(values.rate) : undefined,
      bolus: values.bolus ? decimal('Bolus', 0, 10, 'mg/kg').safeParse(values.bolus) : undefined,
    };
    for (const [name, parsed] of Object.entries(fields)) {
      if (parsed && !parsed.success) form.errors[name] = parsed.error.issues[0]!.message;
    }
    const unit = values.unit === undefined || values.unit === 'kg' ? 'kg' : values.unit === 'lb' ? 'lb' : undefined;
    if (!unit) form.errors.unit = 'Unit: kilograms or pounds';
    if (Object.keys(form.errors).length > 0 || !fields.weight.success || !unit) return page(400);

    const preview = previewDose(
      protocol,
      {
        weight: fields.weight.data,
        unit,
        ...(fields.hours?.success ? { hours: fields.hours.data } : {}),
        ...(fields.rate?.success ? { mgPerKgPerHour: fields.rate.data } : {}),
        ...(fields.bolus?.success && dosing.bolusMaxMgPerKg !== null ? { bolusMgPerKg: fields.bolus.data } : {}),
      },
      deps.now(),
    );
    if (!preview.result.ok) {
      // The calculator's own refusals (a weight out of range, a rate above the protocol's maximum…), by field.
      const FIELD: Record<string, string> = {
        weight: 'weight',
        sessionHours: 'hours',
        mgPerKgPerHour: 'rate',
        bolusMgPerKg: 'bolus',
      };
      for (const problem of preview.result.problems) form.errors[FIELD[problem.field] ?? 'weight'] ??= problem.message;
      return page(400);
    }
    return page(200, preview);
  });

  // The numeric limits of the protocol's other orders (administrators: the medical director's figures).
  app.post('/staff/protocols/:code/order-limits', { config: admin }, async (req, reply) => {
    const params = codeParams.safeParse(req.params);
    if (!params.success) throw notFound('That protocol');
    const protocol = await protocolVersion(deps.database, params.data.code);
    if (!protocol) throw notFound('That protocol');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? body[key].trim().slice(0, 200) : '');
    const values: Record<string, string> = {};
    const errors: Record<string, string> = {};
    const limits: OrderLimitsInput[] = protocol.definition.extraOrders.map((o, i) => {
      const figureOf = (name: string, label: string) => {
        values[name] = str(name);
        const parsed = decimal(`${o.drug}: ${label}`, 0, 5000, 'mg').safeParse(values[name]);
        if (!parsed.success) errors[name] = parsed.error.issues[0]!.message;
        return parsed.success ? parsed.data : 0;
      };
      values[`routes_${i}`] = str(`routes_${i}`);
      const routes = values[`routes_${i}`]!.split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      if (routes.length === 0) errors[`routes_${i}`] = `${o.drug}: name at least one route, such as IV`;
      return {
        doseMg: figureOf(`dose_${i}`, 'largest single dose'),
        maxMgPerSession: figureOf(`max_${i}`, 'most in a session'),
        routes,
      };
    });
    const page = async (errs: Record<string, string>, status: number) => {
      const versions = await protocolVersions(deps.database, protocol.code);
      return html(
        reply,
        ProtocolPage({
          staff: staffOf(req),
          protocol,
          versions,
          form: { values: {}, errors: {} },
          limits: { values, errors: errs },
        }),
        status,
      );
    };
    if (Object.keys(errors).length > 0) return page(errors, 400);
    const result = await saveOrderLimits(deps.database, actorOf(req), protocol.code, Number(str('version')), limits);
    if (result.ok) return reply.code(303).redirect(`/staff/protocols/${protocol.code}?saved=limits`);
    if (result.statusCode === 404) throw result;
    return page(
      result.statusCode === 409 || !result.fields ? { form: result.message } : result.fields,
      result.statusCode,
    );
  });

  // The whole protocol, edited by an administrator (the medical director) and saved as its next version.
  app.get('/staff/protocols/:code/edit', { config: admin }, async (req, reply) => {
    const params = codeParams.safeParse(req.params);
    const protocol = params.success ? await protocolVersion(deps.database, params.data.code) : undefined;
    if (!protocol) throw notFound('That protocol');
    const values = protocolValues(protocol.definition);
    const orderRows = protocol.definition.extraOrders.length + 1;
    return html(reply, ProtocolEditPage({ staff: staffOf(req), protocol, values, errors: {}, orderRows }));
  });

  app.post('/staff/protocols/:code/edit', { config: admin }, async (req, reply) => {
    const params = codeParams.safeParse(req.params);
    const protocol = params.success ? await protocolVersion(deps.database, params.data.code) : undefined;
    if (!protocol) throw notFound('That protocol');
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries((req.body ?? {}) as Record<string, unknown>))
      if (typeof value === 'string' && key.length <= 60) values[key] = value.slice(0, 600);
    const result = await saveProtocolEdit(deps.database, actorOf(req), protocol.code, Number(values.version), values);
    if (result.ok) return reply.code(303).redirect(`/staff/protocols/${protocol.code}?saved=edit`);
    if (result.statusCode === 404) throw result;
    // A stale page opens on the newest version again, saying so; a refused figure keeps what was typed.
    const current = result.statusCode === 409 ? await protocolVersion(deps.database, protocol.code) : protocol;
    if (!current) throw notFound('That protocol');
    const shown = result.statusCode === 409 ? protocolValues(current.definition) : values;
    const errors = result.statusCode === 409 || !result.fields ? { form: result.message } : result.fields;
    const orderRows =
      result.statusCode === 409 ? current.definition.extraOrders.length + 1 : Math.max(1, postedOrderCount(values));
    return html(
      reply,
      ProtocolEditPage({ staff: staffOf(req), protocol: current, values: shown, errors, orderRows }),
      result.statusCode,
    );
  });
}
