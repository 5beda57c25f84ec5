import type { Clinic, Location } from '../kernel/clinic.ts';
import type { Appointment } from './repository.ts';
import type { CalendarEvent } from './ics.ts';

/**
 * One calendar event for an appointment, used by the download and by the emails alike. `what` names the visit in
 * words fit for a shared calendar: "Consultation" for the online booking, a plain "Appointment" for treatment visits.
 */
export function calendarEvent(
  clinic: Clinic,
  location: Location,
  appt: Appointment,
  now: number,
  url?: string,
  what = 'Consultation',
): CalendarEvent {
  return {
    uid: `${appt.id}@relief`,
    // Every change bumps the sequence so calendar apps replace the earlier copy.
    sequence: Math.max(0, Math.floor((appt.updated_at - appt.created_at) / 1000)),
    method: appt.status === 'cancelled' ? 'CANCEL' : 'PUBLISH',
    start: appt.starts_at,
    end: appt.ends_at,
    zone: location.time_zone,
    summary: `${what} at ${clinic.name}`,
    description: `Your ${what.toLowerCase()} at ${location.name}. Phone: ${location.phone}.${url ? ` Manage your booking: ${url}` : ''}`,
    location: `${location.name}, ${location.address_line}, ${location.city}, ${location.region} ${location.postal_code}`,
    organizerName: clinic.name,
    organizerEmail: clinic.email,
    ...(url ? { url } : {}),
    now,
  };
}
