import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { LightMyRequestResponse } from 'fastify';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { book, offeredSlots, requestAndGetLink, submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn, searchPatientsAs } from '../helpers/staff.ts';

/**
 * The access matrix of the calendar and patients modules: every demo account × a Chicago and a Denver record ×
 * every patient-data route. Allowed: 200/303 and exactly the expected success event. Another location: 404 (400 for
 * a `location` choice) with a 'denied' event. A role the route does not allow: 403 'access_denied'. Refusals show
 * no patient data and change nothing.
 */

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const DENVER_DESK = 'denver.desk@relief.example';
const NURSE = 'nurse@relief.example';
const PROVIDER = 'provider@relief.example';

type Where = 'chicago' | 'denver';
const SITES = {
  chicago: {
    marker: 'Qx-CHI',
    email: 'qx.chi@example.com',
    phone: '(312) 555-0161',
    zone: 'America/Chicago',
    provider: 'prov-okafor',
  },
  denver: {
    marker: 'Qx-DEN',
    email: 'qx.den@example.com',
    phone: '(720) 555-0162',
    zone: 'America/Denver',
    provider: 'prov-reyes',
  },
} as const;
const other = (w: Where): Where => (w === 'chicago' ? 'denver' : 'chicago');

/** Locations each account may see; nurses may not change the schedule (SCHEDULING_ROLES). */
const SEES: Record<string, Where[]> = {
  [ADMIN]: ['chicago', 'denver'],
  [DESK]: ['chicago'],
  [DENVER_DESK]: ['denver'],
  [NURSE]: ['chicago'],
  [PROVIDER]: ['chicago'],
};
const SCHEDULERS = new Set([ADMIN, DESK, DENVER_DESK, PROVIDER]);
/** A weekday both locations' consultation providers work: book on behalf at 14:00, move to 15:00, cancel. */
const FRESH_DAY = '2026-03-05';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const db = () => rt().database.db;
const lastSeq = async () =>
  Number(
    (await db().selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst())?.seq ?? 0,
  );
const eventsAfter = (seq: number) =>
  db().selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq').execute();
const userId = async (email: string) =>
  (await db().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

/** Everything a refused write could have changed. */
async function snapshot(): Promise<string> {
  const appointments = await db().selectFrom('appointments').selectAll().orderBy('id').execute();
  const requests = await db()
    .selectFrom('consultation_requests')
    .select(['id', 'status', 'patient_id', 'updated_at'])
    .orderBy('id')
    .execute();
  const patients = await db().selectFrom('patients').select('id').orderBy('id').execute();
  return JSON.stringify({ appointments, requests, patients });
}

interface Booked {
  requestId: string;
  patientId: string;
  appointmentId: string;
  date: string;
}

/** A request and an online booking at the location, through the public journey. */
async function bookPublicly(where: Where): Promise<Booked> {
  const s = SITES[where];
  const link = await requestAndGetLink(rt(), {
    first_name: 'Quill',
    last_name: s.marker,
    email: s.email,
    phone: s.phone,
    location: where,
  });
  const slot = offeredSlots((await rt().app.inject({ url: link })).body)[0]!;
  expect((await book(rt(), link, slot, where)).statusCode).toBe(303);
  const req = await db()
    .selectFrom('consultation_requests')
    .select(['id', 'patient_id'])
    .where('email', '=', s.email)
    .executeTakeFirstOrThrow();
  const appt = await db()
    .selectFrom('appointments')
    .select(['id', 'starts_at'])
    .where('request_id', '=', req.id)
    .executeTakeFirstOrThrow();
  // Screened and planned, so staff may book the infusion below (the infusion gate has its own test).
  await makeInfusionReady(rt(), req.patient_id!);
  return {
    requestId: req.id,
    patientId: req.patient_id!,
    appointmentId: appt.id,
    date: DateTime.fromMillis(Number(appt.starts_at), { zone: s.zone }).toISODate()!,
  };
}

let fresh = 0;
/** A new, unbooked request at the location (a fresh copy for the state-changing actions). */
async function freshRequest(where: Where): Promise<string> {
  fresh += 1;
  const email = `qx.${where}.fresh${fresh}@example.com`;
  const res = await submitRequest(rt(), {
    first_name: 'Fresh',
    last_name: `${SITES[where].marker}-${fresh}`,
    email,
    location: where,
  });
  expect(res.statusCode).toBe(303);
  return (
    await db().selectFrom('consultation_requests').select('id').where('email', '=', email).executeTakeFirstOrThrow()
  ).id;
}

function expectNoData(body: string, label: string, sites: Where[]) {
  for (const w of sites) {
    expect(body, `${label}: ${w} marker`).not.toContain(SITES[w].marker);
    expect(body, `${label}: ${w} email`).not.toContain(SITES[w].email);
  }
}

describe(`calendar and patients access matrix (${engine})`, () => {
  it('enforces role and location on every patient-data route, audits each look, change and denial, and refusals change nothing', async () => {
    const records = { chicago: await bookPublicly('chicago'), denver: await bookPublicly('denver') };
    let refusals = 0;
    let successes = 0;

    for (const [email, visible] of Object.entries(SEES)) {
      const b = await signIn(rt(), email);
      const uid = await userId(email);
      const csrf = csrfFrom((await b.get('/staff/calendar')).body);
      expect(csrf, email).not.toBe('');

      for (const where of ['chicago', 'denver'] as const) {
        const rec = records[where];
        const site = SITES[where];
        const loc = `loc-${where}`;
        const sees = visible.includes(where);
        const schedules = SCHEDULERS.has(email);
        /** The appointment the schedule-changing actions work on: a fresh one when they are allowed, else the record. */
        let target = { appointmentId: rec.appointmentId, patientId: rec.patientId };

        type Expect = {
          ok: number;
          action: string;
          patientRef: string | null;
          anyRefOnSuccess?: true;
          locationId?: string | null;
          body?: string[];
          location?: string;
        };
        const step = async (
          what: string,
          scheduling: boolean,
          call: () => Promise<LightMyRequestResponse>,
          exp: Expect,
          refusedStatus = 404,
        ) => {
          const label = `${email} ${what} ${where}`;
          const before = await snapshot();
          const seq = await lastSeq();
          const res = await call();
          const events = await eventsAfter(seq);
          expect(
            events.map((e) => [e.action, e.outcome]),
            label,
          ).toHaveLength(1);
          const event = events[0]!;
          expect(event.actor_id, label).toBe(uid);
          // Patient details never enter the trail.
          expectNoData(event.detail, label, ['chicago', 'denver']);
          if (scheduling && !schedules) {
            expect(res.statusCode, label).toBe(403);
            expect(event, label).toMatchObject({
              action: 'access_denied',
              outcome: 'denied',
              location_id: null,
              patient_ref: null,
            });
          } else if (!sees) {
            expect(res.statusCode, label).toBe(refusedStatus);
            expect(event, label).toMatchObject({
              action: exp.action,
              outcome: 'denied',
              location_id: loc,
              patient_ref: exp.patientRef,
            });
          } else {
            expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBe(exp.ok);
            expect(event, label).toMatchObject({
              action: exp.action,
              outcome: 'success',
              location_id: exp.locationId === undefined ? loc : exp.locationId,
              ...(exp.anyRefOnSuccess ? {} : { patient_ref: exp.patientRef }),
            });
            expect(JSON.parse(event.detail).breakGlass, label).toBeUndefined();
            for (const text of exp.body ?? []) expect(res.body, label).toContain(text);
            if (exp.location) expect(res.headers.location, label).toBe(exp.location);
            // A page of one location never shows the other location's patients.
            expectNoData(res.body, label, [other(where)]);
            successes += 1;
            return res;
          }
          refusals += 1;
          expectNoData(res.body, label, ['chicago', 'denver']);
          expect(await snapshot(), `${label} changed the database`).toBe(before);
          return res;
        };

        // Reads.
        await step(
          'GET calendar',
          false,
          () => b.get(`/staff/calendar?location=${where}&date=${rec.date}`),
          {
            ok: 200,
            action: 'calendar.view',
            patientRef: null,
            body: [`href="/staff/calendar/appointments/${rec.appointmentId}"`],
          },
          400,
        );
        await step('GET appointment', false, () => b.get(`/staff/calendar/appointments/${rec.appointmentId}`), {
          ok: 200,
          action: 'appointment.view',
          patientRef: rec.patientId,
          body: [site.marker],
        });
        await step('GET patient', false, () => b.get(`/staff/patients/${rec.patientId}`), {
          ok: 200,
          action: 'patient.view',
          patientRef: rec.patientId,
          body: [site.marker, site.email],
        });

        // Search is scoped rather than refused: the other location's patients are simply not found.
        // (Searched in lower case, because the page repeats the search text.)
        let seq = await lastSeq();
        const search = await searchPatientsAs(b, site.marker.toLowerCase());
        let events = await eventsAfter(seq);
        expect(search.statusCode, `${email} search ${where}`).toBe(200);
        expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.location_id, e.patient_ref])).toEqual([
          // Clinicians' Patients page also lists who is in treatment (the look audited by count).
          ...(email === NURSE || email === PROVIDER ? [['clinical.treatment.list', 'success', uid, null, null]] : []),
          ['patient.search', 'success', uid, null, null],
        ]);
        const matching = await db()
          .selectFrom('patients')
          .select('id')
          .where('location_id', '=', loc)
          .where('last_name', 'like', `${site.marker}%`)
          .execute();
        expect(JSON.parse(events.at(-1)!.detail), `${email} search ${where}`).toEqual({
          results: sees ? matching.length : 0,
          more: false,
        });
        if (sees) expect(search.body).toContain(site.email);
        else expectNoData(search.body, `${email} search ${where}`, ['chicago', 'denver']);
        expectNoData(search.body, `${email} search ${where}`, [other(where)]);

        await step(
          'GET book form',
          true,
          () => b.get(`/staff/calendar/book?location=${where}`),
          { ok: 200, action: 'calendar.book_form', patientRef: null },
          400,
        );

        // Writes. Attendance 'none' on the record itself (nothing was marked, so nothing is disturbed).
        await step(
          'POST attendance',
          false,
          () =>
            b.post(`/staff/calendar/appointments/${rec.appointmentId}/attendance`, { _csrf: csrf, attendance: 'none' }),
          {
            ok: 303,
            action: 'appointment.attendance',
            patientRef: rec.patientId,
            location: `/staff/calendar/appointments/${rec.appointmentId}?done=cleared`,
          },
        );

        // Book on behalf: a fresh request when allowed; the record's own (booked) request when refused.
        const requestId = sees && schedules ? await freshRequest(where) : rec.requestId;
        const booked = await step(
          'POST book',
          true,
          () =>
            b.post('/staff/calendar/book', {
              _csrf: csrf,
              location: where,
              request: requestId,
              provider: site.provider,
              date: FRESH_DAY,
              time: '14:00',
            }),
          {
            ok: 303,
            action: 'appointment.book',
            patientRef: null,
            anyRefOnSuccess: true,
          },
          400,
        );
        if (booked.statusCode === 303) {
          const appt = await db()
            .selectFrom('appointments')
            .select(['id', 'patient_id', 'status'])
            .where('request_id', '=', requestId)
            .executeTakeFirstOrThrow();
          expect(appt.status).toBe('booked');
          expect(booked.headers.location).toBe(`/staff/calendar/appointments/${appt.id}?done=booked`);
          target = { appointmentId: appt.id, patientId: appt.patient_id! };
          const [event] = await eventsAfter((await lastSeq()) - 1);
          expect(event).toMatchObject({ action: 'appointment.book', patient_ref: appt.patient_id });
        }
        await step(
          'POST reschedule',
          true,
          () =>
            b.post(`/staff/calendar/appointments/${target.appointmentId}/reschedule`, {
              _csrf: csrf,
              date: FRESH_DAY,
              time: '15:00',
            }),
          {
            ok: 303,
            action: 'appointment.reschedule',
            patientRef: target.patientId,
            location: `/staff/calendar/appointments/${target.appointmentId}?done=moved`,
          },
        );
        await step(
          'POST cancel',
          true,
          () => b.post(`/staff/calendar/appointments/${target.appointmentId}/cancel`, { _csrf: csrf }),
          {
            ok: 303,
            action: 'appointment.cancel',
            patientRef: target.patientId,
            location: `/staff/calendar/appointments/${target.appointmentId}?done=cancelled`,
          },
        );
        if (target.appointmentId !== rec.appointmentId) {
          expect(
            await db()
              .selectFrom('appointments')
              .select(['status', 'starts_at'])
              .where('id', '=', target.appointmentId)
              .executeTakeFirstOrThrow(),
          ).toMatchObject({ status: 'cancelled' });
        }

        // Any kind of appointment for the record's patient: an infusion (nurse and chair, no provider), then let go again.
        await step('GET patient book form', true, () => b.get(`/staff/patients/${rec.patientId}/book`), {
          ok: 200,
          action: 'appointment.book_form',
          patientRef: rec.patientId,
          body: ['Infusion'],
        });
        const infusion = await step(
          'POST patient book',
          true,
          () =>
            b.post(`/staff/patients/${rec.patientId}/book`, {
              _csrf: csrf,
              type: 'infusion',
              location: where,
              provider: 'any',
              date: FRESH_DAY,
              // When a provider is on site at both locations to supervise (Denver's start at noon).
              time: '12:30',
            }),
          {
            ok: 303,
            action: 'appointment.book',
            patientRef: rec.patientId,
          },
        );
        if (infusion.statusCode === 303) {
          const id = infusion.headers.location!.split('/').pop()!.split('?')[0]!;
          const row = await db()
            .selectFrom('appointments')
            .select(['patient_id', 'provider_id', 'nurse_id', 'room_id', 'request_id'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          expect(row).toMatchObject({ patient_id: rec.patientId, provider_id: null, request_id: null });
          expect(row.nurse_id).toMatch(/^nurse-/);
          expect(row.room_id).toMatch(/^chair-/);
          expect((await b.post(`/staff/calendar/appointments/${id}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
        }

        // A scheduler of this location naming the other location's request is refused as well.
        if (sees && schedules) {
          const elsewhere = records[other(where)];
          const before = await snapshot();
          seq = await lastSeq();
          const res = await b.post('/staff/calendar/book', {
            _csrf: csrf,
            location: where,
            request: elsewhere.requestId,
            provider: site.provider,
            date: FRESH_DAY,
            time: '14:00',
          });
          events = await eventsAfter(seq);
          const foreign = visible.includes(other(where));
          // An admin sees both: the request is already booked (409 failure); anyone else is denied.
          expect(res.statusCode, `${email} cross-location book ${where}`).toBe(foreign ? 409 : 400);
          // The refusal shows this location's form again, which is a look at it of its own.
          expect(events.map((e) => [e.action, e.outcome, e.location_id])).toEqual([
            ['appointment.book', foreign ? 'failure' : 'denied', `loc-${foreign ? where : other(where)}`],
            ['calendar.book_form', 'success', loc],
          ]);
          if (!foreign) expectNoData(res.body, `${email} cross-location book ${where}`, [other(where)]);
          expect(await snapshot()).toBe(before);
        }
      }
    }

    // 10 routes besides search: admin 2×10, front desks and provider 10 each, nurse 4 (Chicago reads and attendance).
    expect(successes).toBe(20 + 10 + 10 + 10 + 4);
    expect(refusals).toBe(5 * 2 * 10 - successes);
    // The records themselves are still booked at their times.
    for (const where of ['chicago', 'denver'] as const) {
      const row = await db()
        .selectFrom('appointments')
        .select(['status', 'attendance'])
        .where('id', '=', records[where].appointmentId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'booked', attendance: null });
    }
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });
});
