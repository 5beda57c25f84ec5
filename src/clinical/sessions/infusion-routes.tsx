import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { staffOf } from '../../kernel/http/reply.ts';
import { notFound, type Refusal } from '../../kernel/refusal.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { giveMedication, recordSideEffect } from './infusion-entries.ts';
import { startInfusion } from './infusion-start.ts';
import { changeTimeline } from './infusion-timeline.ts';
import { sessionView } from './read.ts';
import { renderSession } from './page.tsx';
import { sessionHref } from './views.tsx';

const params = z.object({ id: z.string().max(64), session: z.string().max(64) });
type Params = z.infer<typeof params>;
type Run = (actor: Actor, p: Params, version: number) => Promise<{ ok: true } | Refusal>;

const str = (body: Record<string, unknown>, key: string) =>
  typeof body[key] === 'string' ? body[key].trim().slice(0, 300) : '';

/** A figure typed into a form: a plain decimal within bounds, or the message naming the field. */
function decimal(text: string, label: string, [min, max]: [number, number], unit: string): number | string {
  if (text === '') return `${label}: enter it in ${unit}.`;
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(text)) return `${label}: a number in ${unit}, such as 24.5.`;
  const n = Number(text);
  if (n < min || n > max) return `${label}: from ${min} to ${max} ${unit}.`;
  return n;
}

/** The figure, or 0 with its message filed under `field` (the command then does not run). */
function figureOf(errors: Errors, field: string, ...args: Parameters<typeof decimal>): number {
  const v = decimal(...args);
  if (typeof v === 'string') errors[field] = v;
  return typeof v === 'number' ? v : 0;
}

function required(values: Values, errors: Errors, field: string, label: string): string {
  if (values[field] === '') errors[field] = `${label}: required.`;
  return values[field] ?? '';
}

/**
 * The infusion's commands on the session page: start (bag, witness, pump), rate, pause, resume, stop, side effects
 * and medications. Each carries the page's version and redirects back saying what was saved, or re-renders the
 * page with the refused fields (400) or what changed (409).
 */
export async function infusionRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  const command = (verb: string, saved: string, fields: string[], parse: (values: Values, errors: Errors) => Run) =>
    app.post(`/staff/patients/:id/sessions/:session/${verb}`, { config: clinical }, async (req, reply) => {
      const p = params.safeParse(req.params);
      if (!p.success) throw notFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const values: Values = Object.fromEntries(fields.map((f) => [f, str(body, f)]));
      const errors: Errors = {};
      const version = Number(str(body, 'version'));
      if (!Number.isInteger(version) || version < 1) errors.form = 'This page was out of date: open the session again.';
      const run = parse(values, errors);
      const page = async (shown: Errors, status: number) => {
        // Read again: a 409 shows the session as it is now, with the refusal saying what changed.
        const view = await sessionView(deps.database, actorOf(req), p.data.id, p.data.session);
        return renderSession(req, reply, view, { values, errors: shown }, status);
      };
      if (Object.keys(errors).length > 0) return page(errors, 400);
      const result = await run(actorOf(req), p.data, version);
      if (result.ok) return reply.code(303).redirect(`${sessionHref(p.data.id, p.data.session)}?saved=${saved}`);
      if (result.statusCode === 403 || result.statusCode === 404) throw result;
      // A conflict's message says what changed; a form's refusal names its fields.
      return page(
        result.statusCode === 409 || !result.fields ? { form: result.message } : result.fields,
        result.statusCode,
      );
    });

  command(
    'start',
    'started',
    ['drug', 'lot', 'expires_on', 'bag_mg', 'bag_ml', 'witness', 'witness_code', 'pump_rate'],
    (v, errors) => {
      const drug = required(v, errors, 'drug', 'Drug');
      const lot = v.lot ?? '';
      if (!/^[A-Za-z0-9][A-Za-z0-9 ./-]{0,39}$/.test(lot))
        errors.lot = 'Lot number: as printed on the bag, letters, digits, hyphens, up to 40.';
      const expires = v.expires_on ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`)))
        errors.expires_on = 'Expiry date: the date printed on the bag, such as 2027-06-30.';
      const bagMg = figureOf(errors, 'bag_mg', v.bag_mg ?? '', 'Ketamine in the bag', [0.001, 10000], 'mg');
      const bagMl = figureOf(errors, 'bag_ml', v.bag_ml ?? '', 'Bag volume', [0.001, 10000], 'mL');
      const pump = figureOf(errors, 'pump_rate', v.pump_rate ?? '', 'Pump rate', [0.001, 2000], 'mL/h');
      if ((v.witness ?? '') === '') errors.witness = 'Witness: choose the nurse or provider who watched the draw.';
      const code = v.witness_code ?? '';
      if (!/^\d{6}$/.test(code)) errors.witness_code = 'Witness code: the 6 digits their authenticator app shows now.';
      return (actor, p, version) =>
        startInfusion(deps.database, deps.config.secret, actor, p.id, p.session, {
          version,
          drug,
          lot,
          expiresOn: expires,
          bagMg,
          bagMl,
          witnessId: v.witness ?? '',
          witnessCode: code,
          pumpRateMlPerHour: pump,
        });
    },
  );

  command('rate', 'rate', ['rate', 'rate_reason'], (v, errors) => {
    const ml = figureOf(errors, 'rate', v.rate ?? '', 'New pump rate', [0.001, 2000], 'mL/h');
    const reason = required(v, errors, 'rate_reason', 'Reason');
    return (actor, p, version) =>
      changeTimeline(deps.database, actor, p.id, p.session, { kind: 'rate', version, mlPerHour: ml, reason });
  });

  for (const [kind, saved] of [
    ['pause', 'paused'],
    ['resume', 'resumed'],
    ['stop', 'stopped'],
  ] as const)
    command(kind, saved, [`${kind}_reason`], (v, errors) => {
      const reason = required(v, errors, `${kind}_reason`, 'Reason');
      return (actor, p, version) => changeTimeline(deps.database, actor, p.id, p.session, { kind, version, reason });
    });

  command('side-effects', 'side_effect', ['se_effect', 'se_grade', 'se_action', 'se_at'], (v, errors) => {
    const effect = v.se_effect ?? '';
    if (effect === '') errors.se_effect = 'Side effect: choose one from the list.';
    const grade = Number(v.se_grade);
    if (!/^[1-4]$/.test(v.se_grade ?? '')) errors.se_grade = 'Severity: choose a grade from 1 to 4.';
    const action = required(v, errors, 'se_action', 'Action taken');
    return (actor, p, version) =>
      recordSideEffect(deps.database, actor, p.id, p.session, { version, effect, grade, action, at: v.se_at ?? '' });
  });

  command('medications', 'medication', ['med_drug', 'med_dose', 'med_route', 'med_reason', 'med_at'], (v, errors) => {
    const drug = v.med_drug ?? '';
    if (drug === '') errors.med_drug = 'Medication: choose one of the protocol’s orders.';
    const doseMg = figureOf(errors, 'med_dose', v.med_dose ?? '', 'Dose', [0.001, 1000], 'mg');
    const route = required(v, errors, 'med_route', 'Route');
    const reason = required(v, errors, 'med_reason', 'Reason');
    return (actor, p, version) =>
      giveMedication(deps.database, actor, p.id, p.session, {
        version,
        drug,
        doseMg,
        route,
        reason,
        at: v.med_at ?? '',
      });
  });
}
