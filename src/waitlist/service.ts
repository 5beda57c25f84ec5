// The waitlist's service: its routes' use cases (joining and leaving from a booking link, an offer's page and its
// acceptance), and what the other features may use (see .dependency-cruiser.cjs), and no more.
export { joinFromLink, leaveFromLink } from './join-service.ts';
export { acceptOffer, viewOffer, type OfferGone } from './offer-service.ts';
export { offerFreedTime } from './freed-time.ts';
export { endWait, joinWaitlist, leaveWaitlist, waitingEntriesFor } from './repository.ts';
