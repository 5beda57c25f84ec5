import { findLocation, type Clinic } from '../kernel/clinic.ts';
import { badRequest } from '../kernel/refusal.ts';
import { linkRefusals, tooManyRefusals } from '../kernel/http/refusals.ts';
import {
  aboutRequest,
  aboutRequestId,
  auditPatient,
  auditPatientAlone,
  refusedLinkRef,
  type Visitor,
} from '../kernel/audit/patient-audit.ts';
import { consultationType } from '../scheduling/availability.ts';
import { findRequest } from '../requests/service.ts';
import { clinicOf, type LinkDeps } from './link-deps.ts';
import { joinWaitlist, leaveWaitlist } from './repository.ts';

/** The request behind a booking link; a refused link is recorded as a failure of `action`. */
async function requestFor(deps: LinkDeps, token: string, visitor: Visitor, action: string) {
  const { database, tokens } = deps;
  await tooManyRefusals(deps, visitor);
  const check = tokens.verify(token, 'book', visitor.now);
  const request = check.ok ? await findRequest(database.db, check.claims.ref) : undefined;
  if (!request) {
    await linkRefusals(deps).note(visitor.ip, visitor.now);
    const about = await aboutRequestId(database.db, refusedLinkRef(tokens, token, 'book', check));
    await auditPatientAlone(database, visitor, action, 'failure', about, {
      reason: check.ok ? 'unknown' : check.reason,
    });
  }
  return request;
}

export type JoinOutcome =
  | { kind: 'joined'; locationSlug: string }
  /** Already booked: nothing to wait for; the link's page shows the booking. */
  | { kind: 'booked' }
  | { kind: 'invalid'; clinic: Clinic }
  | { kind: 'closed'; clinic: Clinic };

/** Joins the consultation waitlist of a location from a booking link (`slug` as posted). */
export async function joinFromLink(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  slug: string,
): Promise<JoinOutcome> {
  const { database } = deps;
  const action = 'waitlist.join';
  const request = await requestFor(deps, token, visitor, action);
  if (!request) return { kind: 'invalid', clinic: await clinicOf(deps) };
  // As with booking: once the clinic has closed the request, its link no longer joins anything; a call still works.
  if (request.status === 'not_candidate' || request.status === 'closed') {
    await auditPatientAlone(database, visitor, action, 'failure', aboutRequest(request), { reason: 'closed' });
    return { kind: 'closed', clinic: await clinicOf(deps) };
  }
  // Already booked: there is nothing to wait for; the link's page shows the booking, to move it if they wish.
  if (request.status === 'booked') {
    await auditPatientAlone(database, visitor, action, 'failure', aboutRequest(request), {
      reason: 'already_booked',
    });
    return { kind: 'booked' };
  }
  const [location, type] = await Promise.all([
    findLocation(database.db, slug.slice(0, 64)),
    consultationType(database.db),
  ]);
  if (!location || !type) {
    await auditPatientAlone(database, visitor, action, 'failure', aboutRequest(request), { reason: 'invalid' });
    throw badRequest('That location could not be found. Please choose one from the list.');
  }
  await database.transact(async (trx) => {
    await joinWaitlist(trx, { requestId: request.id, locationId: location.id, typeId: type.id }, visitor.now);
    await auditPatient(trx, database, visitor, action, 'success', {
      ...aboutRequest(request),
      locationId: location.id,
    });
  });
  return { kind: 'joined', locationSlug: location.slug };
}

/** Leaves every waitlist from a booking link. */
export async function leaveFromLink(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
): Promise<{ kind: 'left' } | { kind: 'invalid'; clinic: Clinic }> {
  const { database } = deps;
  const request = await requestFor(deps, token, visitor, 'waitlist.leave');
  if (!request) return { kind: 'invalid', clinic: await clinicOf(deps) };
  await database.transact(async (trx) => {
    await leaveWaitlist(trx, request.id, visitor.now);
    await auditPatient(trx, database, visitor, 'waitlist.leave', 'success', aboutRequest(request));
  });
  return { kind: 'left' };
}
