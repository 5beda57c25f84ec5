/**
 * The patient's private pain diary, through the signed link sent with each questionnaire: today's pain (0–10) in the
 * location's calendar, as often as they like (the latest entry of a day counts), and their last week's entries. The
 * link works while one of their plans is followed (see diary-link.ts for how long it lives).
 */
import { z } from 'zod';
import { auditPatient, auditPatientAlone, NOBODY, type About, type Visitor } from '../../kernel/audit/patient-audit.ts';
import { findLocation, type Clinic } from '../../kernel/clinic.ts';
import { openSignedLink } from '../../kernel/signed-link.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { today } from '../../kernel/time/wall-clock.ts';
import { PAIN_NRS, painRatingSchema } from '../instruments/pain.ts';
import { addDiaryEntry, diaryOf, type DiaryDay } from './diary-repository.ts';
import type { LinkDeps, LinkProblem } from './questionnaire-link-service.ts';
import { patientFirstName } from './questionnaire-repository.ts';
import { FOLLOWED_PLAN_STATUSES } from './questionnaire-schedule.ts';

export interface DiaryLink {
  clinic: Clinic;
  patientId: string;
  locationId: string;
  firstName: string;
  base: string;
  about: About;
  zone: string;
  today: string;
}

export interface DiaryPageData {
  page: 'diary';
  link: DiaryLink;
  days: DiaryDay[];
  values: Record<string, string>;
  errors: Record<string, string>;
  saved: boolean;
  status: number;
}

export type DiaryAnswer = LinkProblem | DiaryPageData | { page: 'redirect'; to: string };

async function openDiary(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  action: string,
): Promise<DiaryLink | LinkProblem> {
  const { database } = deps;
  const opened = await openSignedLink(deps, token, visitor, {
    purpose: 'diary',
    action,
    whoseExpired: async ({ ref, location }) =>
      (await patientFirstName(database.db, ref)) ? { locationId: location, patientRef: ref } : NOBODY,
  });
  if ('page' in opened) return opened;
  const { clinic, claims, refuse } = opened;
  const patientId = claims.ref;
  const patient = await patientFirstName(database.db, patientId);
  if (!patient) return refuse(NOBODY, 'unknown');
  const about = { locationId: claims.location, patientRef: patientId };
  const followed = await database.db
    .selectFrom('treatment_plans')
    .select('id')
    .where('patient_id', '=', patientId)
    .where('status', 'in', [...FOLLOWED_PLAN_STATUSES])
    .executeTakeFirst();
  if (!followed) return refuse(about, 'closed');
  const zone = (await findLocation(database.db, claims.location))?.time_zone ?? 'UTC';
  return {
    clinic,
    patientId,
    locationId: claims.location,
    firstName: patient.first_name,
    base: `/diary/${token}`,
    about,
    zone,
    today: today(visitor.now, zone),
  };
}

/** The last seven days shown to the patient (staff see the whole diary). */
const SHOWN_DAYS = 7;

async function page(deps: LinkDeps, link: DiaryLink, extra: Partial<DiaryPageData> = {}): Promise<DiaryPageData> {
  const days = await diaryOf(deps.database.db, link.patientId, SHOWN_DAYS);
  return { page: 'diary', link, days, values: {}, errors: {}, saved: false, status: 200, ...extra };
}

export async function showDiary(deps: LinkDeps, token: string, visitor: Visitor, saved: boolean): Promise<DiaryAnswer> {
  const action = 'diary.view';
  const link = await openDiary(deps, token, visitor, action);
  if ('page' in link) return link;
  await auditPatientAlone(deps.database, visitor, action, 'success', link.about, {});
  return page(deps, link, { saved });
}

const entrySchema = z.object({ pain: painRatingSchema(PAIN_NRS, 'pain') });

export async function addDiary(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  rawBody: unknown,
): Promise<DiaryAnswer> {
  const action = 'diary.add';
  const link = await openDiary(deps, token, visitor, action);
  if ('page' in link) return link;
  const body = (typeof rawBody === 'object' && rawBody !== null ? rawBody : {}) as Record<string, unknown>;
  const parsed = entrySchema.safeParse({ pain: body.pain });
  if (!parsed.success || parsed.data.pain === null || parsed.data.pain === undefined) {
    await auditPatientAlone(deps.database, visitor, action, 'failure', link.about, { reason: 'invalid' });
    return page(deps, link, {
      status: 400,
      values: { pain: typeof body.pain === 'string' ? body.pain.slice(0, 10) : '' },
      errors: { pain: `Choose a number from ${PAIN_NRS.min} (${PAIN_NRS.minLabel.toLowerCase()}) to ${PAIN_NRS.max}.` },
    });
  }
  const pain = parsed.data.pain;
  await deps.database.transact(async (trx) => {
    const id = timeOrderedId(visitor.now);
    await addDiaryEntry(trx, {
      id,
      patientId: link.patientId,
      locationId: link.locationId,
      day: link.today,
      pain,
      now: visitor.now,
    });
    await auditPatient(trx, deps.database, visitor, action, 'success', link.about, { entryId: id, day: link.today });
  });
  return { page: 'redirect', to: `${link.base}?saved=1` };
}
