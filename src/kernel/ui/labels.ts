/**
 * The clinic's words for stored values, shared by every page that shows them (a lead's status on the patient's
 * page reads as it does in the leads inbox). Values are the keys, as stored; the forms' schemas take their choices
 * from the same tables, so a value and its words cannot drift apart.
 */

/** How the person would like to be contacted (consultation requests, patients). */
export const CONTACT_METHODS = { email: 'Email', phone: 'Phone call', text: 'Text message' } as const;

/** What the person would like help with (consultation requests). */
export const REASONS = {
  crps: 'Complex Regional Pain Syndrome (CRPS)',
  other_chronic_pain: 'Other chronic pain',
  other: 'Something else',
} as const;

/** Where a lead stands in the front desk's work. */
export const LEAD_STATUSES = {
  new: 'New',
  contacted: 'Contacted',
  booked: 'Booked',
  cancelled: 'Cancelled by the patient',
  not_candidate: 'Not a candidate',
  closed: 'Closed',
} as const;

/** The kinds of entry in a lead's notes and contact log. */
export const NOTE_KINDS = { note: 'Note', call: 'Phone call', email: 'Email', text: 'Text message' } as const;

/** An appointment's status. */
export const STATUS_LABELS: Record<string, string> = { booked: 'Booked', cancelled: 'Cancelled' };

/** Whether the person came to a booked appointment (unmarked until someone marks it). */
export const ATTENDANCE_LABELS = { arrived: 'Arrived', no_show: 'No-show' } as const;

/** The words for a stored value, or the value itself when it has none. */
export const label = (labels: Record<string, string>, key: string): string => labels[key] ?? key;

/** The kinds of appointment type (what the booking flow branches on; each type's own name is the clinic's). */
export const TYPE_KIND_LABELS = {
  consultation: 'Consultation',
  infusion: 'Infusion',
  booster: 'Booster infusion',
  'follow-up': 'Follow-up',
} as const;
