import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';
import { submit } from '../helpers/forms.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

/** Appointment types are the clinic's data: administrators add, edit, retire, restore and delete (unused) types. */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const ADMIN = 'admin@relief.example';

const newType = (admin: Browser, fields: Record<string, string | undefined>) =>
  submit(admin, '/staff/setup/types/new', '/staff/setup/types', fields);

async function bookedPatient(): Promise<string> {
  const link = await requestAndGetLink(rt(), { email: 'kept@example.com' });
  const slot = offeredSlots((await rt().app.inject({ url: link })).body)[0]!;
  expect((await book(rt(), link, slot)).statusCode).toBe(303);
  return (
    await db().selectFrom('patients').select('id').where('email', '=', 'kept@example.com').executeTakeFirstOrThrow()
  ).id;
}

const actions = async (prefix: string) =>
  (await db().selectFrom('audit_events').select('action').where('action', 'like', `${prefix}%`).execute()).map(
    (e) => e.action,
  );

describe(`appointment types as data (${engine})`, () => {
  it('adds a type of a kind, offers it to staff booking, and deletes it while it has never been booked', async () => {
    const admin = await signIn(rt(), ADMIN);
    const refused = await newType(admin, { name: 'Extended infusion' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Choose what kind of appointment it is');
    const added = await newType(admin, {
      name: 'Extended infusion',
      kind: 'infusion',
      duration: '360',
      buffer_before: '15',
      buffer_after: '30',
      notice: '24',
      step: '30',
      needs_provider: undefined,
      needs_nurse: 'yes',
      place: 'chair',
    });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/staff/setup/types/extended-infusion?added=1');
    const row = await db()
      .selectFrom('appointment_types')
      .selectAll()
      .where('code', '=', 'extended-infusion')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'infusion',
      duration_min: 360,
      needs_nurse: 1,
      place: 'chair',
      retired_at: null,
    });
    // The same name again (any case) is refused: history must read unambiguously.
    expect((await newType(admin, { name: 'extended INFUSION', kind: 'infusion' })).body).toContain(
      'already called “Extended infusion”',
    );

    const patientId = await bookedPatient();
    const picker = await admin.get(`/staff/patients/${patientId}/book`);
    expect(picker.body).toContain('<option value="extended-infusion"');

    const page = await admin.get('/staff/setup/types/extended-infusion');
    expect(page.body).toContain('It has never been booked, so it can also be deleted.');
    const deleted = await admin.post('/staff/setup/types/extended-infusion/delete', { _csrf: csrfFrom(page.body) });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.body).toContain('“Extended infusion” deleted.');
    expect(await db().selectFrom('appointment_types').select('id').where('id', '=', row.id).execute()).toEqual([]);
    expect(await actions('setup.appointment_type')).toEqual(
      expect.arrayContaining(['setup.appointment_type_create', 'setup.appointment_type_delete']),
    );
  });

  it('retires a booked type, never deletes it; its visits keep its name; restoring offers it again', async () => {
    const admin = await signIn(rt(), ADMIN);
    const patientId = await bookedPatient();
    const visit = await db()
      .selectFrom('appointments')
      .select('id')
      .where('patient_id', '=', patientId)
      .executeTakeFirstOrThrow();

    const page = await admin.get('/staff/setup/types/consultation');
    expect(page.body).toContain('It has bookings, so it can be retired but never deleted.');
    const deleted = await admin.post('/staff/setup/types/consultation/delete', { _csrf: csrfFrom(page.body) });
    expect(deleted.statusCode).toBe(409);
    expect(deleted.body).toContain('cannot be deleted. Retire it instead');
    // The database refuses it too, whatever code asks.
    await expect(db().deleteFrom('appointment_types').where('code', '=', 'consultation').execute()).rejects.toThrow();

    const retired = await admin.post('/staff/setup/types/consultation/retire', { _csrf: csrfFrom(page.body) });
    expect(retired.statusCode).toBe(200);
    expect(retired.body).toContain('Online booking is paused');
    expect((await admin.get('/staff/setup/types')).body).toContain('Consultation</a> (retired)');
    // Booked visits keep their type's name; pickers no longer offer it, and a posted one is refused.
    expect((await admin.get(`/staff/calendar/appointments/${visit.id}`)).body).toContain('Consultation');
    const picker = await admin.get(`/staff/patients/${patientId}/book`);
    expect(picker.body).not.toContain('<option value="consultation"');
    const posted = await admin.post(`/staff/patients/${patientId}/book`, {
      _csrf: csrfFrom(picker.body),
      type: 'consultation',
      location: 'chicago',
      date: '2026-03-10',
      time: '10:00',
    });
    expect(posted.statusCode).toBe(400);
    expect(posted.body).toContain('Choose the kind of appointment.');
    // A new request's booking link says online booking is paused, with the location's phone, rather than failing.
    const link = await requestAndGetLink(rt(), { email: 'later@example.com' });
    const paused = await rt().app.inject({ url: link });
    expect(paused.statusCode).toBe(409);
    expect(paused.body).toContain('Online booking is paused at the moment');

    const restored = await admin.post('/staff/setup/types/consultation/restore', { _csrf: csrfFrom(page.body) });
    expect(restored.body).toContain('is in use again');
    const online = await submit(admin, '/staff/setup/types/consultation', '/staff/setup/types/consultation', {
      online_bookable: 'yes',
    });
    expect(online.statusCode).toBe(200);
    expect(offeredSlots((await rt().app.inject({ url: link })).body).length).toBeGreaterThan(0);
    expect(await actions('setup.appointment_type_re')).toEqual(
      expect.arrayContaining(['setup.appointment_type_retire', 'setup.appointment_type_restore']),
    );
  });

  it('offers one consultation type online, and consultations only', async () => {
    const admin = await signIn(rt(), ADMIN);
    const followUp = await submit(admin, '/staff/setup/types/follow-up', '/staff/setup/types/follow-up', {
      online_bookable: 'yes',
    });
    expect(followUp.statusCode).toBe(400);
    expect(followUp.body).toContain('Only consultations are booked online');
    const second = await newType(admin, {
      name: 'Long consultation',
      kind: 'consultation',
      duration: '90',
      online_bookable: 'yes',
    });
    expect(second.statusCode).toBe(400);
    expect(second.body).toContain('“Consultation” is the consultation patients book online');
    // Renaming is data too; the kind stays, and online booking follows the type, not its old name.
    const renamed = await submit(admin, '/staff/setup/types/consultation', '/staff/setup/types/consultation', {
      name: 'First consultation',
    });
    expect(renamed.statusCode).toBe(200);
    const link = await requestAndGetLink(rt(), { email: 'renamed@example.com' });
    expect(offeredSlots((await rt().app.inject({ url: link })).body).length).toBeGreaterThan(0);
  });
});

describe(`what a type tells the patient beforehand (${engine})`, () => {
  it('infusion kinds start with the preparation text; an administrator edits it as plain text, and other kinds have none', async () => {
    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get('/staff/setup/types/infusion');
    expect(page.body).toContain('<label for="preparation">Before the visit</label>');
    expect(page.body).toContain('Please have no solid food for 6 hours before your appointment.');
    const kinds = await db().selectFrom('appointment_types').select(['kind', 'preparation']).execute();
    for (const t of kinds) expect(t.preparation === '', t.kind).toBe(!['infusion', 'booster'].includes(t.kind));

    const unsafe = await submit(admin, '/staff/setup/types/infusion', '/staff/setup/types/infusion', {
      preparation: 'Eat <b>nothing</b>',
    });
    expect(unsafe.statusCode).toBe(400);
    expect(unsafe.body).toContain('id="preparation-error"');
    const saved = await submit(admin, '/staff/setup/types/infusion', '/staff/setup/types/infusion', {
      preparation: 'Nothing to eat after midnight.\nBring a warm layer.',
    });
    expect(saved.statusCode).toBeLessThan(400);
    const row = await db()
      .selectFrom('appointment_types')
      .select('preparation')
      .where('code', '=', 'infusion')
      .executeTakeFirstOrThrow();
    expect(row.preparation).toBe('Nothing to eat after midnight.\nBring a warm layer.');
    // Saving another setting keeps the text (the form sends it back).
    await submit(admin, '/staff/setup/types/infusion', '/staff/setup/types/infusion', { step: '15' });
    expect(
      (
        await db()
          .selectFrom('appointment_types')
          .select('preparation')
          .where('code', '=', 'infusion')
          .executeTakeFirstOrThrow()
      ).preparation,
    ).toBe('Nothing to eat after midnight.\nBring a warm layer.');
  });
});
