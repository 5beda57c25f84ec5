import { lockWriters, type Database } from '../kernel/db/database.ts';
import { CLINIC_DEFAULTS, DEFAULT_TYPES } from '../setup/defaults.ts';

const H = (hour: number, minute = 0) => hour * 60 + minute;
const WEEKDAYS = [1, 2, 3, 4, 5];

/** A demo clinic with two locations in different time zones. Returns false when a clinic already exists. */
export async function seedDemo(database: Database): Promise<boolean> {
  return database.transact(async (trx) => {
    await lockWriters(trx, database.engine, 'seed');
    const existing = await trx.selectFrom('clinic').select('id').executeTakeFirst();
    if (existing) return false;

    await trx
      .insertInto('clinic')
      .values({
        id: 'clinic',
        name: 'Relief Infusion Clinic',
        tagline: 'Specialist care for CRPS and hard-to-treat pain',
        phone: '(312) 555-0140',
        email: 'hello@relief-clinic.example',
        ...CLINIC_DEFAULTS,
      })
      .execute();

    await trx
      .insertInto('locations')
      .values([
        {
          id: 'loc-chicago',
          slug: 'chicago',
          name: 'Chicago – River North',
          address_line: '415 N LaSalle Dr, Suite 600',
          city: 'Chicago',
          region: 'IL',
          postal_code: '60654',
          phone: '(312) 555-0141',
          time_zone: 'America/Chicago',
          directions_url: 'https://www.openstreetmap.org/search?query=415%20N%20LaSalle%20Dr%20Chicago',
          sort_order: 1,
        },
        {
          id: 'loc-denver',
          slug: 'denver',
          name: 'Denver – Cherry Creek',
          address_line: '3000 E 1st Ave, Suite 210',
          city: 'Denver',
          region: 'CO',
          postal_code: '80206',
          phone: '(720) 555-0142',
          time_zone: 'America/Denver',
          directions_url: 'https://www.openstreetmap.org/search?query=3000%20E%201st%20Ave%20Denver',
          sort_order: 2,
        },
      ])
      .execute();

    const opening = [
      ...WEEKDAYS.map((weekday) => ({ location_id: 'loc-chicago', weekday, opens_min: H(8), closes_min: H(18) })),
      { location_id: 'loc-chicago', weekday: 6, opens_min: H(9), closes_min: H(13) },
      ...WEEKDAYS.map((weekday) => ({ location_id: 'loc-denver', weekday, opens_min: H(8, 30), closes_min: H(17) })),
    ];
    await trx.insertInto('opening_hours').values(opening).execute();

    const holidays = [
      ['2026-11-26', 'Thanksgiving Day'],
      ['2026-12-25', 'Christmas Day'],
      ['2027-01-01', "New Year's Day"],
      ['2027-05-31', 'Memorial Day'],
    ];
    await trx
      .insertInto('closures')
      .values(
        ['loc-chicago', 'loc-denver'].flatMap((location_id) =>
          holidays.map(([date, reason]) => ({ location_id, date: date!, reason: reason! })),
        ),
      )
      .execute();

    await trx
      .insertInto('clinicians')
      .values([
        {
          id: 'prov-okafor',
          name: 'Dr. Amara Okafor',
          credentials: 'MD, Anesthesiology and Pain Medicine',
          active: 1,
          kind: 'provider',
          watches_at_once: 1,
        },
        {
          id: 'prov-lindqvist',
          name: 'Dr. Erik Lindqvist',
          credentials: 'DO, Pain Medicine',
          active: 1,
          kind: 'provider',
          watches_at_once: 1,
        },
        {
          id: 'prov-reyes',
          name: 'Dr. Sofia Reyes',
          credentials: 'MD, Physical Medicine and Rehabilitation',
          active: 1,
          kind: 'provider',
          watches_at_once: 1,
        },
        // Each nurse watches two infusions at once (three in Denver's smaller suite): set per nurse in clinic set-up.
        { id: 'nurse-nia', name: 'Nia Brooks', credentials: 'RN', active: 1, kind: 'nurse', watches_at_once: 2 },
        { id: 'nurse-marcus', name: 'Marcus Bell', credentials: 'RN', active: 1, kind: 'nurse', watches_at_once: 2 },
        { id: 'nurse-priya', name: 'Priya Shah', credentials: 'RN, BSN', active: 1, kind: 'nurse', watches_at_once: 3 },
      ])
      .execute();
    await trx
      .insertInto('clinician_hours')
      .values([
        ...WEEKDAYS.map((weekday) => ({
          clinician_id: 'prov-okafor',
          location_id: 'loc-chicago',
          weekday,
          from_min: H(9),
          to_min: H(16),
        })),
        // On site all of Saturday's opening: a provider supervises every infusion (issue 11 §5).
        { clinician_id: 'prov-okafor', location_id: 'loc-chicago', weekday: 6, from_min: H(9), to_min: H(13) },
        ...[2, 4].map((weekday) => ({
          clinician_id: 'prov-lindqvist',
          location_id: 'loc-chicago',
          weekday,
          from_min: H(10),
          to_min: H(17),
        })),
        ...[1, 3, 5].map((weekday) => ({
          clinician_id: 'prov-lindqvist',
          location_id: 'loc-denver',
          weekday,
          from_min: H(9),
          to_min: H(15),
        })),
        ...WEEKDAYS.map((weekday) => ({
          clinician_id: 'prov-reyes',
          location_id: 'loc-denver',
          weekday,
          from_min: H(12),
          to_min: H(17),
        })),
        // Nurses run the infusions: their hours and how many each watches cap how many chairs are in use at once.
        ...WEEKDAYS.map((weekday) => ({
          clinician_id: 'nurse-nia',
          location_id: 'loc-chicago',
          weekday,
          from_min: H(8),
          to_min: H(16, 30),
        })),
        { clinician_id: 'nurse-nia', location_id: 'loc-chicago', weekday: 6, from_min: H(9), to_min: H(13) },
        ...WEEKDAYS.map((weekday) => ({
          clinician_id: 'nurse-marcus',
          location_id: 'loc-chicago',
          weekday,
          from_min: H(9, 30),
          to_min: H(18),
        })),
        ...WEEKDAYS.map((weekday) => ({
          clinician_id: 'nurse-priya',
          location_id: 'loc-denver',
          weekday,
          from_min: H(8, 30),
          to_min: H(17),
        })),
      ])
      .execute();

    await trx
      .insertInto('rooms')
      .values([
        { id: 'room-chi-1', location_id: 'loc-chicago', name: 'Consult room 1', kind: 'room', active: 1 },
        { id: 'room-chi-2', location_id: 'loc-chicago', name: 'Consult room 2', kind: 'room', active: 1 },
        { id: 'room-den-1', location_id: 'loc-denver', name: 'Consult room', kind: 'room', active: 1 },
        ...[1, 2, 3, 4, 5, 6].map((n) => ({
          id: `chair-chi-${n}`,
          location_id: 'loc-chicago',
          name: `Chair ${n}`,
          kind: 'chair' as const,
          active: 1,
        })),
        ...[1, 2, 3, 4].map((n) => ({
          id: `chair-den-${n}`,
          location_id: 'loc-denver',
          name: `Chair ${n}`,
          kind: 'chair' as const,
          active: 1,
        })),
      ])
      .execute();

    // The types every clinic starts with, under ids the demo's tests and links know.
    await trx
      .insertInto('appointment_types')
      .values(DEFAULT_TYPES.map((t) => ({ id: `type-${t.code}`, ...t })))
      .execute();
    return true;
  });
}
