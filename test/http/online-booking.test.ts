import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { isOverlapViolation } from '../../src/kernel/db/database.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { book, bookedPatient, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const TUE_0900_CHICAGO = Date.parse('2026-03-03T15:00:00.000Z');
const THURSDAY = '2026-03-05';

const rt = useTestRuntime();

const decode = (html: string) =>
  html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
const localDay = (t: number) => DateTime.fromMillis(t, { zone: 'America/Chicago' }).toISODate();
/** Each date of the day chooser's month, with its link when it has one. */
function dayCells(html: string) {
  return [...html.matchAll(/<li class="day day-(\w+)[^"]*">([\s\S]*?)<\/li>/g)].map((m) => {
    const href = /href="([^"]+)"/.exec(m[2]!)?.[1];
    const num = /<span class="day-num">(\d+)<\/span>/.exec(m[2]!)![1]!.padStart(2, '0');
    const month = /<h2 id="month-heading">(\w+) (\d{4})<\/h2>/.exec(html)!;
    const date = DateTime.fromFormat(`${month[1]} ${num} ${month[2]}`, 'LLLL dd yyyy').toISODate();
    return { state: m[1], date, href, current: m[2]!.includes('aria-current="date"') };
  });
}
/** The date the day chooser marks as chosen (a link, or text for a day without times). */
const chosenDay = (html: string) => dayCells(html).find((d) => d.current)?.date;
/** The time buttons: instant, visible text and accessible label. */
function slotButtons(html: string) {
  return [
    ...html.matchAll(/<button class="slot-button[^"]*"[^>]*value="(\d+)" aria-label="([^"]*)">([\s\S]*?)<\/button>/g),
  ].map((m) => ({ start: Number(m[1]), label: decode(m[2]!), text: decode(m[3]!.replace(/<[^>]+>/g, '')) }));
}

async function bookingsAt(start: number) {
  return rt()
    .database.db.selectFrom('appointments')
    .selectAll()
    .where('starts_at', '=', start)
    .where('status', '=', 'booked')
    .execute();
}

describe('online booking', () => {
  it('offers clinic-local times from tomorrow on, respecting minimum notice, and books one at once', async () => {
    const link = await requestAndGetLink(rt());
    const page = await rt().app.inject({ url: link });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Central Time');
    expect(page.body).toContain('America/Chicago');
    const slots = offeredSlots(page.body);
    expect(slots.length).toBeGreaterThan(10);
    // Now is Monday 09:00 Chicago and notice is 12 h: nothing before Tuesday 09:00.
    expect(slots[0]).toBe(TUE_0900_CHICAGO);
    expect(page.body).toContain('Tuesday, March 3, 2026');
    for (const s of slots) expect(s).toBeGreaterThanOrEqual(rt().clock.now() + 12 * 3_600_000);

    const res = await book(rt(), link, TUE_0900_CHICAGO);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${link}?status=booked`);
    const manage = await rt().app.inject({ url: res.headers.location as string });
    expect(manage.body).toContain('Your consultation is booked');
    expect(manage.body).toContain('Tuesday, March 3, 2026 at 9:00 AM CST');
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(1);

    // The same link now leads to the manage page, and a second click books nothing more.
    const again = await book(rt(), link, TUE_0900_CHICAGO + 3_600_000);
    expect(again.statusCode).toBe(303);
    const all = await rt().database.db.selectFrom('appointments').select('id').where('status', '=', 'booked').execute();
    expect(all).toHaveLength(1);
  });

  it('answers a time taken a moment ago with the nearest alternatives', async () => {
    const first = await requestAndGetLink(rt());
    const second = await requestAndGetLink(rt(), { email: 'ben@example.com' });
    expect((await book(rt(), first, TUE_0900_CHICAGO)).statusCode).toBe(303);
    const res = await book(rt(), second, TUE_0900_CHICAGO);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('That time was just taken');
    const alternatives = offeredSlots(res.body);
    expect(alternatives.length).toBeGreaterThan(0);
    expect(alternatives).not.toContain(TUE_0900_CHICAGO);
    expect(Math.abs(alternatives[0]! - TUE_0900_CHICAGO)).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('fifty simultaneous bookings of one time: exactly one succeeds, the rest hear it was taken', async () => {
    const links: string[] = [];
    for (let i = 0; i < 50; i++) links.push(await requestAndGetLink(rt(), { email: `p${i}@example.com` }));
    const results = await Promise.all(links.map((l) => book(rt(), l, TUE_0900_CHICAGO)));
    const ok = results.filter((r) => r.statusCode === 303);
    const taken = results.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(taken).toHaveLength(49);
    for (const r of taken) expect(r.body).toContain('That time was just taken');
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(1);
  });

  it('stops online booking once the clinic has closed the request', async () => {
    const link = await requestAndGetLink(rt());
    await rt().database.db.updateTable('consultation_requests').set({ status: 'not_candidate' }).execute();
    const page = await rt().app.inject({ url: link });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Online booking is closed for this request');
    expect((await book(rt(), link, TUE_0900_CHICAGO)).statusCode).toBe(410);
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(0);
  });

  it('the database itself rejects an overlapping appointment, outside any application check', async () => {
    const link = await requestAndGetLink(rt());
    await book(rt(), link, TUE_0900_CHICAGO);
    const [appt] = await bookingsAt(TUE_0900_CHICAGO);
    let error: unknown;
    try {
      const start = TUE_0900_CHICAGO + 10 * 60_000;
      await rt()
        .database.db.insertInto('appointments')
        .values({
          ...appt!,
          id: 'intruder',
          request_id: null,
          patient_id: null,
          room_id: null,
          starts_at: start,
          ends_at: start + 30 * 60_000,
          busy_from: start,
          busy_to: start + 30 * 60_000,
        })
        .execute();
    } catch (err) {
      error = err;
    }
    expect(isOverlapViolation(error)).toBe(true);
    expect(await bookingsAt(TUE_0900_CHICAGO + 10 * 60_000)).toHaveLength(0);
  });

  it('switches location and shows that location’s own time zone', async () => {
    const link = await requestAndGetLink(rt());
    const denver = await rt().app.inject({ url: `${link}?location=denver` });
    expect(denver.statusCode).toBe(200);
    expect(denver.body).toContain('Mountain Time');
    const slots = offeredSlots(denver.body);
    // Lindqvist works in Denver on Mon/Wed/Fri from 09:00 MST = 16:00Z; Reyes from 12:00.
    const first = DateTime.fromMillis(slots[0]!, { zone: 'America/Denver' });
    expect(first.toFormat('ccc HH:mm')).toBe('Tue 12:00');
    const res = await book(rt(), link, slots[0]!, 'denver');
    expect(res.statusCode).toBe(303);
    const [appt] = await bookingsAt(slots[0]!);
    expect(appt!.location_id).toBe('loc-denver');
  });

  it('online, a person with a staff-booked visit is not offered times during it', async () => {
    await rt.restart({ seed: 'clinic-and-staff' });
    const desk = await signIn(rt(), 'admin@relief.example');
    const id = await bookedPatient(rt(), THURSDAY);
    await makeInfusionReady(rt(), id);
    const p = await rt().database.db.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const csrf = csrfFrom((await desk.get(`/staff/patients/${id}/book`)).body);
    expect(
      (
        await desk.post(`/staff/patients/${id}/book`, {
          _csrf: csrf,
          type: 'infusion',
          location: 'chicago',
          provider: 'any',
          date: THURSDAY,
          time: '10:00',
        })
      ).statusCode,
    ).toBe(303);
    // Same person, new request (e.g. a second consultation): matched to the same patient.
    const link = await requestAndGetLink(rt(), {
      first_name: p.first_name,
      last_name: p.last_name,
      email: p.email,
      phone: p.phone,
    });
    const slots = offeredSlots((await rt().app.inject({ url: `${link}?day=${THURSDAY}` })).body);
    const infusion = { start: Date.parse('2026-03-05T16:00:00.000Z'), end: Date.parse('2026-03-05T20:00:00.000Z') };
    expect(slots.some((t) => t >= infusion.start && t < infusion.end)).toBe(false);
    // Right after it is still offered (nothing else of theirs then).
    expect(slots.some((t) => t >= infusion.end && t < infusion.end + 2 * 3_600_000)).toBe(true);
    // Posted anyway, the database refuses it and nothing is booked.
    const res = await book(rt(), link, Date.parse('2026-03-05T17:00:00.000Z'));
    expect(res.statusCode).toBe(409);
  });

  it("a booking link cannot book beyond the clinic's booking horizon (8 weeks)", async () => {
    const link = await requestAndGetLink(rt());
    // Tuesday 13 October 2026, 09:00 CDT: about 32 weeks ahead, on the grid, within Dr. Okafor's hours.
    const farAway = Date.parse('2026-10-13T14:00:00.000Z');
    const page = await rt().app.inject({ url: `${link}?day=2026-10-13` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('That day cannot be booked online');
    const horizon = rt().clock.now() + 56 * 24 * 3_600_000;
    const shown = offeredSlots(page.body);
    expect(shown.length, 'the first open day instead').toBeGreaterThan(0);
    expect(
      shown.filter((t) => t >= horizon),
      'the picker offers nothing that far',
    ).toEqual([]);
    const res = await book(rt(), link, farAway);
    const booked = await rt()
      .database.db.selectFrom('appointments')
      .select('starts_at')
      .where('status', '=', 'booked')
      .execute();
    expect(booked, 'appointments written').toEqual([]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Online booking is open for the next');
  });

  it('the picker: a month of days, one day of times; days with times are links, the chosen day is marked', async () => {
    const link = await requestAndGetLink(rt());
    const page = await rt().app.inject({ url: link });
    // The first day with a free time is chosen: Tuesday (now is Monday 09:00, 12 hours' notice).
    expect(chosenDay(page.body)).toBe('2026-03-03');
    expect(page.body).toContain('<h2 id="day-heading">Tuesday, March 3, 2026</h2>');
    const tuesday = offeredSlots(page.body);
    expect(tuesday[0]).toBe(TUE_0900_CHICAGO);
    expect(
      tuesday.every((t) => localDay(t) === '2026-03-03'),
      'only the chosen day’s times',
    ).toBe(true);
    // Every date of March is shown; those with times are links that keep the location.
    const days = dayCells(page.body);
    expect(days.map((d) => d.date)).toHaveLength(31);
    expect(days.find((d) => d.date === '2026-03-05')?.href).toBe(`${link}?location=chicago&amp;day=2026-03-05`);
    // Today (no time left with 12 hours' notice), a Sunday (closed) and the past are shown, as text.
    for (const date of ['2026-03-01', '2026-03-02', '2026-03-08'])
      expect(days.find((d) => d.date === date)?.href, date).toBeUndefined();
    expect(page.body).toMatch(/<nav class="day-chooser" aria-labelledby="month-heading">/);

    const thursday = await rt().app.inject({ url: `${link}?location=chicago&day=2026-03-05` });
    expect(thursday.statusCode).toBe(200);
    expect(chosenDay(thursday.body)).toBe('2026-03-05');
    expect(thursday.body).toContain('<h2 id="day-heading">Thursday, March 5, 2026</h2>');
    const thursdayTimes = offeredSlots(thursday.body);
    expect(thursdayTimes.length).toBeGreaterThan(0);
    expect(thursdayTimes.every((t) => localDay(t) === '2026-03-05')).toBe(true);

    // A bookable day without times: chosen, said plainly, no times.
    const sunday = await rt().app.inject({ url: `${link}?day=2026-03-08` });
    expect(sunday.statusCode).toBe(200);
    expect(chosenDay(sunday.body)).toBe('2026-03-08');
    expect(offeredSlots(sunday.body)).toEqual([]);
    expect(sunday.body).toContain('There are no open times on this day');

    // Month to month: the next month opens on its first day with times, and links back.
    const next = /<a class="month-step month-next" href="([^"]+)">/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBe(`${link}?location=chicago&day=2026-04-01`);
    const april = await rt().app.inject({ url: next! });
    expect(chosenDay(april.body)).toBe('2026-04-01');
    expect(april.body).toContain('<h2 id="month-heading">April 2026</h2>');
    expect(/<a class="month-step month-prev" href="([^"]+)">/.exec(april.body)?.[1]).toBe(
      `${link}?location=chicago&amp;day=2026-03-03`,
    );
    // The horizon (8 weeks, to April 27) ends in April: there is no May to go to.
    expect(april.body).not.toContain('month-next');

    // A day that does not exist, has passed or lies beyond the horizon shows the first open day, with a note.
    for (const day of ['2026-02-30', 'tuesday', '2026-03-01', '2026-10-13', '<script>']) {
      const res = await rt().app.inject({ url: `${link}?day=${encodeURIComponent(day)}` });
      expect(res.statusCode, day).toBe(200);
      expect(chosenDay(res.body), day).toBe('2026-03-03');
      expect(res.body, day).toContain('That day cannot be booked online');
      expect(res.body, day).not.toContain('<script>');
    }
  });

  it("the picker marks times inside the change cutoff as can't be changed online once booked", async () => {
    const link = await requestAndGetLink(rt());
    // Monday 1:00 PM in Chicago: the 24-hour cutoff falls on Tuesday at 1:00 PM.
    rt().clock.set('2026-03-02T19:00:00.000Z');
    const cutoff = rt().clock.now() + 24 * 3_600_000;
    const page = await rt().app.inject({ url: link });
    const buttons = slotButtons(page.body);
    expect(buttons.some((b) => b.start < cutoff)).toBe(true);
    expect(buttons.some((b) => b.start >= cutoff)).toBe(true);
    for (const b of buttons) {
      const at = new Date(b.start).toISOString();
      if (b.start < cutoff) {
        // In words inside the button itself, not only colour or a label for screen readers.
        expect(b.text, at).toContain("can't be changed online once booked");
        expect(b.label, at).toContain("can't be changed online once booked");
      } else {
        expect(b.text, at).not.toContain('changed online');
      }
    }
    expect(decode(page.body)).toContain(
      "Times marked “can't be changed online once booked” start less than 24 hours from now",
    );
    // A day wholly outside the cutoff carries no mark and no explanation.
    const wednesday = await rt().app.inject({ url: `${link}?day=2026-03-04` });
    expect(slotButtons(wednesday.body).some((b) => b.text.includes('changed online'))).toBe(false);
    expect(wednesday.body).not.toContain('Times marked');
  });
});
