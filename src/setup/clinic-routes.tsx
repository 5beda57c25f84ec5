import type { FastifyInstance, FastifyReply } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import { z } from 'zod';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { DEFAULT_BRAND, logoPath, type Brand } from '../kernel/ui/brand/brand.ts';
import { ACCENT_FORMAT_MESSAGE, accentProblem } from '../kernel/ui/brand/palette.ts';
import { forgetBrand } from '../kernel/ui/brand/current.ts';
import { getClinic } from '../kernel/clinic.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import { errorsOf, phone, plain, valuesOf, whole, type Errors, type Values } from './forms.ts';
import { LogoSection, logoSetupRoutes } from './logo-routes.tsx';
import { ADMIN_ONLY, saveSetup } from './service.ts';
import { Input, SetupFrame, sendPage } from './ui.tsx';

const reminders = z
  .string({ error: 'Enter the reminder times.' })
  .trim()
  .transform((text, ctx) => {
    if (text === '') return [];
    const parts = text.split(',').map((p) => p.trim());
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (parts.some((p) => !/^\d{1,4}$/.test(p))) return fail('Write whole hours separated by commas, like 48, 2.');
    const hours = parts.map(Number);
    if (hours.some((n) => n < 1 || n > 336)) return fail('Each reminder must be from 1 to 336 hours before the visit.');
    if (new Set(hours).size !== hours.length) return fail('List each reminder time once.');
    if (hours.length > 5) return fail('Send at most 5 reminders.');
    return hours.sort((a, b) => b - a).map((n) => n * 60);
  });

/** '#rrggbb' (any case), then readable wherever it is used: see src/kernel/ui/brand/palette.ts for the places and ratios. */
const accent = z
  .string({ error: 'Enter the accent color.' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter the accent color.')
  .regex(/^#[0-9a-f]{6}$/, ACCENT_FORMAT_MESSAGE)
  .superRefine((value, ctx) => {
    const problem = accentProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const clinicForm = z.object({
  name: plain('clinic name', 2, 100),
  tagline: plain('tagline', 2, 120),
  accent,
  phone,
  email: z
    .string({ error: 'Enter the clinic email address.' })
    .trim()
    .toLowerCase()
    .max(254, 'Use at most 254 characters.')
    .pipe(z.email('Enter an email address like hello@clinic.org.')),
  reminders,
  cancel_cutoff: whole('cancellation cutoff', 0, 168, 'hours'),
  horizon: whole('booking horizon', 7, 180, 'days'),
  link_days: whole('booking-link lifetime', 1, 60, 'days'),
});

function ClinicPage(p: {
  staff: StaffContext;
  values: Values;
  logo: string | undefined;
  errors: Errors;
  saved?: string;
}) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: 'Clinic settings',
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        <form class="form" method="post" action="/staff/setup/clinic" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Clinic name" {...f} />
          <Input
            name="tagline"
            label="Tagline"
            hint="One plain line shown under the clinic name on the public site, e.g. Specialist care for CRPS."
            {...f}
          />
          <Input
            name="accent"
            label="Accent color"
            hint="Six hex digits, like #0d5c61. Used for the header, links and buttons of the public site and this workspace, and in emails. It must keep text readable: white text on it, and links in it, need a contrast of at least 4.5:1 (WCAG 2.1 AA)."
            extra={{ autocomplete: 'off', spellcheck: 'false' }}
            {...f}
          />
          <Input name="phone" label="Main phone number" type="tel" {...f} />
          <Input name="email" label="Email address patients write to" type="email" {...f} />
          <Input
            name="reminders"
            label="Reminder emails (hours before the visit)"
            hint="Whole hours separated by commas, each from 1 to 336, e.g. 48, 2. Leave empty to send no reminders."
            {...f}
          />
          <Input
            name="cancel_cutoff"
            label="Online cancellation cutoff (hours before the visit)"
            hint="0 to 168. Patients can reschedule or cancel online until then."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="horizon"
            label="Booking horizon (days ahead)"
            hint="How far ahead patients can book online: 7 to 180 days."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="link_days"
            label="Booking-link lifetime (days)"
            hint="How long an emailed booking link works: 1 to 60 days."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <button class="button" type="submit">
            Save clinic settings
          </button>
        </form>
        <LogoSection csrf={p.staff.csrfToken} logo={p.logo} errors={p.errors} />
      </Fragment>
    ),
  });
}

const hoursText = (minutes: number) => String(Math.round((minutes / 60) * 100) / 100);

export async function clinicSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;
  const db = database.db;

  /** The saved settings as form values, and the saved brand. */
  async function current(): Promise<{ values: Values; brand: Brand }> {
    const c = await getClinic(db);
    if (!c) return { values: {}, brand: DEFAULT_BRAND };
    const values = {
      name: c.name,
      tagline: c.tagline,
      accent: c.brand.accent,
      phone: c.phone,
      email: c.email,
      reminders: c.reminderOffsetsMin.map(hoursText).join(', '),
      cancel_cutoff: hoursText(c.cancelCutoffMin),
      horizon: String(c.bookingHorizonDays),
      link_days: String(c.bookingLinkDays),
    };
    return { values, brand: c.brand };
  }

  const show = async (
    reply: FastifyReply,
    staff: StaffContext,
    extra: { values?: Values; errors?: Errors; saved?: string } = {},
    status = 200,
  ) => {
    const now = await current();
    // The frame shows the brand as saved now, even when this request has just changed it.
    const page = ClinicPage({
      staff: { ...staff, brand: now.brand },
      values: extra.values ?? now.values,
      logo: logoPath(now.brand),
      errors: extra.errors ?? {},
      saved: extra.saved,
    });
    return sendPage(reply, page, status);
  };

  app.get('/staff/setup/clinic', { config: ADMIN_ONLY }, async (req, reply) => show(reply, staffOf(req)));

  app.post('/staff/setup/clinic', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff = staffOf(req);
    const values = valuesOf(req.body);
    const parsed = clinicForm.safeParse(req.body ?? {});
    if (!parsed.success) return show(reply, staff, { values, errors: errorsOf(parsed.error) }, 400);
    const v = parsed.data;
    await saveSetup(app, req, { thing: 'clinic', locationId: null }, async (trx) => {
      const res = await trx
        .updateTable('clinic')
        .set({
          name: v.name,
          tagline: v.tagline,
          accent_color: v.accent,
          phone: v.phone,
          email: v.email,
          reminder_offsets_min: JSON.stringify(v.reminders),
          cancel_cutoff_min: v.cancel_cutoff * 60,
          booking_horizon_days: v.horizon,
          booking_link_days: v.link_days,
        })
        .where('id', '=', 'clinic')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new Error('the clinic row is missing: run `relief seed` first');
      return {
        result: undefined,
        detail: {
          accent: v.accent,
          reminders: v.reminders.length,
          cancelCutoffHours: v.cancel_cutoff,
          horizonDays: v.horizon,
          linkDays: v.link_days,
        },
      };
    });
    forgetBrand(app.deps.database);
    return show(reply, staff, { saved: 'Clinic settings saved.' });
  });

  await app.register(logoSetupRoutes, { show });
}
