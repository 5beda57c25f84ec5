// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { bookRequest, visitCancelled, visitCancelledByPatient } from './booking.ts';
export { findRequest, requestForNewLink } from './repository.ts';
export { bookingUrl } from './links.ts';
export type { ConsultationRequest } from './repository.ts';
