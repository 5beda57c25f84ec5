import type { Config } from '../kernel/config.ts';
import type { Database } from '../kernel/db/database.ts';
import type { SessionSettings } from '../kernel/http/sessions.ts';

/** What the staff services need from the running app (app.deps has all of it). */
export interface StaffDeps {
  database: Database;
  /** secret seals TOTP secrets and signs enrolment and reset links; publicUrl starts those links. */
  config: Pick<Config, 'secret' | 'publicUrl' | 'sessionIdleMs'>;
  now: () => number;
  /** Nudges the outbox worker after a commit that queued mail. */
  onOutbox?: (() => void) | undefined;
}

/** Sign-in also starts sessions, so it needs their lifetimes. */
export interface SignInDeps extends StaffDeps {
  sessions: SessionSettings;
}

/** Where a sign-in comes from: kept on the session row and in the audit trail. */
export interface Client {
  ip: string;
  userAgent: string;
}
