import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal, notFound, type Refusal } from '../../kernel/refusal.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import {
  CLINICAL_RECORD_ROLES,
  doseOrderDetail,
  doseOrdersOverview,
  FORM_FIELD,
  orderDose,
  orderSession,
  PRESCRIBER_ROLES,
  verifyDose,
  voidDose,
  type OrderSession,
} from '../service.ts';
import { DoseOrdersPage, OrderPage, orderHref, OrderSessionPage } from './order-views.tsx';

const params = z.object({ id: z.string().max(64) });
const sessionParams = params.extend({ appointment: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });
const orderParams = params.extend({ order: z.uuid() });
const savedQuery = z.object({ saved: z.enum(['ordered', 'verified', 'mismatch', 'voided']).optional() });

const SAVED: Record<string, string> = {
  ordered: 'The dose is ordered and signed. It is given only after another clinician checks it.',
  verified: 'The check matched: the order is verified.',
  voided: 'The order is void.',
};

/** A figure typed into a form: a plain decimal, within bounds, or a message naming the field. */
function decimal(
  raw: unknown,
  label: string,
  [min, max]: [number, number],
  unit: string,
  example: string,
): number | string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return `${label}: enter it in ${unit}, for example ${example}`;
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(text)) return `${label}: a number in ${unit}, for example ${example}`;
  const n = Number(text);
  if (n < min || n > max) return `${label}: from ${min} to ${max} ${unit}`;
  return n;
}

const str = (body: Record<string, unknown>, key: string) => (typeof body[key] === 'string' ? body[key] : '');

/**
 * The dose-order pages of one patient: the sessions with their orders, the order form of a session (providers),
 * and each order with its independent check (nurses and providers) and voiding (providers).
 */
export async function doseOrderRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const prescriber = { policy: { roles: [...PRESCRIBER_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const base = '/staff/patients/:id/dose-orders';

  app.get(base, { config: clinical }, async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    const overview = await doseOrdersOverview(deps.database, actorOf(req), p.data.id);
    return html(reply, DoseOrdersPage({ staff: staffOf(req), ...overview }));
  });

  // ---- Ordering, for one session.
  const sessionPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: OrderSession,
    values: Values,
    errors: Errors,
    status = 200,
  ) => html(reply, OrderSessionPage({ staff: staffOf(req), ctx, values, errors }), status);

  const defaults = (ctx: OrderSession): Values => ({
    bag_mg: String(ctx.choices.bagMg),
    bag_ml: String(ctx.choices.bagMl),
    rate: String(ctx.choices.mgPerKgPerHour),
    bolus: String(ctx.choices.bolusMgPerKg),
  });

  app.get(`${base}/sessions/:appointment`, { config: prescriber }, async (req, reply) => {
    const p = sessionParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const ctx = await orderSession(deps.database, actorOf(req), p.data.id, p.data.appointment);
    return sessionPage(req, reply, ctx, defaults(ctx), {});
  });

  app.post(`${base}/sessions/:appointment`, { config: prescriber }, async (req, reply) => {
    const p = sessionParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const actor = actorOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Values = {
      bag_mg: str(body, 'bag_mg'),
      bag_ml: str(body, 'bag_ml'),
      rate: str(body, 'rate'),
      bolus: str(body, 'bolus') || '0',
    };
    const errors: Errors = {};
    const figures = {
      bagMg: decimal(values.bag_mg, 'Ketamine in the bag', [1, 10000], 'mg', '100'),
      bagMl: decimal(values.bag_ml, 'Bag volume', [1, 10000], 'mL', '100'),
      mgPerKgPerHour: decimal(values.rate, 'Rate', [0.001, 50], 'mg/kg/h', '0.35'),
      bolusMgPerKg: decimal(values.bolus, 'Bolus', [0, 10], 'mg/kg', '0.1'),
    };
    const NAMES = { bagMg: 'bag_mg', bagMl: 'bag_ml', mgPerKgPerHour: 'rate', bolusMgPerKg: 'bolus' } as const;
    const choices: Record<string, number> = {};
    for (const [key, v] of Object.entries(figures)) {
      if (typeof v === 'string') errors[NAMES[key as keyof typeof NAMES]] = v;
      else choices[key] = v;
    }
    const ctx = await orderSession(deps.database, actor, p.data.id, p.data.appointment, choices);
    for (const problem of ctx.problems) errors[FORM_FIELD[problem.field]] ??= problem.message;
    const intent = str(body, 'intent');
    if (Object.keys(errors).length > 0) return sessionPage(req, reply, ctx, values, errors, 400);
    if (intent !== 'sign') return sessionPage(req, reply, ctx, values, {});

    const code = str(body, 'code').trim();
    if (!/^\d{6}$/.test(code))
      return sessionPage(
        req,
        reply,
        ctx,
        values,
        { code: 'Authenticator code: the 6 digits your app shows now.' },
        400,
      );
    const result = await orderDose(deps.database, deps.config.secret, actor, p.data.id, p.data.appointment, {
      ...choices,
      weightId: str(body, 'weight_id'),
      planId: str(body, 'plan_id'),
      planVersion: Number(str(body, 'plan_version')),
      code,
    });
    if (result.ok) return reply.code(303).redirect(`${orderHref(ctx.patient.id, result.orderId)}?saved=ordered`);
    return refusedPage(result, async (errs) => {
      // Re-read: what changed is shown as it is now, with the refusal naming it.
      const fresh = await orderSession(deps.database, actor, p.data.id, p.data.appointment, choices, false);
      return sessionPage(req, reply, fresh, values, errs, result.statusCode);
    });
  });

  // ---- One order: its figures, its check, voiding.
  app.get(`${base}/:order`, { config: clinical }, async (req, reply) => {
    const p = orderParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const q = savedQuery.safeParse(req.query);
    const detail = await doseOrderDetail(deps.database, actorOf(req), p.data.id, p.data.order);
    const saved = q.success && q.data.saved ? SAVED[q.data.saved] : undefined;
    return html(reply, OrderPage({ staff: staffOf(req), detail, values: { unit: 'kg' }, errors: {}, saved }));
  });

  const orderPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    values: Values,
    errors: Errors,
    status: number,
  ) => {
    const p = orderParams.parse(req.params);
    const detail = await doseOrderDetail(deps.database, actorOf(req), p.id, p.order);
    return html(reply, OrderPage({ staff: staffOf(req), detail, values, errors }), status);
  };

  app.post(`${base}/:order/verify`, { config: clinical }, async (req, reply) => {
    const p = orderParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Values = {
      weight: str(body, 'weight'),
      unit: str(body, 'unit'),
      bag_mg: str(body, 'bag_mg'),
      bag_ml: str(body, 'bag_ml'),
    };
    const errors: Errors = {};
    const weight = decimal(values.weight, 'Weight', [0.1, 2000], 'kg or lb', '72.5');
    const bagMg = decimal(values.bag_mg, 'Ketamine in the bag', [0.001, 10000], 'mg', '100');
    const bagMl = decimal(values.bag_ml, 'Bag volume', [0.001, 10000], 'mL', '100');
    if (typeof weight === 'string') errors.weight = weight;
    if (values.unit !== 'kg' && values.unit !== 'lb') errors.unit = 'Unit: kilograms or pounds';
    if (typeof bagMg === 'string') errors.bag_mg = bagMg;
    if (typeof bagMl === 'string') errors.bag_ml = bagMl;
    if (
      Object.keys(errors).length > 0 ||
      typeof weight === 'string' ||
      typeof bagMg === 'string' ||
      typeof bagMl === 'string'
    )
      return orderPage(req, reply, values, errors, 400);
    const result = await verifyDose(deps.database, actorOf(req), p.data.id, p.data.order, {
      weight: { value: weight, unit: values.unit as 'kg' | 'lb' },
      bag: { drugMg: bagMg, volumeMl: bagMl },
    });
    if (result.ok)
      return reply
        .code(303)
        .redirect(`${orderHref(p.data.id, p.data.order)}?saved=${result.match ? 'verified' : 'mismatch'}`);
    return refusedPage(result, (errs) => orderPage(req, reply, values, errs, result.statusCode));
  });

  app.post(`${base}/:order/void`, { config: prescriber }, async (req, reply) => {
    const p = orderParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reason = str(body, 'reason');
    const result = await voidDose(deps.database, actorOf(req), p.data.id, p.data.order, reason);
    if (result.ok) return reply.code(303).redirect(`${orderHref(p.data.id, p.data.order)}?saved=voided`);
    return refusedPage(result, (errs) => orderPage(req, reply, { reason }, errs, result.statusCode));
  });
}

/**
 * A refused command: a form's refusal (400 or 409) re-renders its page with the message on the field it names
 * (or at the top); 403 and 404 go to the app's one error page.
 */
function refusedPage<T>(refusal: Refusal, render: (errors: Errors) => Promise<T>): Promise<T> {
  if (!isRefusal(refusal) || refusal.statusCode === 403 || refusal.statusCode === 404) throw refusal;
  return render(refusal.fields ?? { form: refusal.message });
}
