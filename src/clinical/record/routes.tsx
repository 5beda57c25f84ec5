import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import type { Refusal } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { clinicalHref } from '../patient-frame.tsx';
import type { Values } from './forms.ts';
import { addAllergy, addDiagnosis, addMedication, endListEntry } from './lists.ts';
import { recordPage } from './page.ts';
import { saveProfile } from './profile.ts';
import { addFinding, addLabResult, addPdmpCheck } from './results.ts';
import { RecordPage, type RecordForm } from './views.tsx';
import { addWeight } from './weights.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { KeptList } from './repository.ts';

type Params = { Params: { id: string } };
type EntryParams = { Params: { id: string; entryId: string } };
type Command = (database: Database, actor: Actor, rawId: unknown, values: Values) => Promise<{ ok: true } | Refusal>;

/** What the page says after each kind of save (the key travels in the address, never the data). */
const SAVED = {
  profile: 'Profile saved.',
  weight: 'Weight added.',
  allergy: 'Allergy added.',
  medication: 'Medication added.',
  diagnosis: 'Diagnosis added.',
  lab: 'Result added.',
  finding: 'Findings recorded.',
  pdmp: 'PDMP check recorded.',
  allergies: 'Allergy removed. It stays in the record’s history.',
  medications: 'Medication stopped. It stays in the record’s history.',
  diagnoses: 'Diagnosis removed. It stays in the record’s history.',
} as const;
type SavedKey = keyof typeof SAVED;

const COMMANDS: Array<[RecordForm, string, Command]> = [
  ['profile', 'profile', saveProfile],
  ['weight', 'weights', addWeight],
  ['allergy', 'allergies', addAllergy],
  ['medication', 'medications', addMedication],
  ['diagnosis', 'diagnoses', addDiagnosis],
  ['lab', 'labs', addLabResult],
  ['finding', 'findings', addFinding],
  ['pdmp', 'pdmp', addPdmpCheck],
];
const ENDINGS: Array<[KeptList, string]> = [
  ['allergies', 'remove'],
  ['medications', 'stop'],
  ['diagnoses', 'remove'],
];

/** A posted form's values as typed (first of any repeated field), to check and to show again. */
function valuesOf(body: unknown): Values {
  const out: Values = {};
  if (body && typeof body === 'object')
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key === '_csrf') continue;
      const first: unknown = Array.isArray(value) ? value[0] : value;
      out[key] = typeof first === 'string' ? first.slice(0, 5000) : '';
    }
  return out;
}

/**
 * The patient's clinical record, for providers and nurses: the page (a read, audited), and one post per command.
 * A saved command redirects to the page (so a reload does not post again); a refused one shows the page again with
 * the form open, its values and each field's message.
 */
export async function recordRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;
  const config = { policy: { roles: CLINICAL_RECORD_ROLES } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: app.deps.now() });

  async function page(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    status: number,
    extra: Omit<Parameters<typeof RecordPage>[0], 'staff' | 'data'> = {},
  ) {
    const data = await recordPage(database, actorOf(req), req.params.id);
    return html(reply, RecordPage({ staff: staffOf(req), data, ...extra }), status);
  }

  app.get<Params & { Querystring: { saved?: string } }>(
    '/staff/patients/:id/clinical',
    { config },
    async (req, reply) => {
      const key = req.query.saved;
      const saved = key && Object.hasOwn(SAVED, key) ? SAVED[key as SavedKey] : undefined;
      return page(req, reply, 200, saved ? { saved } : {});
    },
  );

  for (const [form, path, command] of COMMANDS) {
    app.post<Params>(`/staff/patients/:id/clinical/${path}`, { config }, async (req, reply) => {
      const values = valuesOf(req.body);
      const done = await command(database, actorOf(req), req.params.id, values);
      if (!done.ok) return page(req, reply, done.statusCode, { values, errors: done.fields ?? {}, open: form });
      return reply.code(303).redirect(`${clinicalHref(req.params.id, 'record')}?saved=${form}`);
    });
  }

  for (const [list, verb] of ENDINGS) {
    app.post<EntryParams>(`/staff/patients/:id/clinical/${list}/:entryId/${verb}`, { config }, async (req, reply) => {
      const done = await endListEntry(database, actorOf(req), req.params.id, list, req.params.entryId);
      if (!done.ok) return page(req, reply, done.statusCode, { problem: done.message });
      return reply.code(303).redirect(`${clinicalHref(req.params.id, 'record')}?saved=${list}`);
    });
  }
}
