import { h } from '../ui/jsx.ts';
import type { FailureClass } from '../db/schema.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { mailTrouble, type MailTrouble } from './failed.ts';

/** Mail failing for this long is worth every staff member's attention (a moment's hiccup is not). */
export const FAILING_FOR_BANNER_MS = 10 * 60_000;
/** Each page would otherwise read the outbox; other instances' changes show within this long. */
const FRESH_MS = 15_000;

/** Says what a person can do about it, in their words: who is refusing what. */
export const CAUSES: Record<FailureClass, string> = {
  connection: 'the mail server cannot be reached (the connection is refused or times out)',
  authentication:
    "the mail server refuses Relief's sign-in (authentication failed: check the user and password in SMTP_URL)",
  recipient: "a recipient's mail server refused the message",
  other: 'the mail server refused the message',
};

export interface MailBannerState {
  failed: number;
  /** Minutes since the oldest message still being retried fell due, when that is past the banner's threshold. */
  failingMinutes: number | null;
  cause: FailureClass | null;
}

const cache = new WeakMap<Kysely<DB>, { at: number; now: number; generation: number; trouble: MailTrouble }>();
let generation = 0;

/** Called when this process changes what the banner shows (a failure, a retry, a resolution): read afresh. */
export function mailStateChanged(): void {
  generation += 1;
}

/** What the banner shows at `now`, or undefined when mail is fine. */
export async function mailBannerState(db: Kysely<DB>, now: number): Promise<MailBannerState | undefined> {
  let entry = cache.get(db);
  const wall = Date.now();
  if (!entry || entry.generation !== generation || wall - entry.at > FRESH_MS || Math.abs(now - entry.now) > FRESH_MS) {
    entry = { at: wall, now, generation, trouble: await mailTrouble(db) };
    cache.set(db, entry);
  }
  const { failed, failingSince, cause } = entry.trouble;
  const failingMinutes =
    failingSince !== null && now - failingSince > FAILING_FOR_BANNER_MS
      ? Math.floor((now - failingSince) / 60_000)
      : null;
  if (failed === 0 && failingMinutes === null) return undefined;
  return { failed, failingMinutes, cause };
}

/** On every staff page while mail has been failing for ten minutes, or any message has failed. */
export function MailBanner(props: { state: MailBannerState; admin: boolean }) {
  const { failed, failingMinutes, cause } = props.state;
  return (
    <div class="notice notice-error wrap" role="alert" id="mail-alert">
      <p>
        <strong>
          {failingMinutes !== null
            ? `Email has not been going out for ${failingMinutes} minutes.`
            : `Email could not be delivered.`}
        </strong>{' '}
        {cause ? `The cause: ${CAUSES[cause]}. ` : ''}
        {failingMinutes !== null ? 'Messages are kept and retried. ' : ''}
        {failed > 0
          ? `${failed} message${failed === 1 ? ' was' : 's were'} not delivered and need${failed === 1 ? 's' : ''} a person. `
          : ''}
        {props.admin ? <a href="/staff/mail">See the mail page</a> : 'An administrator can see the details.'}
      </p>
    </div>
  );
}
