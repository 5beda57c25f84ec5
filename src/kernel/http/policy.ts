import type { Brand } from '../ui/brand/brand.ts';
import type { Role } from '../db/schema.ts';
import type { MailBannerState } from '../outbox/banner.tsx';

export type { Role };
export const ROLES: readonly Role[] = ['admin', 'front_desk', 'nurse', 'provider'];
export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  front_desk: 'Front desk',
  nurse: 'Nurse',
  provider: 'Provider (prescriber)',
};

/**
 * Who may use a route. Every route must declare one (the app refuses to start otherwise):
 * - 'public': anyone, no sign-in;
 * - 'signed-in-partial': a session between password and MFA (sign-in and enrolment steps only);
 * - { roles }: a fully signed-in staff member with one of these roles.
 */
export type Policy = 'public' | 'signed-in-partial' | { roles: readonly Role[] };

/** The signed-in staff member, attached to the request by the session plugin. */
export interface StaffContext {
  userId: string;
  name: string;
  email: string;
  role: Role;
  /** Locations this person works at; admins see every location. */
  locationIds: string[];
  sessionIdHash: string;
  csrfToken: string;
  stage: 'mfa' | 'enrol' | 'active';
  /** Emergency access is active: a provider may open records outside their locations, audited and flagged. */
  breakGlassUntil: number | null;
  /** For administrators: every emergency access active now, whose and until when (shown on every staff page). */
  emergencyAccess?: ReadonlyArray<{ name: string; minutesLeft: number }>;
  /** Mail that has been failing for a while, or has failed: the banner on every staff page (absent when fine). */
  mail?: MailBannerState;
  /** For clinicians: open safety alerts at their locations (the worklist's count in the navigation). */
  worklistOpen?: number;
  /** The idle time-out in force (each request restarts it), for the warning shown on pages. */
  idleTimeoutMs: number;
  /** The clinic's colour and logo for the workspace frame (set by src/kernel/ui/brand/routes.ts before the handler). */
  brand?: Brand;
}

export const STAFF_ROLES_ALL: readonly Role[] = ROLES;
export const CLINICAL_ROLES: readonly Role[] = ['nurse', 'provider'];
/** Changing the schedule (cancel, move, book on someone's behalf) is front-desk work, as leads are; not nurses'. */
export const SCHEDULING_ROLES: readonly Role[] = ['admin', 'front_desk', 'provider'];
/** The roles that work leads. Nurses do not. */
export const LEAD_ROLES: readonly Role[] = ['admin', 'front_desk', 'provider'];

/** True when the person may see data of this location (their own locations, any for admins). */
export function canSeeLocation(staff: StaffContext, locationId: string, now: number): boolean {
  if (staff.role === 'admin') return true;
  if (staff.locationIds.includes(locationId)) return true;
  return staff.role === 'provider' && staff.breakGlassUntil !== null && staff.breakGlassUntil > now;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffContext;
  }
}
