import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppointmentTypeTable, PlaceNeed } from '../kernel/db/schema.ts';
import { resourceSummary, TYPE_CODES } from '../scheduling/type-needs.ts';
import { notFound } from '../kernel/refusal.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { checkbox, errorsOf, fiveMinutes, valuesOf, whole, type Errors, type Values } from './forms.ts';
import { ADMIN_ONLY, saveSetup } from './service.ts';
import { Check, Input, Select, SetupFrame, sendPage } from './ui.tsx';

type AppointmentType = Selectable<AppointmentTypeTable>;
type Params = { Params: { code: string } };

const PLACES = ['none', 'room', 'chair'] as const satisfies readonly PlaceNeed[];
const PLACE_OPTIONS: Array<[PlaceNeed, string]> = [
  ['none', 'No room or chair'],
  ['room', 'A consultation room'],
  ['chair', 'An infusion chair'],
];

const typeForm = z
  .object({
    duration: fiveMinutes('duration', 5, 720),
    buffer_before: fiveMinutes('buffer before', 0, 120),
    buffer_after: fiveMinutes('buffer after', 0, 120),
    notice: whole('minimum notice', 0, 336, 'hours'),
    step: fiveMinutes('time step', 5, 240),
    needs_provider: checkbox,
    needs_nurse: checkbox,
    place: z.enum(PLACES, { error: 'Choose which place it needs: none, a consultation room or an infusion chair.' }),
    online_bookable: checkbox,
  })
  // With nothing held, the database could not stop two bookings of the same time.
  .refine((v) => v.needs_provider || v.needs_nurse || v.place !== 'none', {
    path: ['place'],
    message: 'An appointment must take at least one resource: a provider, a nurse, a room or a chair.',
  })
  // An appointment's busy time (with buffers) must fit in a day; the database refuses longer.
  .refine((v) => v.duration + v.buffer_before + v.buffer_after <= 1440, {
    path: ['duration'],
    message: 'The duration and both buffers together must fit in 24 hours.',
  });

const typeValues = (t: AppointmentType): Values => ({
  duration: String(t.duration_min),
  buffer_before: String(t.buffer_before_min),
  buffer_after: String(t.buffer_after_min),
  notice: String(Math.round((t.min_notice_min / 60) * 100) / 100),
  step: String(t.step_min),
  needs_provider: t.needs_provider ? 'yes' : '',
  needs_nurse: t.needs_nurse ? 'yes' : '',
  place: t.place,
  online_bookable: t.online_bookable ? 'yes' : '',
});

function TypesPage(p: { staff: StaffContext; types: AppointmentType[] }) {
  return SetupFrame({
    staff: p.staff,
    title: 'Appointment types',
    children: (
      <div class="table-scroll">
        <table class="mailbox">
          <caption>Appointment types (times in minutes)</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Duration</th>
              <th scope="col">Buffers before / after</th>
              <th scope="col">Minimum notice</th>
              <th scope="col">Time step</th>
              <th scope="col">Needs</th>
              <th scope="col">Online booking</th>
            </tr>
          </thead>
          <tbody>
            {p.types.map((t) => (
              <tr>
                <td>
                  <a href={`/staff/setup/types/${t.code}`}>{t.name}</a> <code>{t.code}</code>
                </td>
                <td>{t.duration_min}</td>
                <td>
                  {t.buffer_before_min} / {t.buffer_after_min}
                </td>
                <td>{`${Math.round((t.min_notice_min / 60) * 100) / 100} h`}</td>
                <td>{t.step_min}</td>
                <td>{resourceSummary(t)}</td>
                <td>{t.online_bookable ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    ),
  });
}

function TypePage(p: { staff: StaffContext; type: AppointmentType; values: Values; errors: Errors; saved?: string }) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: `Appointment type: ${p.type.name}`,
    back: { href: '/staff/setup/types', label: 'Appointment types' },
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        <p>
          Code <code>{p.type.code}</code> (fixed). Changes apply to new bookings; booked visits keep their times.
        </p>
        <form class="form" method="post" action={`/staff/setup/types/${p.type.code}`} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input
            name="duration"
            label="Duration (minutes)"
            hint="A multiple of 5, up to 720."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="buffer_before"
            label="Buffer before (minutes)"
            hint="Preparation time: a multiple of 5, up to 120."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="buffer_after"
            label="Buffer after (minutes)"
            hint="Clean-up time: a multiple of 5, up to 120."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="notice"
            label="Minimum notice (hours)"
            hint="How soon patients can book online: 0 to 336 hours."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="step"
            label="Time step (minutes)"
            hint="Distance between offered start times: a multiple of 5, up to 240."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <fieldset class="field" aria-describedby="needs-hint">
            <legend>What one appointment holds for its whole time</legend>
            <p class="hint" id="needs-hint">
              The database never books a provider, nurse, room or chair twice at once. Infusions usually need a nurse
              and a chair; consultations a provider and a room.
            </p>
            <Check name="needs_provider" label="A provider (prescriber)" values={p.values} />
            <Check name="needs_nurse" label="A nurse" values={p.values} />
            <Select name="place" label="Place" options={PLACE_OPTIONS} {...f} />
          </fieldset>
          <Check
            name="online_bookable"
            label="Patients can book it online"
            hint="Online booking offers consultations; unticking it there pauses online booking. Other kinds are booked by staff."
            values={p.values}
          />
          <button class="button" type="submit">
            Save appointment type
          </button>
        </form>
      </Fragment>
    ),
  });
}

export async function typeSetupRoutes(app: FastifyInstance): Promise<void> {
  const db = app.deps.database.db;

  async function typeOr404(code: unknown): Promise<AppointmentType> {
    const known = TYPE_CODES.find((c) => c === code);
    const type = known
      ? await db.selectFrom('appointment_types').selectAll().where('code', '=', known).executeTakeFirst()
      : undefined;
    if (!type) throw notFound('That appointment type');
    return type;
  }

  const page = async (
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string } = {},
    status = 200,
  ) => {
    const type = await typeOr404(req.params.code);
    return sendPage(
      reply,
      TypePage({
        staff: staffOf(req),
        type,
        values: extra.values ?? typeValues(type),
        errors: extra.errors ?? {},
        saved: extra.saved,
      }),
      status,
    );
  };

  app.get('/staff/setup/types', { config: ADMIN_ONLY }, async (req, reply) => {
    const types = await db.selectFrom('appointment_types').selectAll().orderBy('name').execute();
    return sendPage(reply, TypesPage({ staff: staffOf(req), types }));
  });

  app.get<Params>('/staff/setup/types/:code', { config: ADMIN_ONLY }, async (req, reply) => page(req, reply));

  app.post<Params>('/staff/setup/types/:code', { config: ADMIN_ONLY }, async (req, reply) => {
    const type = await typeOr404(req.params.code);
    const values = valuesOf(req.body);
    const parsed = typeForm.safeParse(req.body ?? {});
    if (!parsed.success) return page(req, reply, { values, errors: errorsOf(parsed.error) }, 400);
    const v = parsed.data;
    await saveSetup(app, req, { thing: 'appointment_type', locationId: null }, async (trx) => {
      await trx
        .updateTable('appointment_types')
        .set({
          duration_min: v.duration,
          buffer_before_min: v.buffer_before,
          buffer_after_min: v.buffer_after,
          min_notice_min: v.notice * 60,
          step_min: v.step,
          needs_provider: v.needs_provider ? 1 : 0,
          needs_nurse: v.needs_nurse ? 1 : 0,
          place: v.place,
          online_bookable: v.online_bookable ? 1 : 0,
        })
        .where('id', '=', type.id)
        .execute();
      return {
        result: undefined,
        detail: {
          type: type.code,
          duration: v.duration,
          bufferBefore: v.buffer_before,
          bufferAfter: v.buffer_after,
          noticeHours: v.notice,
          step: v.step,
          needs: resourceSummary({
            needs_provider: Number(v.needs_provider),
            needs_nurse: Number(v.needs_nurse),
            place: v.place,
          }),
        },
      };
    });
    return page(req, reply, { saved: `${type.name} saved. New bookings use these times.` });
  });
}
