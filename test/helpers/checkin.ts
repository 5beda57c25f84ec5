/**
 * Check-in fixtures: consent signed, the clock on the visit's day, and the forms of a session page submitted as a
 * browser would (its CSRF token, its version and the vitals form's entry key read from the page).
 */
import { expect } from 'vitest';
import { currentDocuments, ensureConsentDefaults, insertSignature } from '../../src/clinical/intake/repository.ts';
import { formFields } from './forms.ts';
import type { TestRuntime } from './runtime.ts';
import type { OrderedVisit } from './sessions.ts';
import type { Browser } from './staff.ts';

/** The patient signs every current consent document. */
export async function signConsent(rt: TestRuntime, patientId: string): Promise<void> {
  await rt.database.transact(async (trx) => {
    await ensureConsentDefaults(trx, rt.clock.now());
    for (const document of await currentDocuments(trx))
      await insertSignature(trx, { patientId, document, typedName: 'Rosa Test', ip: '127.0.0.1', now: rt.clock.now() });
  });
}

/** Moves the clock to `minutes` before the visit starts (on its day). */
export const onTheDay = (rt: TestRuntime, visit: OrderedVisit, minutes = 30) =>
  rt.clock.set(new Date(visit.startsAt - minutes * 60_000).toISOString());

export const sessionUrl = (visit: OrderedVisit, sessionId: string) =>
  `/staff/patients/${visit.patientId}/sessions/${sessionId}`;

/** A complete checklist for a first session where pregnancy is not asked: everything fine. */
export const GOOD_CHECKLIST: Record<string, string> = {
  identity: 'yes',
  food_hours: '8',
  fluid_hours: '3',
  escort: 'escort',
  escort_name: 'Sam Test',
  escort_phone: '(312) 555-0100',
  pregnancy: 'negative',
  med_changes: 'none',
  pain: '6',
  item9: '0',
};

export const GOOD_VITALS: Record<string, string> = {
  systolic: '128',
  diastolic: '82',
  heart_rate: '74',
  spo2: '98',
  respiratory_rate: '14',
  temperature: '36.8',
  sedation: '0',
  dissociation: '0',
};

/** Opens the session page and posts the form whose action ends in `/verb`, with `changes`. */
export async function postSessionForm(
  b: Browser,
  visit: OrderedVisit,
  sessionId: string,
  verb: string,
  changes: Record<string, string>,
) {
  const page = await b.get(sessionUrl(visit, sessionId));
  expect(page.statusCode, page.body.slice(0, 400)).toBe(200);
  const action = `${sessionUrl(visit, sessionId)}/${verb}`;
  return b.post(action, { ...formFields(page.body, action), ...changes });
}
