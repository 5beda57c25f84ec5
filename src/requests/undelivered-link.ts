/**
 * Booking links that never arrived, as the front desk's task rather than a mystery: the outbox keeps a failed
 * message (status 'dead', unresolved) with the request as its ref and the request's location, so the leads inbox
 * can mark those leads and the lead's page can say why and offer the phone instead. Reads through the outbox's own
 * functions; the words here are the front desk's, never the raw server reply (it may quote the address).
 */
import type { Kysely } from 'kysely';
import type { DB, FailureClass } from '../kernel/db/schema.ts';
import { failedMessages, type FailedMessage } from '../kernel/outbox/failed.ts';

export type UndeliveredLink = FailedMessage;

/** Why it did not arrive, finishing "The email with their booking link could not be delivered: …". */
export const UNDELIVERED_REASONS: Record<FailureClass, string> = {
  recipient: 'their email provider refused it. The address may be mistyped, or the mailbox full or closed.',
  connection: 'our mail server could not be reached for as long as Relief kept trying.',
  authentication: "our mail server refused Relief's sign-in for as long as Relief kept trying.",
  other: 'the mail server refused the message.',
};

/** The same reason in a few words, for the note left in the lead's contact log. */
export const UNDELIVERED_SHORT: Record<FailureClass, string> = {
  recipient: 'refused by their email provider',
  connection: 'mail server unreachable',
  authentication: 'mail server sign-in refused',
  other: 'refused by the mail server',
};

/** Enough for any front desk's backlog: the marker is a worklist, not an archive. */
const MAX_TRACKED = 1000;

/** The requests, among those locations', whose booking link failed and nobody has dealt with yet. */
export async function undeliveredRequestIds(db: Kysely<DB>, locationIds: readonly string[]): Promise<Set<string>> {
  const failed = await failedMessages(db, { locationIds, kinds: ['booking_link'], limit: MAX_TRACKED });
  return new Set(failed.map((m) => m.ref_id));
}

/** The newest failed, unresolved booking link of one request, if any. */
export async function undeliveredLinkOf(db: Kysely<DB>, requestId: string): Promise<UndeliveredLink | undefined> {
  const [newest] = await failedMessages(db, { kinds: ['booking_link'], refIds: [requestId], limit: 1 });
  return newest;
}

/** Every failed, unresolved booking link of one request (a resend sends them all again). */
export function undeliveredLinksOf(db: Kysely<DB>, requestId: string): Promise<UndeliveredLink[]> {
  return failedMessages(db, { kinds: ['booking_link'], refIds: [requestId] });
}
