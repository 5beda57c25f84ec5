import { randomUUID } from 'node:crypto';
import { staffOf } from '../kernel/http/reply.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import { isUniqueViolation } from '../kernel/db/database.ts';
import type { DB, LocationTable } from '../kernel/db/schema.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { canonicalZone, errorsOf, phone, plain, valuesOf, type Errors, type Values } from './forms.ts';
import { bookingConflicts } from './impact.ts';
import {
  COMMON_ZONES,
  LocationFormPage,
  LocationsPage,
  OTHER_ZONE,
  type LocationFormProps,
} from './location-views.tsx';
import { ADMIN_ONLY, listLocationNames, locationOr404, saveSetup } from './service.ts';
import { sendPage } from './ui.tsx';

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

const SLUG_MESSAGE = 'Use lower-case letters, digits and single hyphens only, with no spaces, e.g. river-north.';

const locationForm = z.object({
  name: plain('location name', 2, 100),
  slug: z
    .string({ error: 'Enter a short name for web addresses.' })
    .trim()
    .min(2, 'Enter a short name for web addresses (at least 2 characters).')
    .max(40, 'Use at most 40 characters.')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, SLUG_MESSAGE),
  address_line: plain('street address', 2, 200),
  city: plain('city', 1, 100),
  region: plain('state', 2, 50),
  postal_code: z
    .string({ error: 'Enter the ZIP code.' })
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/, 'Enter a ZIP code like 60654.'),
  phone,
  directions_url: z
    .string({ error: 'Enter a directions link.' })
    .trim()
    .max(500, 'Use at most 500 characters.')
    .refine(isWebUrl, 'Enter a web address starting with https:// (or http://).'),
});

type LocationInput = z.infer<typeof locationForm> & { time_zone: string };

/** Validates the form; the zone comes from the list, or from the text box when "another zone" is chosen. */
function parseLocation(body: unknown): { ok: true; input: LocationInput } | { ok: false; errors: Errors } {
  const values = valuesOf(body);
  const parsed = locationForm.safeParse(body ?? {});
  const errors: Errors = parsed.success ? {} : errorsOf(parsed.error);
  const choice = values.time_zone ?? '';
  const typed = choice === OTHER_ZONE ? (values.time_zone_other ?? '').trim() : choice;
  const zone = canonicalZone(typed);
  if (!zone) {
    if (choice === OTHER_ZONE)
      errors.time_zone_other = typed
        ? `“${typed.slice(0, 60)}” is not a time zone we know. Type an IANA name like America/Chicago.`
        : 'Type the time zone, like America/Chicago.';
    else errors.time_zone = 'Choose a time zone from the list, or choose “Another zone” and type its name.';
  }
  if (!parsed.success || !zone) return { ok: false, errors };
  return { ok: true, input: { ...parsed.data, time_zone: zone } };
}

function locationValues(l: Selectable<LocationTable>): Values {
  const common = COMMON_ZONES.some(([z]) => z === l.time_zone);
  return {
    name: l.name,
    slug: l.slug,
    address_line: l.address_line,
    city: l.city,
    region: l.region,
    postal_code: l.postal_code,
    phone: l.phone,
    time_zone: common ? l.time_zone : OTHER_ZONE,
    time_zone_other: common ? '' : l.time_zone,
    directions_url: l.directions_url,
  };
}

async function slugTaken(db: Kysely<DB>, slug: string, exceptId: string | null): Promise<boolean> {
  let q = db.selectFrom('locations').select('id').where('slug', '=', slug);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

const SLUG_TAKEN = 'Another location already uses this short name.';

export async function locationSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const db = database.db;
  const form = (reply: FastifyReply, props: LocationFormProps, status = 200) =>
    sendPage(reply, LocationFormPage(props), status);

  app.get('/staff/setup/locations', { config: ADMIN_ONLY }, async (req, reply) =>
    sendPage(reply, LocationsPage({ staff: staffOf(req), locations: await listLocationNames(db) })),
  );

  app.get('/staff/setup/locations/new', { config: ADMIN_ONLY }, async (req, reply) =>
    form(reply, { staff: staffOf(req), values: { time_zone: 'America/Chicago' }, errors: {} }),
  );

  app.post('/staff/setup/locations', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff: StaffContext = staffOf(req);
    const values = valuesOf(req.body);
    const parsed = parseLocation(req.body);
    if (!parsed.ok) return form(reply, { staff, values, errors: parsed.errors }, 400);
    const input = parsed.input;
    if (await slugTaken(db, input.slug, null)) return form(reply, { staff, values, errors: { slug: SLUG_TAKEN } }, 400);
    const id = randomUUID();
    try {
      await saveSetup(app, req, { thing: 'location_create', locationId: id }, async (trx) => {
        // Read-then-insert of the next place in the list: PostgreSQL (read committed) would let two at once read the
        // same maximum, so creators take turns there; SQLite has one writer at a time already.
        if (app.deps.database.engine === 'postgres')
          await sql`lock table locations in share row exclusive mode`.execute(trx);
        const last = await trx
          .selectFrom('locations')
          .select((eb) => eb.fn.max('sort_order').as('max'))
          .executeTakeFirst();
        await trx
          .insertInto('locations')
          .values({ id, ...input, sort_order: Number(last?.max ?? 0) + 1 })
          .execute();
        return { result: undefined, detail: { location: id, slug: input.slug, zone: input.time_zone } };
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return form(reply, { staff, values, errors: { slug: SLUG_TAKEN } }, 400);
    }
    return reply.code(303).redirect(`/staff/setup/locations/${id}/hours?created=1`);
  });

  app.get<{ Params: { id: string } }>('/staff/setup/locations/:id', { config: ADMIN_ONLY }, async (req, reply) => {
    const location = await locationOr404(db, req.params.id);
    return form(reply, { staff: staffOf(req), location, values: locationValues(location), errors: {} });
  });

  app.post<{ Params: { id: string } }>('/staff/setup/locations/:id', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff = staffOf(req);
    const location = await locationOr404(db, req.params.id);
    const values = valuesOf(req.body);
    const parsed = parseLocation(req.body);
    if (!parsed.ok) return form(reply, { staff, location, values, errors: parsed.errors }, 400);
    const input = parsed.input;
    if (await slugTaken(db, input.slug, location.id))
      return form(reply, { staff, location, values, errors: { slug: SLUG_TAKEN } }, 400);
    try {
      // A new time zone moves every weekly rule in time, so booked visits are checked again.
      const conflicts = await saveSetup(app, req, { thing: 'location', locationId: location.id }, async (trx) => {
        await trx.updateTable('locations').set(input).where('id', '=', location.id).execute();
        const found = await bookingConflicts(trx, { locationId: location.id }, now());
        return {
          result: found,
          detail: { location: location.id, slug: input.slug, zone: input.time_zone, conflicts: found.length },
        };
      });
      const saved = { ...location, ...input };
      return form(reply, {
        staff,
        location: saved,
        values: locationValues(saved),
        errors: {},
        saved: 'Location saved.',
        conflicts,
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return form(reply, { staff, location, values, errors: { slug: SLUG_TAKEN } }, 400);
    }
  });
}
