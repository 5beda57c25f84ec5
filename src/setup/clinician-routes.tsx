import { randomUUID } from 'node:crypto';
import { staffOf } from '../kernel/http/reply.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ClinicianKind } from '../kernel/db/schema.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { checkbox, errorsOf, plain, valuesOf, whole, type Errors, type Values } from './forms.ts';
import { bookingConflicts, type ConflictRow } from './impact.ts';
import { ADMIN_ONLY, listProviders, providerOr404, saveSetup } from './service.ts';
import { Check, Input, Select, SetupFrame, sendPage } from './ui.tsx';

type Params = { Params: { id: string } };
type Clinician = Awaited<ReturnType<typeof listProviders>>[number];

export const KIND_LABELS: Record<ClinicianKind, string> = { provider: 'Provider (prescriber)', nurse: 'Nurse' };
const KIND_OPTIONS = Object.entries(KIND_LABELS) as Array<[ClinicianKind, string]>;

const details = { name: plain('name', 2, 80), credentials: plain('credentials', 0, 80) };
const addForm = z.object({ ...details, kind: z.enum(['provider', 'nurse'], { error: 'Choose provider or nurse.' }) });
/** Clinics staff one nurse for one to a few chairs; six is a hard ceiling the database holds too. */
const capacity = whole('number of infusions at once', 1, 6, 'infusions');
const editForm = z.object({ ...details, active: checkbox, max_patients: capacity.optional() });

function ListPage(p: { staff: StaffContext; clinicians: Clinician[]; values: Values; errors: Errors; saved?: string }) {
  return SetupFrame({
    staff: p.staff,
    title: 'Clinicians: schedules and time off',
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          Providers and nurses are booked by appointment type (see Appointment types). Each works the hours of their
          weekly schedule.
        </p>
        <ul class="plain-list setup-rows">
          {p.clinicians.map((c) => (
            <li>
              <strong>{c.name}</strong>
              {c.credentials ? `, ${c.credentials}` : ''} — {KIND_LABELS[c.kind]}
              {c.kind === 'nurse' ? `, up to ${c.max_patients} infusion${c.max_patients === 1 ? '' : 's'} at once` : ''}
              {c.active ? '' : ' (inactive: not offered for booking)'} —{' '}
              <a href={`/staff/setup/providers/${c.id}`}>details</a> ·{' '}
              <a href={`/staff/setup/providers/${c.id}/hours`}>weekly schedule</a> ·{' '}
              <a href={`/staff/setup/providers/${c.id}/time-off`}>time off</a>
            </li>
          ))}
        </ul>
        <h2>Add a clinician</h2>
        <form class="form" method="post" action="/staff/setup/providers" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input
            name="name"
            label="Name"
            hint="As patients and colleagues know them, e.g. Dr. Amara Okafor."
            values={p.values}
            errors={p.errors}
          />
          <Input
            name="credentials"
            label="Credentials (optional)"
            hint="e.g. MD, RN or CRNA."
            values={p.values}
            errors={p.errors}
          />
          <Select name="kind" label="Role in appointments" options={KIND_OPTIONS} values={p.values} errors={p.errors} />
          <button class="button" type="submit">
            Add clinician
          </button>
        </form>
      </Fragment>
    ),
  });
}

function EditPage(p: {
  staff: StaffContext;
  clinician: Clinician;
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}) {
  return SetupFrame({
    staff: p.staff,
    title: `Clinician: ${p.clinician.name}`,
    back: { href: '/staff/setup/providers', label: 'Clinicians' },
    saved: p.saved,
    conflicts: p.conflicts,
    errors: p.errors,
    children: (
      <Fragment>
        <p>{KIND_LABELS[p.clinician.kind]}. The role is fixed once added: add a new clinician for a different role.</p>
        <form class="form" method="post" action={`/staff/setup/providers/${p.clinician.id}`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Name" values={p.values} errors={p.errors} />
          <Input name="credentials" label="Credentials (optional)" values={p.values} errors={p.errors} />
          {p.clinician.kind === 'nurse' ? (
            <Input
              name="max_patients"
              label="Infusions this nurse watches at once"
              hint="1 to 6. Each infusion also needs a free chair. Lowering it keeps bookings and lists those beyond it."
              extra={{ inputmode: 'numeric' }}
              values={p.values}
              errors={p.errors}
            />
          ) : null}
          <Check
            name="active"
            label="Active: offered for booking"
            hint="Inactive clinicians keep their bookings, which are then listed to be moved."
            values={p.values}
          />
          <button class="button" type="submit">
            Save
          </button>
        </form>
      </Fragment>
    ),
  });
}

const valuesFor = (c: Clinician): Values => ({
  name: c.name,
  credentials: c.credentials,
  active: c.active ? 'yes' : '',
  max_patients: String(c.max_patients),
});

/** The clinic's providers and nurses: add one, change name, credentials and whether they are offered for booking. */
export async function clinicianSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const db = database.db;

  const list = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string } = {},
    status = 200,
  ) =>
    sendPage(
      reply,
      ListPage({
        staff: staffOf(req),
        clinicians: await listProviders(db),
        values: extra.values ?? { kind: 'provider' },
        errors: extra.errors ?? {},
        saved: extra.saved,
      }),
      status,
    );

  app.get('/staff/setup/providers', { config: ADMIN_ONLY }, async (req, reply) => list(req, reply));

  app.post('/staff/setup/providers', { config: ADMIN_ONLY }, async (req, reply) => {
    const parsed = addForm.safeParse(req.body ?? {});
    if (!parsed.success) return list(req, reply, { values: valuesOf(req.body), errors: errorsOf(parsed.error) }, 400);
    const { name, credentials, kind } = parsed.data;
    const id = randomUUID();
    await saveSetup(app, req, { thing: 'clinician_add', locationId: null }, async (trx) => {
      await trx.insertInto('providers').values({ id, name, credentials, kind, active: 1 }).execute();
      return { result: undefined, detail: { clinician: id, kind } };
    });
    return list(req, reply, { saved: `${name} added. Give them a weekly schedule so they can be booked.` });
  });

  const edit = async (
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string; conflicts?: ConflictRow[] } = {},
    status = 200,
  ) => {
    const clinician = await providerOr404(db, req.params.id);
    return sendPage(
      reply,
      EditPage({
        staff: staffOf(req),
        clinician,
        values: extra.values ?? valuesFor(clinician),
        errors: extra.errors ?? {},
        saved: extra.saved,
        conflicts: extra.conflicts,
      }),
      status,
    );
  };

  app.get<Params>('/staff/setup/providers/:id', { config: ADMIN_ONLY }, async (req, reply) => edit(req, reply));

  app.post<Params>('/staff/setup/providers/:id', { config: ADMIN_ONLY }, async (req, reply) => {
    const clinician = await providerOr404(db, req.params.id);
    const parsed = editForm.safeParse(req.body ?? {});
    if (!parsed.success) return edit(req, reply, { values: valuesOf(req.body), errors: errorsOf(parsed.error) }, 400);
    const { name, credentials, active } = parsed.data;
    // Only nurses watch several infusions; a provider stays at one whatever is posted.
    const maxPatients = clinician.kind === 'nurse' ? (parsed.data.max_patients ?? clinician.max_patients) : 1;
    const conflicts = await saveSetup(app, req, { thing: 'clinician_edit', locationId: null }, async (trx) => {
      await trx
        .updateTable('providers')
        .set({ name, credentials, active: active ? 1 : 0, max_patients: maxPatients })
        .where('id', '=', clinician.id)
        .execute();
      // Their bookings stay; an inactive clinician's future ones are listed so the front desk can move them.
      const found = await bookingConflicts(trx, { providerId: clinician.id }, now());
      return { result: found, detail: { clinician: clinician.id, active, maxPatients, conflicts: found.length } };
    });
    return edit(req, reply, {
      saved: active ? `${name} saved.` : `${name} saved; no longer offered for booking.`,
      conflicts,
    });
  });
}
