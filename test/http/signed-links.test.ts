import { describe, expect, it } from 'vitest';
import { NOBODY } from '../../src/kernel/audit/patient-audit.ts';
import { rateStoreOf } from '../../src/kernel/http/rate-store.ts';
import { Refusal } from '../../src/kernel/refusal.ts';
import { openSignedLink, type SignedLinkOptions } from '../../src/kernel/signed-link.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';

/**
 * The gate every emailed patient link passes (intake, questionnaire, diary): each way a link is refused is counted
 * against the address (but a closed one), audited as a failure of the action tried, names the person only when the
 * token is authentic, and past the budget stops before anything is looked up or written.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const DAY = 86_400_000;
const WHOSE = { locationId: 'loc-chicago', patientRef: 'patient-1' };

let ipSeq = 0;
const visitor = () => ({ ip: `203.0.113.${++ipSeq}`, now: rt().clock.now() });

const options = (over: Partial<SignedLinkOptions> = {}): SignedLinkOptions => ({
  purpose: 'questionnaire',
  action: 'questionnaire.view',
  whoseExpired: async () => WHOSE,
  ...over,
});

const sign = (purpose: 'questionnaire' | 'diary', expiresIn = DAY) =>
  rt().tokens.sign({ purpose, ref: 'record-1', location: 'loc-chicago', expiresAt: rt().clock.now() + expiresIn });

const counted = (ip: string) => rateStoreOf(rt().database).count(`links:${ip}`, rt().clock.now());

const lastEvent = () =>
  rt()
    .database.db.selectFrom('audit_events')
    .select(['action', 'outcome', 'actor_role', 'patient_ref', 'location_id', 'detail'])
    .orderBy('seq', 'desc')
    .executeTakeFirstOrThrow();

const reasonOf = (detail: unknown) => (JSON.parse(String(detail)) as { reason?: string }).reason;

describe(`signed patient links (${engine})`, () => {
  it('opens a good link with its claims, writing and counting nothing', async () => {
    const v = visitor();
    const before = await lastEvent().catch(() => undefined);
    const opened = await openSignedLink(rt(), sign('questionnaire'), v, options());
    expect('page' in opened).toBe(false);
    if ('page' in opened) return;
    expect(opened.claims).toMatchObject({ purpose: 'questionnaire', ref: 'record-1', location: 'loc-chicago' });
    expect(opened.clinic.name).toBeTruthy();
    expect(await counted(v.ip)).toBe(0);
    expect(await lastEvent().catch(() => undefined)).toEqual(before);
  });

  it('refuses an expired link, counted, audited under the person the authentic token names', async () => {
    const token = sign('questionnaire', DAY);
    rt().clock.advance(DAY + 1000);
    const v = visitor();
    const answer = await openSignedLink(rt(), token, v, options());
    expect(answer).toMatchObject({ page: 'problem', reason: 'expired' });
    expect(await counted(v.ip)).toBe(1);
    const event = await lastEvent();
    expect(event).toMatchObject({
      action: 'questionnaire.view',
      outcome: 'failure',
      actor_role: 'patient',
      patient_ref: 'patient-1',
      location_id: 'loc-chicago',
    });
    expect(reasonOf(event.detail)).toBe('expired');
  });

  it('refuses a tampered link as invalid, counted, naming nobody (the resolver is not asked)', async () => {
    const token = sign('questionnaire');
    const tampered = token.slice(0, -3) + (token.endsWith('A') ? 'BBB' : 'AAA');
    let asked = 0;
    const v = visitor();
    const answer = await openSignedLink(
      rt(),
      tampered,
      v,
      options({
        whoseExpired: async () => {
          asked++;
          return WHOSE;
        },
      }),
    );
    expect(answer).toMatchObject({ page: 'problem', reason: 'invalid' });
    expect(asked).toBe(0);
    expect(await counted(v.ip)).toBe(1);
    const event = await lastEvent();
    expect(event).toMatchObject({ outcome: 'failure', patient_ref: null, location_id: null });
    expect(reasonOf(event.detail)).toBe('invalid');
  });

  it('refuses a link of another purpose as invalid, even once expired (it names nobody)', async () => {
    const diary = sign('diary', DAY);
    for (const later of [0, 2 * DAY]) {
      rt().clock.advance(later);
      const v = visitor();
      const answer = await openSignedLink(rt(), diary, v, options());
      expect(answer).toMatchObject({ page: 'problem', reason: 'invalid' });
      expect(await counted(v.ip)).toBe(1);
      expect(await lastEvent()).toMatchObject({ outcome: 'failure', patient_ref: null });
    }
  });

  it("a used link (its record closed or gone): 'closed' is audited but not held against the address, 'unknown' is", async () => {
    const v = visitor();
    const opened = await openSignedLink(rt(), sign('questionnaire'), v, options());
    if ('page' in opened) throw new Error('the link should open');
    expect(await opened.refuse(WHOSE, 'closed')).toMatchObject({ page: 'problem', reason: 'closed' });
    expect(await counted(v.ip)).toBe(0);
    expect(await lastEvent()).toMatchObject({ outcome: 'failure', patient_ref: 'patient-1' });
    expect(reasonOf((await lastEvent()).detail)).toBe('closed');
    expect(await opened.refuse(NOBODY, 'unknown')).toMatchObject({ page: 'problem', reason: 'unknown' });
    expect(await counted(v.ip)).toBe(1);
    expect(reasonOf((await lastEvent()).detail)).toBe('unknown');
  });

  it('past 30 refusals an address gets too_many_links before any lookup or audit write, even with a good link', async () => {
    const v = visitor();
    for (let i = 0; i < 30; i++) await openSignedLink(rt(), 'not-a-token', v, options());
    const events = async () =>
      (
        await rt()
          .database.db.selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await events();
    const error = await openSignedLink(rt(), sign('questionnaire'), v, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Refusal);
    expect((error as Refusal).code).toBe('too_many_links');
    expect(await events()).toEqual(before);
  });
});
