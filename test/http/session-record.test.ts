import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/staff/totp.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { MINUTE, passingAssessment, postSession, recoveringSession, sessionUrl } from '../helpers/session-recovery.ts';
import { orderedVisit } from '../helpers/sessions.ts';
import { demoAccount, signIn } from '../helpers/staff.ts';

// The session record (issue 12 §6): written at discharge with what happened, co-signed by a provider with their
// current authenticator code, fixed once signed (the database says so), corrected by signed addenda.
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const code = (email: string) => totpCode(demoAccount(email).totp, rt().clock.now());

async function discharged(opts: { alert?: boolean } = {}) {
  const visit = await orderedVisit(rt());
  const { id, stoppedAt } = await recoveringSession(rt(), visit, { minutes: 120 });
  if (opts.alert) {
    const at = stoppedAt - 60 * MINUTE;
    await db()
      .insertInto('session_alerts')
      .values({
        id: randomUUID(),
        session_id: id,
        key: `heartRateHigh:${at}`,
        code: 'heartRateHigh',
        kind: 'absolute',
        detail: JSON.stringify({ measure: 'heartRate', value: 155, limit: 151, at }),
        raised_at: at,
        acknowledged_at: at + 2 * MINUTE,
        acknowledged_by: visit.nurseId,
        action: 'Rechecked at 5 minutes: 92/min',
        escalated_at: null,
        escalated_to: null,
      })
      .execute();
  }
  await db()
    .insertInto('session_side_effects')
    .values({
      id: randomUUID(),
      session_id: id,
      effect: 'nausea',
      grade: 1,
      action: 'Ondansetron <given>',
      at: stoppedAt - 30 * MINUTE,
      recorded_by: visit.nurseId,
      recorded_at: stoppedAt - 30 * MINUTE,
    })
    .execute();
  await db()
    .insertInto('session_medications')
    .values({
      id: randomUUID(),
      session_id: id,
      drug: 'ondansetron',
      dose_mg: 4,
      route: 'IV',
      reason: 'Nausea',
      at: stoppedAt - 30 * MINUTE,
      recorded_by: visit.nurseId,
      recorded_at: stoppedAt - 30 * MINUTE,
    })
    .execute();
  const nurse = await signIn(rt(), 'nurse@relief.example');
  await postSession(nurse, visit, id, 'assess', passingAssessment);
  const res = await postSession(nurse, visit, id, 'discharge');
  expect(res.statusCode, res.body.slice(0, 600)).toBe(303);
  return { visit, id, nurse };
}

const recordOf = (id: string) =>
  db().selectFrom('session_records').selectAll().where('session_id', '=', id).executeTakeFirstOrThrow();

describe('the session record', () => {
  it('holds the times, the drug given and highest rate, vitals, side effects, medications, Aldrete, who and escort', async () => {
    const { visit, id, nurse } = await discharged();
    const summary = JSON.parse((await recordOf(id)).summary);
    // 24.5 mg/h for 2 h.
    expect(summary.totalMg).toBe(49);
    expect(summary.highestMgPerHour).toBe(24.5);
    expect(summary.runningMinutes).toBe(120);
    expect(summary.startedAt).toBe(visit.startsAt);
    expect(summary.vitals.map((v: { phase: string }) => v.phase)).toEqual(['pre', 'recovery']);
    expect(summary.sideEffects).toHaveLength(1);
    expect(summary.medications[0]).toMatchObject({ drug: 'ondansetron', doseMg: 4, route: 'IV' });
    expect(summary.aldrete).toMatchObject({ score: 10, atLeast: 9 });
    expect(summary.escort).toBe('Sam Carter');
    expect(summary.dischargedBy).toBeTruthy();
    const page = await nurse.get(sessionUrl(visit, id));
    expect(page.body).toContain('Session record');
    expect(page.body).toContain('49 mg; highest rate 24.5 mg/h');
    expect(page.body).toContain('Ondansetron &lt;given&gt;');
    expect(page.body).toContain('Awaiting the supervising provider’s co-signature.');
    // The patient's Infusion sessions tab lists it.
    const list = await nurse.get(`/staff/patients/${visit.patientId}/sessions`);
    expect(list.body).toContain('Discharged');
    expect(list.body).toContain('Awaiting co-signature');
  });

  it('says each alert in words (the reading, its time and the limit), not the engine’s code', async () => {
    const { visit, id, nurse } = await discharged({ alert: true });
    const page = await nurse.get(sessionUrl(visit, id));
    const record = page.body.slice(page.body.indexOf('Session record'));
    expect(record).toContain('Heart rate 155 beats/min at 11:00 AM: at or above the limit of 151.');
    expect(record).toContain('Acknowledged by Nia Brooks at 11:02 AM: Rechecked at 5 minutes: 92/min');
    expect(record).not.toContain('heartRateHigh');
  });

  it('a co-signature with a wrong code is refused and signs nothing; a nurse cannot co-sign', async () => {
    const { visit, id, nurse } = await discharged();
    const byNurse = await postSession(nurse, visit, id, 'record-cosign', { cosign_code: code('nurse@relief.example') });
    expect(byNurse.statusCode).toBe(403);
    const provider = await signIn(rt(), 'provider@relief.example');
    const wrong = await postSession(provider, visit, id, 'record-cosign', { cosign_code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect((await recordOf(id)).cosigned_at).toBeNull();
    rt().clock.advance(30_000);
    const ok = await postSession(provider, visit, id, 'record-cosign', {
      cosign_code: code('provider@relief.example'),
    });
    expect(ok.statusCode, ok.body.slice(0, 600)).toBe(303);
    const signed = await recordOf(id);
    expect(signed.cosigned_by).toBe(visit.providerId);
    const page = await provider.get(sessionUrl(visit, id));
    expect(page.body).toContain('Co-signed by');
    expect(page.body).not.toContain('Co-sign the record');
  });

  it('only the provider who supervised the visit co-signs when one was assigned', async () => {
    const { visit, id } = await discharged();
    const supervise = (clinician: string) =>
      db()
        .updateTable('appointments')
        .set({ supervisor_id: clinician })
        .where('id', '=', visit.appointmentId)
        .execute();
    await supervise('prov-lindqvist');
    const provider = await signIn(rt(), 'provider@relief.example');
    expect((await provider.get(sessionUrl(visit, id))).body).not.toContain('Co-sign the record');
    const refused = await postSession(provider, visit, id, 'record-cosign', {
      cosign_code: code('provider@relief.example'),
    });
    expect(refused.statusCode).toBe(403);
    expect((await recordOf(id)).cosigned_at).toBeNull();
    await supervise('prov-okafor');
    rt().clock.advance(30_000);
    const ok = await postSession(provider, visit, id, 'record-cosign', {
      cosign_code: code('provider@relief.example'),
    });
    expect(ok.statusCode).toBe(303);
  });

  it('a signed record is fixed at the database; corrections are signed addenda, themselves fixed', async () => {
    const { visit, id } = await discharged();
    const provider = await signIn(rt(), 'provider@relief.example');
    await postSession(provider, visit, id, 'record-cosign', { cosign_code: code('provider@relief.example') });
    const record = await recordOf(id);
    expect(record.cosigned_at).not.toBeNull();
    await expect(
      db().updateTable('session_records').set({ summary: '{}' }).where('id', '=', record.id).execute(),
    ).rejects.toThrow(/session_record_signed/);
    await expect(
      db().updateTable('session_records').set({ cosigned_by: visit.nurseId }).where('id', '=', record.id).execute(),
    ).rejects.toThrow(/session_record_signed/);
    await expect(db().deleteFrom('session_records').where('id', '=', record.id).execute()).rejects.toThrow();
    rt().clock.advance(30_000);
    const empty = await postSession(provider, visit, id, 'record-addendum', {
      addendum: ' ',
      addendum_code: code('provider@relief.example'),
    });
    expect(empty.statusCode).toBe(400);
    const wrong = await postSession(provider, visit, id, 'record-addendum', {
      addendum: 'Escort was the patient’s sister.',
      addendum_code: '000000',
    });
    expect(wrong.statusCode).toBe(400);
    const res = await postSession(provider, visit, id, 'record-addendum', {
      addendum: 'Escort was the patient’s sister.',
      addendum_code: code('provider@relief.example'),
    });
    expect(res.statusCode, res.body.slice(0, 600)).toBe(303);
    const addenda = await db()
      .selectFrom('session_record_addenda')
      .selectAll()
      .where('record_id', '=', record.id)
      .execute();
    expect(addenda).toHaveLength(1);
    await expect(
      db().updateTable('session_record_addenda').set({ text: 'x' }).where('id', '=', addenda[0]!.id).execute(),
    ).rejects.toThrow(/append-only/);
    const page = await provider.get(sessionUrl(visit, id));
    expect(page.body).toContain('Escort was the patient’s sister.');
  });

  it('an unsigned record is also fixed except for the co-signature itself', async () => {
    const { id } = await discharged();
    const record = await recordOf(id);
    await expect(
      db().updateTable('session_records').set({ summary: '{}' }).where('id', '=', record.id).execute(),
    ).rejects.toThrow(/session_record_signed/);
  });
});
